"""birch: an independent synthetic author (multilingual, heavy Unicode obfuscation, long posts, menus)."""

from csewatch.synth.authors.birch.generator import generate

__all__ = ["generate"]
