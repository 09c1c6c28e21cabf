"""alder's obfuscation layer: rewrites the indicator words of a post (or the whole post around its links,
tags and mentions) with one or two techniques -- leetspeak, separators, spacing, repeats, case mixing,
accents, combining marks, invisible characters, bidi controls, exotic spaces, fullwidth, mathematical
alphanumeric styles, enclosed letters, regional indicators, small caps, super/subscripts and look-alike
letters. Character tables that are data live in vocab/obfuscation.yaml; styled letters are looked up by
Unicode name."""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Callable

_PROTECT = re.compile(r"https?://\S+|[@#][\w.]+")
_WORD = re.compile(r"[^\W\d_]{3,}")

_DIGIT_NAMES = ["ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"]


def _lookup(*names: str) -> str | None:
    for name in names:
        try:
            return unicodedata.lookup(name)
        except KeyError:
            continue
    return None


class Obfuscator:
    """Applies named techniques; tables come from the author's obfuscation vocabulary."""

    def __init__(self, table: dict, rng: random.Random):
        self.t = table
        self.rng = rng
        self._cache: dict[tuple[str, str], str] = {}
        self.techniques: dict[str, Callable[[str], str]] = {
            "leet": self._leet,
            "separators": self._separators,
            "spacing": self._spacing,
            "repeat": self._repeat,
            "case_mix": self._case_mix,
            "accents": self._accents,
            "zalgo": self._zalgo,
            "strike": lambda w: self._combine(w, "\u0336"),
            "underline": lambda w: self._combine(w, "\u0332"),
            "slash_through": lambda w: self._combine(w, "\u0338"),
            "zero_width": self._zero_width,
            "soft_hyphen": lambda w: self._between(w, ["\u00ad"]),
            "bidi_rlo": self._bidi_rlo,
            "bidi_marks": lambda w: self._between(w, ["\u200f", "\u200e", "\u061c"]),
            "fullwidth": self._fullwidth,
            "circled": lambda w: self._map(w, "circled"),
            "neg_circled": lambda w: self._map(w, "neg_circled"),
            "parenthesized": lambda w: self._map(w, "parenthesized"),
            "squared": lambda w: self._map(w, "squared"),
            "neg_squared": lambda w: self._map(w, "neg_squared"),
            "regional": self._regional,
            "small_caps": lambda w: self._map(w, "small_caps"),
            "superscript": lambda w: self._map(w, "superscript"),
            "subscript": lambda w: self._map(w, "subscript"),
        }
        for style in self.t["math_styles"]:
            key = "math_" + style.lower().replace(" ", "_").replace("-", "_")
            self.techniques[key] = self._math_fn(style)
        for script in self.t["homoglyphs"]:
            self.techniques["homoglyph_" + script] = self._homoglyph_fn(script)
        self.techniques["homoglyph_mixed"] = self._homoglyph_mixed
        self.names = list(self.techniques)
        # whole-text techniques only where a person would plausibly restyle a whole post
        self.whole = [n for n in self.names if n.startswith(("math_", "fullwidth", "small_caps", "circled", "case_mix",
                                                             "homoglyph_", "zero_width", "strike", "superscript"))]
        self.whole.append("exotic_space")

    # ---- public -------------------------------------------------------------------------
    def apply(self, text: str, keys: list[str]) -> tuple[str, str]:
        """(new text, technique label). Keys are the indicator words to target; otherwise random words."""
        rng = self.rng
        if rng.random() < 0.22:
            name = rng.choice(self.whole)
            if name == "exotic_space":
                return self._exotic_spaces(text), name
            fn = self.techniques[name]
            return self._outside_protected(text, fn), name
        names = [rng.choice(self.names)]
        if rng.random() < 0.2:
            extra = rng.choice(["zero_width", "homoglyph_cyrillic", "separators", "case_mix", "strike", "bidi_marks"])
            if extra not in names:
                names.append(extra)
        targets = [k for k in keys if 3 <= len(k) <= 40]
        if not targets:
            targets = [m.group(0) for m in _WORD.finditer(_PROTECT.sub(" ", text))]
        if not targets:
            return text, "none"
        rng.shuffle(targets)
        out = text
        for word in targets[: rng.choice([1, 1, 2, 3])]:
            new = word
            for n in names:
                new = self.techniques[n](new)
            out = self._replace_once(out, word, new)
        if out == text:
            return text, "none"
        return out, "+".join(names)

    def style_all(self, text: str, name: str) -> str:
        """One technique over every word outside links, tags and mentions (used for fancy display names)."""
        return self._outside_protected(text, self.techniques[name])

    # ---- helpers ------------------------------------------------------------------------
    @staticmethod
    def _replace_once(text: str, word: str, new: str) -> str:
        spans = [(m.start(), m.end()) for m in _PROTECT.finditer(text)]
        low, w = text.lower(), word.lower()
        start = 0
        while True:
            i = low.find(w, start)
            if i < 0:
                return text
            if not any(a <= i < b for a, b in spans):
                return text[:i] + new + text[i + len(word):]
            start = i + 1

    @staticmethod
    def _outside_protected(text: str, fn: Callable[[str], str]) -> str:
        out, last = [], 0
        for m in _PROTECT.finditer(text):
            out.append(Obfuscator._words(text[last:m.start()], fn))
            out.append(m.group(0))
            last = m.end()
        out.append(Obfuscator._words(text[last:], fn))
        return "".join(out)

    @staticmethod
    def _words(seg: str, fn: Callable[[str], str]) -> str:
        return re.sub(r"\S+", lambda m: fn(m.group(0)), seg)

    def _leet(self, w: str) -> str:
        table = self.t["leet"]
        rng = self.rng
        out = []
        for ch in w:
            opts = table.get(ch.lower())
            out.append(rng.choice(opts) if opts and rng.random() < 0.7 else ch)
        return "".join(out)

    def _separators(self, w: str) -> str:
        return self.rng.choice(self.t["separators"]).join(w)

    def _spacing(self, w: str) -> str:
        return self.rng.choice([" ", "  ", " "]).join(w)

    def _repeat(self, w: str) -> str:
        rng = self.rng
        out = []
        for ch in w:
            out.append(ch * (rng.choice([2, 3, 4]) if ch.isalpha() and rng.random() < 0.35 else 1))
        return "".join(out)

    def _case_mix(self, w: str) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(w))
        return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in w)

    def _accents(self, w: str) -> str:
        table = self.t["accents"]
        rng = self.rng
        return "".join(rng.choice(table[c]) if c in table and rng.random() < 0.75 else c for c in w)

    def _zalgo(self, w: str) -> str:
        rng = self.rng
        out = []
        for ch in w:
            out.append(ch)
            for _ in range(rng.choice([1, 1, 2, 3])):
                out.append(chr(rng.randrange(0x300, 0x370)))
        return unicodedata.normalize("NFC", "".join(out)) if rng.random() < 0.3 else "".join(out)

    @staticmethod
    def _combine(w: str, mark: str) -> str:
        return "".join(ch + mark for ch in w)

    def _zero_width(self, w: str) -> str:
        return self._between(w, self.t["invisible"])

    def _between(self, w: str, chars: list[str]) -> str:
        rng = self.rng
        out = [w[0]] if w else []
        for ch in w[1:]:
            if rng.random() < 0.6:
                out.append(rng.choice(chars))
            out.append(ch)
        return "".join(out)

    def _bidi_rlo(self, w: str) -> str:
        return "\u202e" + w[::-1] + "\u202c"

    def _exotic_spaces(self, text: str) -> str:
        rng = self.rng
        spaces = self.t["spaces"]
        return re.sub(" ", lambda m: rng.choice(spaces) if rng.random() < 0.8 else " ", text)

    @staticmethod
    def _fullwidth(w: str) -> str:
        return "".join(chr(ord(c) - 0x21 + 0xFF01) if 0x21 <= ord(c) <= 0x7E else c for c in w)

    def _char(self, kind: str, ch: str) -> str:
        key = (kind, ch)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        res = _styled(kind, ch) or ch
        self._cache[key] = res
        return res

    def _map(self, w: str, kind: str) -> str:
        return "".join(self._char(kind, c) for c in w)

    def _regional(self, w: str) -> str:
        sep = self.rng.choice(["\u200c", " ", "\u2060"])
        return sep.join(self._char("regional", c) for c in w)

    def _math_fn(self, style: str) -> Callable[[str], str]:
        return lambda w: self._map(w, "math:" + style)

    def _homoglyph_fn(self, script: str) -> Callable[[str], str]:
        table = self.t["homoglyphs"][script]

        def fn(w: str) -> str:
            rng = self.rng
            out = "".join(table[c] if c in table and rng.random() < 0.7 else c for c in w)
            if out == w:  # try the other case so something changes where the script can
                out = "".join(table.get(c.upper(), table.get(c.lower(), c)) for c in w)
            return out

        return fn

    def _homoglyph_mixed(self, w: str) -> str:
        rng = self.rng
        tables = list(self.t["homoglyphs"].values())
        out = []
        for c in w:
            opts = [t[c] for t in tables if c in t]
            out.append(rng.choice(opts) if opts and rng.random() < 0.6 else c)
        return "".join(out)


