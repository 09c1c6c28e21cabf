"""cedar's grammar: template expansion (slots, optional slots, inline alternatives) per language."""

from __future__ import annotations

import re

_SLOT = re.compile(r"\{(\w+)(\?)?\}")
_ALT = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")


class GrammarMixin:
    """Template expansion for ``Author``."""

    def expand(self, template: str, lang: str, slots: dict, fills: dict | None = None, depth: int = 0) -> str:
        """Expand {slot}, {slot?} and [a|b] in template; fills are code-made values (callables or str)."""
        fills = fills or {}
        lang_slots = slots.get("lang_slots", {}).get(lang, {})
        shared = slots.get("slots", {})
        en_slots = slots.get("lang_slots", {}).get("en", {})
        held: list[str] = []
        text = _ALT.sub(lambda m: self.ch(m.group(1).split("|")), template)

        def sub(m: re.Match) -> str:
            name, opt = m.group(1), m.group(2)
            if opt and self.rng.random() < 0.5:
                return ""
            if name in fills:
                v = fills[name]
                held.append(v() if callable(v) else str(v))
                return f"\x00{len(held) - 1}\x00"
            for src in (lang_slots, shared, en_slots):
                if name in src and src[name]:
                    val = str(self.ch(src[name]))
                    return self.expand(val, lang, slots, fills, depth + 1) if depth < 6 else val
            return m.group(0)

        text = _SLOT.sub(sub, text)
        text = re.sub("\x00(\\d+)\x00", lambda m: held[int(m.group(1))], text)
        return re.sub(r"[ \t]{2,}", " ", text).strip()

    def pick_lang_list(self, by_lang: dict, lang: str) -> tuple[list, str]:
        if by_lang.get(lang):
            return by_lang[lang], lang
        if "all" in by_lang:
            return by_lang["all"], lang
        if by_lang.get("en"):
            return by_lang["en"], "en"
        k = next(k for k, v in by_lang.items() if v)
        return by_lang[k], k
