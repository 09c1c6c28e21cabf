"""elm author: obfuscation of single words or short phrases (leetspeak, separators, invisible and bidi
characters, combining marks, fullwidth, mathematical styles, enclosed letters, look-alike scripts). The
character data lives in vocab/obfuscation.yaml; this module holds only the transforms."""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from functools import lru_cache

Transform = Callable[[str, random.Random], str]


@lru_cache(maxsize=4096)
def _named(name: str) -> str | None:
    try:
        return unicodedata.lookup(name)
    except KeyError:
        return None


def _letter_name(ch: str) -> tuple[str, str] | None:
    if "a" <= ch <= "z":
        return "SMALL", ch.upper()
    if "A" <= ch <= "Z":
        return "CAPITAL", ch
    return None


def _digit_name(ch: str) -> str | None:
    names = ["ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"]
    return names[int(ch)] if ch.isascii() and ch.isdigit() else None


class Obfuscator:
    """Applies one named technique to a piece of text, with data from the vocab file."""

    def __init__(self, data: dict) -> None:
        self.d = data
        self.invisible = [c for c in (_named(n) for n in data["invisible"]) if c]
        self.spaces = [c for c in (_named(n) for n in data["exotic_spaces"]) if c]
        self.marks = [c for c in (_named(n) for n in data["bidi_marks"]) if c]
        self.combining = [c for c in (_named(n) for n in data["combining"]) if c]
        self.strikes = [c for c in (_named(n) for n in data["strike"]) if c]
        self.techniques: dict[str, Transform] = {
            "leet": self.leet,
            "separators": self.separators,
            "spacing": self.spacing,
            "repeat": self.repeat,
            "case_mix": self.case_mix,
            "accents": self.accents,
            "zalgo": self.zalgo,
            "strike": self.strike,
            "zero_width": self.zero_width,
            "bidi_rlo": self.bidi_rlo,
            "bidi_marks": self.bidi_marks,
            "exotic_space": self.exotic_space,
            "fullwidth": self.fullwidth,
            "math": self.math,
            "circled": self.enclosed("CIRCLED LATIN {size} LETTER {L}", ("SMALL", "CAPITAL")),
            "negative_circled": self.enclosed("NEGATIVE CIRCLED LATIN CAPITAL LETTER {L}", ("CAPITAL",)),
            "parenthesized": self.enclosed("PARENTHESIZED LATIN SMALL LETTER {L}", ("SMALL",)),
            "squared": self.enclosed("SQUARED LATIN CAPITAL LETTER {L}", ("CAPITAL",)),
            "negative_squared": self.enclosed("NEGATIVE SQUARED LATIN CAPITAL LETTER {L}", ("CAPITAL",)),
            "regional": self.enclosed("REGIONAL INDICATOR SYMBOL LETTER {L}", ("CAPITAL",)),
            "small_caps": self.mapped("small_caps", lower=True),
            "superscript": self.mapped("superscript", lower=True),
            "subscript": self.mapped("subscript", lower=True),
            "greek": self.mapped("greek"),
            "cyrillic": self.mapped("cyrillic"),
            "cherokee": self.mapped("cherokee", upper=True),
            "armenian": self.mapped("armenian", lower=True),
        }
        self.names = list(self.techniques)

    def pick(self, rng: random.Random) -> str:
        """A technique name, or two joined with '+' now and then."""
        a = rng.choice(self.names)
        if rng.random() < 0.12:
            b = rng.choice(["zero_width", "leet", "case_mix", "separators", "cyrillic", "bidi_marks"])
            if b != a:
                return f"{a}+{b}"
        return a

    def apply(self, name: str, text: str, rng: random.Random) -> str:
        for part in name.split("+"):
            text = self.techniques[part](text, rng)
        return text

    # --- transforms -------------------------------------------------------------------------------
    def leet(self, s: str, rng: random.Random) -> str:
        m = self.d["leet"]
        out = [rng.choice(m[c.lower()]) if c.lower() in m and rng.random() < 0.6 else c for c in s]
        return "".join(out)

    def separators(self, s: str, rng: random.Random) -> str:
        sep = rng.choice(self.d["separators"])
        n = len(s)
        return "".join(c + (sep if c.isalnum() and i < n - 1 and s[i + 1].isalnum() else "") for i, c in enumerate(s))

    def spacing(self, s: str, rng: random.Random) -> str:
        return " ".join(c for c in s if c != " ") if rng.random() < 0.5 else "  ".join(s.split(" "))

    def repeat(self, s: str, rng: random.Random) -> str:
        idx = [i for i, c in enumerate(s) if c.isalpha()]
        if not idx:
            return s
        chosen = set(rng.sample(idx, k=min(len(idx), rng.randint(1, 3))))
        return "".join(c * (rng.randint(2, 4) if i in chosen else 1) for i, c in enumerate(s))

    def case_mix(self, s: str, rng: random.Random) -> str:
        return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in s)

    def accents(self, s: str, rng: random.Random) -> str:
        m = self.d["accents"]
        return "".join(rng.choice(m[c]) if c in m and rng.random() < 0.7 else c for c in s)

    def zalgo(self, s: str, rng: random.Random) -> str:
        return "".join(c + "".join(rng.choice(self.combining) for _ in range(rng.randint(1, 3))) if c.isalpha() else c
                       for c in s)

    def strike(self, s: str, rng: random.Random) -> str:
        mark = rng.choice(self.strikes)
        return "".join(c + mark if c != " " else c for c in s)

    def zero_width(self, s: str, rng: random.Random) -> str:
        zw = rng.choice(self.invisible)
        return "".join(c + (zw if rng.random() < 0.6 else "") for c in s[:-1]) + s[-1:]

    def bidi_rlo(self, s: str, rng: random.Random) -> str:
        rlo, pdf = _named("RIGHT-TO-LEFT OVERRIDE") or "", _named("POP DIRECTIONAL FORMATTING") or ""
        return rlo + s[::-1] + pdf

    def bidi_marks(self, s: str, rng: random.Random) -> str:
        return "".join(c + (rng.choice(self.marks) if rng.random() < 0.4 else "") for c in s)

    def exotic_space(self, s: str, rng: random.Random) -> str:
        sp = rng.choice(self.spaces)
        if " " in s:
            return s.replace(" ", sp)
        return sp.join(s) if rng.random() < 0.5 else s[: len(s) // 2] + sp + s[len(s) // 2:]

    def fullwidth(self, s: str, rng: random.Random) -> str:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in s)

    def math(self, s: str, rng: random.Random) -> str:
        style = rng.choice(self.d["math_styles"])
        out = []
        for c in s:
            ln = _letter_name(c)
            dn = _digit_name(c)
            got = None
            if ln:
                got = _named(f"MATHEMATICAL {style} {ln[0]} {ln[1]}")
            elif dn and style in ("BOLD", "DOUBLE-STRUCK", "SANS-SERIF", "SANS-SERIF BOLD", "MONOSPACE"):
                got = _named(f"MATHEMATICAL {style} DIGIT {dn}")
            out.append(got or c)
        return "".join(out)

    def enclosed(self, pattern: str, sizes: tuple[str, ...]) -> Transform:
        def run(s: str, rng: random.Random) -> str:
            out = []
            for c in s:
                ln = _letter_name(c)
                got = None
                if ln:
                    size = ln[0] if ln[0] in sizes else sizes[0]
                    got = _named(pattern.format(size=size, L=ln[1]))
                out.append(got or c)
            return "".join(out)

        return run

    def mapped(self, key: str, lower: bool = False, upper: bool = False) -> Transform:
        table: dict[str, str] = self.d[key]

        def run(s: str, rng: random.Random) -> str:
            src = s.lower() if lower else (s.upper() if upper else s)
            return "".join(table.get(c, c) if rng.random() < 0.85 else c for c in src)

        return run