def _styled(kind: str, ch: str) -> str | None:
    """One character in a Unicode letter style, by name; None when the style has no such character."""
    if not ch.isascii() or not ch.isalnum():
        return None
    up = ch.upper()
    case = "CAPITAL" if ch.isupper() else "SMALL"
    digit = _DIGIT_NAMES[int(ch)] if ch.isdigit() else None
    if kind.startswith("math:"):
        style = kind[5:]
        if digit:
            return _lookup(f"MATHEMATICAL {style} DIGIT {digit}")
        names = [f"MATHEMATICAL {style} {case} {up}", f"{style} {case} {up}"]
        if style == "FRAKTUR":
            names.append(f"BLACK-LETTER {case} {up}")
        if style == "ITALIC" and up == "H" and case == "SMALL":
            names.append("PLANCK CONSTANT")
        return _lookup(*names)
    if kind == "circled":
        return _lookup(f"CIRCLED DIGIT {digit}") if digit else _lookup(f"CIRCLED LATIN {case} LETTER {up}")
    if kind == "neg_circled":
        return None if digit else _lookup(f"NEGATIVE CIRCLED LATIN CAPITAL LETTER {up}")
    if kind == "parenthesized":
        return _lookup(f"PARENTHESIZED DIGIT {digit}") if digit else _lookup(f"PARENTHESIZED LATIN SMALL LETTER {up}")
    if kind == "squared":
        return None if digit else _lookup(f"SQUARED LATIN CAPITAL LETTER {up}")
    if kind == "neg_squared":
        return None if digit else _lookup(f"NEGATIVE SQUARED LATIN CAPITAL LETTER {up}")
    if kind == "regional":
        return None if digit else _lookup(f"REGIONAL INDICATOR SYMBOL LETTER {up}")
    if kind == "small_caps":
        return None if digit else _lookup(f"LATIN LETTER SMALL CAPITAL {up}")
    if kind == "superscript":
        if digit:
            return _lookup(f"SUPERSCRIPT {digit}")
        return _lookup(f"MODIFIER LETTER SMALL {up}", f"SUPERSCRIPT LATIN SMALL LETTER {up}",
                       f"MODIFIER LETTER CAPITAL {up}")
    if kind == "subscript":
        if digit:
            return _lookup(f"SUBSCRIPT {digit}")
        return _lookup(f"LATIN SUBSCRIPT SMALL LETTER {up}")
    return None
