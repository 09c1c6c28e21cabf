"""birch's composition: a filled template turned into the posted text (obfuscation of the marked
indicator words, noise and typos, protected links)."""

from __future__ import annotations

import re

from csewatch.synth.authors.birch.model import _MARKS, KC, KO, PC, PO, Text

_SEG = re.compile(r"\x01(.*?)\x02|\x03(.*?)\x04", re.S)
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_CYRILLIC_ONLY = ("translit", "homoglyph_latin_in_cyrillic")
# transforms that also disguise Cyrillic words
_ANY_SCRIPT = _CYRILLIC_ONLY * 3 + (
    "spacing",
    "separators",
    "zero_width",
    "invisible_chars",
    "bidi_rlo",
    "bidi_marks",
    "exotic_spaces",
    "repeated_letters",
    "case_mixing",
    "zalgo",
    "strikethrough",
)
# whole-text styling is plausible for these (people post entire lines in fancy letters)
_WHOLE = (
    "fullwidth",
    "math_bold",
    "math_script",
    "math_fraktur",
    "math_double_struck",
    "math_sans_bold",
    "math_monospace",
    "math_bold_italic",
    "circled",
    "small_caps",
    "homoglyph_cyrillic",
    "homoglyph_greek",
    "zero_width",
    "case_mixing",
    "accents",
    "strikethrough",
    "squared",
    "negative_squared",
)


def _split(raw: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _SEG.finditer(raw):
        if m.start() > pos:
            out.append(("plain", raw[pos : m.start()]))
        out.append(("key", m.group(1)) if m.group(1) is not None else ("prot", m.group(2)))
        pos = m.end()
    if pos < len(raw):
        out.append(("plain", raw[pos:]))
    return out


def _join(segs: list[tuple[str, str]]) -> str:
    parts = []
    for kind, s in segs:
        # obfuscated ("done") text is protected from the later noise pass, like links
        parts.append(KO + s + KC if kind == "key" else PO + s + PC if kind in ("prot", "done") else s)
    return "".join(parts)


class ComposeMixin:
    """Text composition for ``Birch``."""

    def compose(
        self, template: str, lang: str, obf_p: float, harmful: bool, platform: str, long_tail: str | None = None
    ) -> Text:
        self.ctx = {k: v for k, v in self.ctx.items() if k in ("old_handle", "compound_style")}
        raw = self.fill(template, lang)
        if long_tail and platform != "x" and self.rng.random() < 0.35:
            raw += "\n\n" + self.fill(self.word(long_tail, lang), lang)
        obf = "none"
        if self.rng.random() < obf_p:
            raw, obf = self._obfuscate(raw, harmful)  # "none" when nothing could be touched (emoji, other scripts)
        text = self._noise(raw, platform)
        text = _MARKS.sub("", text).strip()
        urls = [u for u in self.ctx.get("urls", []) if u in text]
        return Text(text, obf, self.ctx.get("link_style", "none"), urls)

    def _obfuscate(self, raw: str, harmful: bool) -> tuple[str, str]:
        if _CYRILLIC.search(raw) and self.rng.random() < 0.6:
            names = [self.rng.choice(_ANY_SCRIPT)]
        else:
            names = [self.rng.choice([n for n in self.obf_names if n not in _CYRILLIC_ONLY])]
        if harmful and self.rng.random() < 0.25:
            second = self.rng.choice(
                [
                    "zero_width",
                    "leetspeak",
                    "case_mixing",
                    "bidi_marks",
                    "invisible_chars",
                    "homoglyph_cyrillic",
                    "separators",
                ]
            )
            if second not in names:
                names.append(second)
        self._effective = set()
        whole = names[0] in _WHOLE and self.rng.random() < 0.3
        segs = _split(raw)
        keys = [i for i, (k, _) in enumerate(segs) if k == "key"]
        if not keys and not whole:
            # no marked indicator: disguise one or two of the longest words
            out = []
            for kind, s in segs:
                if kind == "plain":
                    words = re.split(r"(\s+)", s)
                    longest = sorted(range(0, len(words), 2), key=lambda i: -len(words[i]))[: self.rng.randint(1, 2)]
                    for i in longest:
                        if len(words[i]) > 3 and not words[i].startswith("#"):
                            words[i] = self._apply(names, words[i])
                    s = "".join(words)
                    kind = "done"
                out.append((kind, s))
            segs = out
        out2 = []
        for kind, s in segs:
            if kind == "key" or (whole and kind == "plain"):
                s = (
                    self._apply(names, s)
                    if kind == "key"
                    else "\n".join(self._apply(names[:1], ln) for ln in s.split("\n"))
                )
                kind = "done"
            out2.append((kind, s))
        return _join(out2), "+".join(n for n in names if n in self._effective) or "none"

    def _apply(self, names: list[str], s: str) -> str:
        for name in names:
            out = self.ob.apply(name, s, self.rng)
            if out != s:
                self._effective.add(name)
            s = out
        return s

    def _noise(self, raw: str, platform: str) -> str:
        segs = _split(raw)
        r = self.rng.random()
        out = []
        for kind, s in segs:
            if kind == "plain":
                if r < 0.08:
                    s = s.lower()
                elif r < 0.11:
                    s = s.upper()
                if self.rng.random() < 0.12:
                    s = self._typo(s)
            out.append((kind, s))
        text = _join(out)
        if self.rng.random() < 0.15:
            text += self.rng.choice([" ", "  ", "\n"]) + self.word("noise_emoji", "any")
        if platform == "x" and self.rng.random() < 0.06:
            text = self.s_handle("en") + " " + text
        elif platform == "mastodon" and len(text) > 60 and self.rng.random() < 0.06:
            text = "CW: " + self.word("cw_topics", "any") + "\n\n" + text
        elif platform == "bluesky" and "\n\n" in text and self.rng.random() < 0.3:
            text = self.word("thread_marks", "any") + " " + text
        return text

    def _typo(self, s: str) -> str:
        idx = [i for i in range(1, len(s) - 1) if s[i].isalpha() and s[i - 1].isalpha() and s[i + 1].isalpha()]
        if not idx:
            return s
        i = self.rng.choice(idx)
        op = self.rng.randrange(3)
        if op == 0:
            return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
        if op == 1:
            return s[:i] + s[i + 1 :]
        return s[:i] + s[i] + s[i:]
