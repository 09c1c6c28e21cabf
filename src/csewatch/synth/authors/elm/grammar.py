"""elm's grammar: template expansion (slots, optional slots, inline alternatives) and rendering."""

from __future__ import annotations

import re

SLOT_RE = re.compile(r"\{(\w+)(\?)?\}")
ALT_RE = re.compile(r"\[([^\[\]{}]*\|[^\[\]{}]*)\]")


class GrammarMixin:
    """Template expansion and rendering for ``Author``."""

    def expand(self, text: str, depth: int = 0) -> str:
        rng = self.rng
        text = ALT_RE.sub(lambda m: rng.choice(m.group(1).split("|")), text)

        def rep(m: re.Match) -> str:
            name, opt = m.group(1), m.group(2)
            if opt and rng.random() < 0.5:
                return ""
            special = getattr(self, "s_" + name, None)
            if special is not None:
                return special()
            key = name.lower() if name[0].isupper() else name
            v = self.expand(rng.choice(self.lookup(key)), depth + 1) if depth < 6 else key
            if name[0].isupper():
                v = v[:1].upper() + v[1:]
            if key in self.obf_slots and self.cur_obf and rng.random() < 0.75:
                v = self.obf.apply(self.cur_obf, v, rng)
                self.obf_done = True
            return v

        return SLOT_RE.sub(rep, text)

    def render(self, template: str, lang: str, obf: str | None) -> str:
        self.cur_lang, self.cur_obf, self.obf_done = lang, obf, False
        self.cur_style = "none"
        text = self.expand(template)
        if obf and not self.obf_done:
            text = self._obf_word(text, obf)
        return re.sub(r"[ \t]{2,}", " ", text).strip() if not obf or "spac" not in obf else text.strip()

    def _obf_word(self, text: str, obf: str) -> str:
        words = text.split(" ")
        prefer = {"cp", "pizza", "cheese", "leak", "leaks", "folder", "collection", "young", "teen", "minor", "pack",
                  "cp2077", "ЦП", "цп", "link", "links", "old", "age", "how"}
        idx = [i for i, w in enumerate(words) if w.lower().strip("?!.,#") in prefer]
        if not idx:
            idx = [i for i, w in enumerate(words) if len(w) >= 3 and "/" not in w and "." not in w[1:-1]]
        if not idx:
            return text
        i = self.rng.choice(idx)
        words[i] = self.obf.apply(obf, words[i], self.rng)
        return " ".join(words)

    def pick_template(self, family_tpls: dict, lang: str) -> tuple[str, str]:
        """(template, lang actually used)."""
        pool = family_tpls.get(lang) or []
        star = family_tpls.get("*") or []
        if pool and star:
            return (self.rng.choice(pool), lang) if self.rng.random() < 0.6 else (self.rng.choice(star), lang)
        if pool:
            return self.rng.choice(pool), lang
        if star:
            return self.rng.choice(star), lang
        return self.rng.choice(family_tpls["en"]), "en"
