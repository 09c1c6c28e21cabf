"""cedar's obfuscator: Unicode and spelling disguises of indicator words, from the tables in vocab/obfuscation.yaml."""

from __future__ import annotations

import random
import re
import string
import unicodedata

_WORD = re.compile(r"[^\W\d_]{3,}")
_ANY_SCRIPT = ("separators", "spacing", "repeat", "case_mix", "zalgo", "strike", "zero_width", "bidi", "exotic_space")


class Obfuscator:
    """Unicode and spelling obfuscations, each implemented here from the tables in obfuscation.yaml."""

    def __init__(self, table: dict, rng: random.Random) -> None:
        self.t = table
        self.rng = rng
        self.invisible = [unicodedata.lookup(n) for n in table["invisible"]]
        self.spaces = [unicodedata.lookup(n) for n in table["exotic_spaces"]]
        self.marks = [unicodedata.lookup(n) for n in table["bidi_marks"]]
        self.sets: dict[str, dict[str, str]] = {}
        for name, (cap, small) in table["letter_sets"].items():
            self.sets[name] = self._letter_map(cap, small)
        for style in table["math_styles"]:
            self.sets["math_" + style] = self._letter_map(
                f"MATHEMATICAL {style} CAPITAL {{L}}", f"MATHEMATICAL {style} SMALL {{L}}"
            )
        self.techniques = list(table["weights"])
        self.weights = [table["weights"][k] for k in self.techniques]

    @staticmethod
    def _letter_map(cap: str, small: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for letter in string.ascii_uppercase:
            for pattern, key in ((cap, letter), (small, letter.lower())):
                try:
                    out[key] = unicodedata.lookup(pattern.replace("{L}", letter))
                except KeyError:
                    continue
            if letter.lower() not in out and letter in out:
                out[letter.lower()] = out[letter]
        return out

    def pick(self, benign: bool = False) -> str:
        if benign:
            return self.rng.choice(self.t["benign_styles"])
        return self.rng.choices(self.techniques, self.weights)[0]

    def word(self, w: str, tech: str) -> tuple[str, str]:
        """(obfuscated word, technique label); a draw that changed nothing is retried once at full rate."""
        out, label = self._word(w, tech, 0.6)
        if out == w:
            out, label = self._word(w, tech, 1.0)
        return out, label

    def _word(self, w: str, tech: str, rate: float) -> tuple[str, str]:
        r = self.rng
        if tech == "leet":
            return "".join(r.choice(self.t["leet"][c.lower()]) if c.lower() in self.t["leet"] and r.random() < rate
                           else c for c in w), tech
        if tech == "separators":
            sep = r.choice(self.t["separators"])
            return sep.join(w), tech
        if tech == "spacing":
            return " ".join(w), tech
        if tech == "repeat":
            i = r.randrange(len(w))
            return w[: i + 1] + w[i] * r.randint(1, 4) + w[i + 1:], tech
        if tech == "case_mix":
            return "".join(c.upper() if i % 2 == r.randint(0, 1) else c.lower() for i, c in enumerate(w)), tech
        if tech == "accents":
            return "".join(r.choice(self.t["accents"][c]) if c in self.t["accents"] and r.random() < rate else c
                           for c in w), tech
        if tech == "zalgo":
            return "".join(c + "".join(chr(r.randint(0x300, 0x36F)) for _ in range(r.randint(1, 3))) for c in w), tech
        if tech == "strike":
            mark = "\u0336" if r.random() < 0.7 else "\u0335"
            return "".join(c + mark for c in w), tech
        if tech == "zero_width":
            inv = r.choice(self.invisible)
            return inv.join(w) if r.random() < 0.5 else w[:1] + inv + w[1:], tech
        if tech == "bidi":
            if r.random() < 0.6:
                return "\u202e" + w[::-1] + "\u202c", "bidi_rlo"
            m = r.choice(self.marks)
            return m.join(w), "bidi_marks"
        if tech == "exotic_space":
            return r.choice(self.spaces).join(w), tech
        if tech == "math":
            style = r.choice(self.t["math_styles"])
            m = self.sets["math_" + style]
            return "".join(m.get(c, c) for c in w), "math_" + style.lower().replace(" ", "_").replace("-", "_")
        if tech in self.sets:
            m = self.sets[tech]
            return "".join(m.get(c, m.get(c.upper(), c)) for c in w), tech
        if tech in ("small_caps", "superscript", "subscript"):
            m = self.t[tech]
            return "".join(m.get(c.lower(), c) for c in w), tech
        if tech.startswith("homoglyph_"):
            m = self.t["homoglyphs"][tech.split("_", 1)[1]]
            return "".join(m[c] if c in m and r.random() < rate else c for c in w), tech
        return w, "none"

    def text(self, text: str, benign: bool = False, keywords: list[str] | None = None) -> tuple[str, str]:
        """Obfuscate some words of text (never links, tags or mentions); returns (text, label)."""
        tech = self.pick(benign)
        tokens = re.split(r"(\s+)", text)
        cand = [i for i, tok in enumerate(tokens) if _WORD.fullmatch(tok)]
        if not cand:
            return text, "none"
        keys = {k.lower() for k in (keywords or [])}
        pref = [i for i in cand if tokens[i].lower() in keys]
        whole = tech in ("fullwidth", "math", "small_caps", "case_mix") and self.rng.random() < 0.35
        if whole:
            chosen = cand
        else:
            pool = pref or cand
            chosen = self.rng.sample(pool, min(len(pool), self.rng.randint(1, 3)))
        label = "none"
        for i in sorted(chosen):
            t = tech
            if not tokens[i].isascii() and tech not in _ANY_SCRIPT:
                t = self.rng.choice(_ANY_SCRIPT[:4] if benign else _ANY_SCRIPT)
            tokens[i], label = self.word(tokens[i], t)
        out = "".join(tokens)
        return (out, label) if out != text else (text, "none")
