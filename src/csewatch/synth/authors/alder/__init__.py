"""alder: an independent synthetic author of labelled csewatch streams (see generator.py)."""

from csewatch.synth.authors.alder.generator import generate

__all__ = ["generate"]
