"""Ages stated as numbers ("13yo", "12 y/o", "age 14", "she is 11") read from the plain view."""

from __future__ import annotations

import re

from csewatch.normalize import View

_DIGIT_RE = re.compile(r"\d")
_AGE = r"(1[0-7]|[4-9])"
_AGE_RE = re.compile(
    rf"(?<![\d.,$€£])\b{_AGE}\s*(?:yo|y/o|y\.o\.?|yr?s? ?old|years? old|year-old|yrs?)\b"
    rf"|\bage[ds]?\s*[:=]?\s*{_AGE}\b(?![\d.,%])"
    rf"|\b(?:she|he|i|u|you)\s*(?:'s|is|am|'m|m|are|r)\s+(?:only\s+|just\s+)?{_AGE}\b(?![\d.,%:])"
)


def find_minor_ages(view: View) -> list[tuple[int, int, int]]:
    """(start, end, age) in the view for each stated age under 18."""
    text = view.text
    if not _DIGIT_RE.search(text):
        return []
    out = []
    for m in _AGE_RE.finditer(text):
        age = next(g for g in m.groups() if g)
        out.append((m.start(), m.end(), int(age)))
    return out
