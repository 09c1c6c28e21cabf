"""birch: text obfuscation transforms (leet, separators, invisibles, bidi, styled Unicode letters, look-alikes).

Character tables come from vocab/obfuscation.yaml as Unicode character names, resolved here once with
``unicodedata.lookup``. Every transform takes a word and a ``random.Random`` and returns the disguised word.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable

_DIGITS = ("ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE")


def _lookup(name: str) -> str | None:
    try:
        return unicodedata.lookup(name)
    except KeyError:
        return None


def _names(names: list[str]) -> list[str]:
    return [c for c in (_lookup(n) for n in names) if c]


class Obfuscator:
    """All transforms, built from the obfuscation vocabulary."""

    def __init__(self, data: dict) -> None:
        self.leet: dict[str, list[str]] = data["leet"]
        self.separators: list[str] = data["separators"]
        self.accents: dict[str, list[str]] = data["accents"]
        self.zalgo = _names(data["combining_zalgo"])
        self.strike = _names(data["combining_strike"])
        self.zero_width = _names(data["zero_width"])
        self.invisible = _names(data["invisible"])
        self.bidi_marks = _names(data["bidi_marks"])
        self.spaces = _names(data["exotic_spaces"])
        self.rlo = unicodedata.lookup("RIGHT-TO-LEFT OVERRIDE")
        self.pdf = unicodedata.lookup("POP DIRECTIONAL FORMATTING")
        self.rli = unicodedata.lookup("RIGHT-TO-LEFT ISOLATE")
        self.pdi = unicodedata.lookup("POP DIRECTIONAL ISOLATE")
        self.styles: dict[str, dict[str, str]] = {name: self._style(spec) for name, spec in data["styles"].items()}
        self.homoglyphs: dict[str, dict[str, str]] = {
            script: {k: c for k, c in ((k, _lookup(v)) for k, v in table.items()) if c}
            for script, table in data["homoglyphs"].items()
        }
        self.transforms: dict[str, Callable[[str, random.Random], str]] = {
            "leetspeak": self.t_leet,
            "separators": self.t_separators,
            "spacing": self.t_spacing,
            "repeated_letters": self.t_repeat,
            "case_mixing": self.t_case,
            "accents": self.t_accents,
            "zalgo": self.t_zalgo,
            "strikethrough": self.t_strike,
            "zero_width": self.t_zero_width,
            "invisible_chars": self.t_invisible,
            "bidi_rlo": self.t_bidi_rlo,
            "bidi_marks": self.t_bidi_marks,
            "exotic_spaces": self.t_exotic_spaces,
            "fullwidth": self.t_fullwidth,
        }
        self.translit: dict[str, str] = data["translit"]
        self.transforms["translit"] = self.t_translit
        for name in self.styles:
            self.transforms[name] = self._styled(name)
        for script in self.homoglyphs:
            self.transforms[f"homoglyph_{script}"] = self._homoglyph(script)

    @staticmethod
    def _style(spec: dict) -> dict[str, str]:
        table: dict[str, str] = {}
        for i in range(26):
            up = chr(ord("A") + i)
            for case, src in (("lower", up.lower()), ("upper", up)):
                for pattern in spec.get(case, []):
                    c = _lookup(pattern.replace("{L}", up))
                    if c:
                        table[src] = c
                        break
        for d, word in enumerate(_DIGITS):
            for pattern in spec.get("digit", []):
                c = _lookup(pattern.replace("{D}", word))
                if c:
                    table[str(d)] = c
                    break
        return table

    # --- transforms -------------------------------------------------------------------------------------
    def t_leet(self, w: str, rng: random.Random) -> str:
        out = []
        for ch in w:
            subs = self.leet.get(ch.lower())
            out.append(rng.choice(subs) if subs and rng.random() < 0.7 else ch)
        return "".join(out)

    def t_separators(self, w: str, rng: random.Random) -> str:
        sep = rng.choice(self.separators)
        return sep.join(w) if rng.random() < 0.6 else _sprinkle(w, lambda: sep, rng, 0.4)

    def t_spacing(self, w: str, rng: random.Random) -> str:
        return (" " if rng.random() < 0.7 else "  ").join(w)

    def t_repeat(self, w: str, rng: random.Random) -> str:
        out = []
        for ch in w:
            out.append(ch * rng.randint(2, 4) if ch.isalpha() and rng.random() < 0.35 else ch)
        return "".join(out)

    def t_case(self, w: str, rng: random.Random) -> str:
        if rng.random() < 0.5:
            return "".join(c.upper() if i % 2 else c.lower() for i, c in enumerate(w))
        return "".join(c.upper() if rng.random() < 0.5 else c.lower() for c in w)

    def t_accents(self, w: str, rng: random.Random) -> str:
        out = []
        for ch in w:
            subs = self.accents.get(ch.lower())
            out.append(rng.choice(subs) if subs and rng.random() < 0.6 else ch)
        return "".join(out)

    def t_zalgo(self, w: str, rng: random.Random) -> str:
        return "".join(ch + "".join(rng.choice(self.zalgo) for _ in range(rng.randint(1, 4))) for ch in w)

    def t_strike(self, w: str, rng: random.Random) -> str:
        mark = rng.choice(self.strike)
        return "".join(ch + mark for ch in w)

    def t_zero_width(self, w: str, rng: random.Random) -> str:
        return _sprinkle(w, lambda: rng.choice(self.zero_width), rng, 0.6)

    def t_invisible(self, w: str, rng: random.Random) -> str:
        return _sprinkle(w, lambda: rng.choice(self.invisible), rng, 0.5)

    def t_bidi_rlo(self, w: str, rng: random.Random) -> str:
        opener, closer = (self.rlo, self.pdf) if rng.random() < 0.7 else (self.rli + self.rlo, self.pdf + self.pdi)
        return opener + w[::-1] + closer

    def t_bidi_marks(self, w: str, rng: random.Random) -> str:
        return _sprinkle(w, lambda: rng.choice(self.bidi_marks), rng, 0.5)

    def t_exotic_spaces(self, w: str, rng: random.Random) -> str:
        sp = rng.choice(self.spaces)
        return sp.join(w)

    def t_fullwidth(self, w: str, rng: random.Random) -> str:
        return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in w)

    def t_translit(self, w: str, rng: random.Random) -> str:
        out = []
        for c in w:
            t = self.translit.get(c.lower())
            out.append(c if t is None else (t.upper() if c.isupper() else t))
        return "".join(out)

    def _styled(self, name: str) -> Callable[[str, random.Random], str]:
        table = self.styles[name]

        def apply(w: str, rng: random.Random) -> str:
            if not any(c in table for c in w):
                return w  # another script: nothing to restyle
            sep = "\u200b" if name == "regional" and rng.random() < 0.5 else ""
            return sep.join(table.get(c, c) for c in w)

        return apply

    def _homoglyph(self, script: str) -> Callable[[str, random.Random], str]:
        table = self.homoglyphs[script]

        def apply(w: str, rng: random.Random) -> str:
            src = w.upper() if script == "cherokee" else w
            hits = [i for i, c in enumerate(src) if c in table]
            if not hits:
                return w  # another script: no look-alikes to swap in
            keep = {i for i in hits if rng.random() >= 0.75} - {rng.choice(hits)}
            return "".join(table[c] if i in hits and i not in keep else c for i, c in enumerate(src))

        return apply

    # --- entry points -----------------------------------------------------------------------------------
    def names(self) -> list[str]:
        """Transform names in a fixed order."""
        return list(self.transforms)

    def apply(self, name: str, word: str, rng: random.Random) -> str:
        """Disguise one word (or phrase) with the named transform; spaces inside a phrase are kept."""
        fn = self.transforms[name]
        if name in ("spacing", "exotic_spaces", "separators", "bidi_rlo"):
            return fn(word, rng)
        return " ".join(fn(part, rng) if part else part for part in word.split(" "))


def _sprinkle(w: str, pick: Callable[[], str], rng: random.Random, p: float) -> str:
    if len(w) < 2:
        return w
    out = [w[0]]
    inserted = False
    for ch in w[1:]:
        if rng.random() < p:
            out.append(pick())
            inserted = True
        out.append(ch)
    if not inserted:
        out.insert(1, pick())
    return "".join(out)
