"""elm author: an independent synthetic training-data generator (terse spam and bot-like writing,
Indonesian/Tagalog/Russian/German emphasis, nested replies and quote posts, many hard negatives)."""

from csewatch.synth.authors.elm.generator import generate

__all__ = ["generate"]
