"""dogwood obfuscation: character-level disguises applied to indicator words of synthetic posts.

Each technique maps a word to a disguised form; the characters are resolved by Unicode name from
``vocab/obfuscation.yaml`` (or computed, for fullwidth). Unknown names fall back to the plain letter.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable

_NAMES = {
    "a": "A", "b": "B", "c": "C", "d": "D", "e": "E", "f": "F", "g": "G", "h": "H", "i": "I", "j": "J",
    "k": "K", "l": "L", "m": "M", "n": "N", "o": "O", "p": "P", "q": "Q", "r": "R", "s": "S", "t": "T",
    "u": "U", "v": "V", "w": "W", "x": "X", "y": "Y", "z": "Z",
}


def _look(name: str, fallback: str) -> str:
    try:
        return unicodedata.lookup(name)
    except KeyError:
        return fallback


class Obfuscator:
    """Applies one named technique to a word; ``techniques`` lists the names in a fixed order."""

    def __init__(self, data: dict) -> None:
        self.d = data
        self._cache: dict[tuple[str, str], str] = {}
        self.table: dict[str, Callable[[random.Random, str], str]] = {
            "leet": self._leet,
            "separators": self._separators,
            "spacing": self._spacing,
            "repeat": self._repeat,
            "case_mix": self._case_mix,
            "accents": self._accents,
            "zalgo": self._zalgo,
            "strike": self._strike,
            "zero_width": self._zero_width,
            "bidi_rlo": self._bidi_rlo,
            "bidi_marks": self._bidi_marks,
            "exotic_space": self._exotic_space,
            "fullwidth": self._fullwidth,
            "math_style": self._math,
            "circled": lambda r, w: self._letters(w, "CIRCLED LATIN SMALL LETTER {L}", upper=False),
            "parenthesized": lambda r, w: self._letters(w, "PARENTHESIZED LATIN SMALL LETTER {L}", upper=False),
            "squared": lambda r, w: self._letters(w, "SQUARED LATIN CAPITAL LETTER {L}", upper=True),
            "negative_squared": lambda r, w: self._letters(w, "NEGATIVE SQUARED LATIN CAPITAL LETTER {L}", upper=True),
            "negative_circled": lambda r, w: self._letters(w, "NEGATIVE CIRCLED LATIN CAPITAL LETTER {L}", upper=True),
            "regional": self._regional,
            "small_caps": lambda r, w: self._letters(w, "LATIN LETTER SMALL CAPITAL {L}", upper=False),
            "superscript": lambda r, w: self._table(w, self.d["superscript"]),
            "subscript": lambda r, w: self._table(w, self.d["subscript"]),
            "homoglyph": self._homoglyph,
        }
        self.techniques = list(self.table)

    def apply(self, rng: random.Random, technique: str, word: str) -> str:
        return self.table[technique](rng, word)

    # -- helpers
    def _char(self, name: str, fallback: str) -> str:
        key = (name, fallback)
        if key not in self._cache:
            self._cache[key] = _look(name, fallback)
        return self._cache[key]

    def _letters(self, word: str, pattern: str, upper: bool) -> str:
        out = []
        for c in word:
            low = c.lower()
            if low in _NAMES:
                out.append(self._char(pattern.format(L=_NAMES[low]), c.upper() if upper else c))
            else:
                out.append(c)
        return "".join(out)

    def _table(self, word: str, table: dict) -> str:
        return "".join(self._char(table[c.lower()], c) if c.lower() in table else c for c in word)

    def _pick(self, rng: random.Random, key: str) -> str:
        return self._char(rng.choice(self.d[key]), "")

    # -- techniques
    def _leet(self, rng: random.Random, w: str) -> str:
        leet = self.d["leet"]
        return "".join(rng.choice(leet[c.lower()]) if c.lower() in leet and rng.random() < 0.7 else c for c in w)

    def _separators(self, rng: random.Random, w: str) -> str:
        return rng.choice(self.d["separators"]).join(w)

    def _spacing(self, rng: random.Random, w: str) -> str:
        return " ".join(w)

    def _repeat(self, rng: random.Random, w: str) -> str:
        return "".join(c * rng.choice([1, 1, 2, 3]) if c.isalpha() else c for c in w)

    def _case_mix(self, rng: random.Random, w: str) -> str:
        return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in w)

    def _accents(self, rng: random.Random, w: str) -> str:
        out = []
        for c in w:
            out.append(c)
            if c.isalpha() and rng.random() < 0.4:
                out.append(self._pick(rng, "accents"))
        return unicodedata.normalize("NFC", "".join(out)) if rng.random() < 0.5 else "".join(out)

    def _zalgo(self, rng: random.Random, w: str) -> str:
        return "".join(c + "".join(self._pick(rng, "zalgo") for _ in range(rng.randint(1, 4))) for c in w)

    def _strike(self, rng: random.Random, w: str) -> str:
        mark = self._pick(rng, "strike")
        return "".join(c + mark for c in w)

    def _zero_width(self, rng: random.Random, w: str) -> str:
        mark = self._pick(rng, "invisible")
        return mark.join(w) if rng.random() < 0.6 else "".join(c + (mark if rng.random() < 0.5 else "") for c in w)

    def _bidi_rlo(self, rng: random.Random, w: str) -> str:
        return self._char(self.d["rlo"], "") + w[::-1] + self._char(self.d["pdf"], "")

    def _bidi_marks(self, rng: random.Random, w: str) -> str:
        return self._pick(rng, "bidi_marks").join(w)

    def _exotic_space(self, rng: random.Random, w: str) -> str:
        sp = self._pick(rng, "exotic_spaces")
        return w.replace(" ", sp) if " " in w else sp.join(w)

    def _fullwidth(self, rng: random.Random, w: str) -> str:
        return "".join(chr(ord(c) + 0xFEE0) if 0x21 <= ord(c) <= 0x7E else c for c in w)

    def _math(self, rng: random.Random, w: str) -> str:
        style = rng.choice(self.d["math_styles"])
        out = []
        for c in w:
            low = c.lower()
            if low in _NAMES:
                size = "CAPITAL" if c.isupper() else "SMALL"
                out.append(self._char(f"MATHEMATICAL {style} {size} {_NAMES[low]}", c))
            else:
                out.append(c)
        return "".join(out)

    def _regional(self, rng: random.Random, w: str) -> str:
        sep = rng.choice(["", " ", self._char("ZERO WIDTH SPACE", "")])
        return sep.join(
            self._char(f"REGIONAL INDICATOR SYMBOL LETTER {_NAMES[c.lower()]}", c) if c.lower() in _NAMES else c
            for c in w
        )

    def _homoglyph(self, rng: random.Random, w: str) -> str:
        low, up = self.d["homoglyphs"], self.d["homoglyphs_upper"]
        out = []
        for c in w:
            pool = low.get(c) or up.get(c)
            out.append(self._char(rng.choice(pool), c) if pool and rng.random() < 0.6 else c)
        return "".join(out)
