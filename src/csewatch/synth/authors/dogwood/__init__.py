"""dogwood: an independent synthetic training-data author for csewatch (see generator.py)."""

from csewatch.synth.authors.dogwood.generator import generate

__all__ = ["generate"]
