"""alder's grammar: picking templates and languages, expanding slots, tidying and noising text."""

from __future__ import annotations

import re

from csewatch.synth.authors.alder.model import Ctx

_SLOT = re.compile(r"\{([^{}]+)\}")


def _lower_keep_links(text: str) -> str:
    return _apply_outside_links(text, str.lower)


def _upper_keep_links(text: str) -> str:
    return _apply_outside_links(text, str.upper)


def _apply_outside_links(text: str, fn) -> str:  # noqa: ANN001
    out, last = [], 0
    for m in re.finditer(r"https?://\S+|\S*[/#]\S*", text):
        out.append(fn(text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(fn(text[last:]))
    return "".join(out)


class GrammarMixin:
    """Template choice and expansion for ``Author`` (uses its rng, vocab and computed slots)."""

    def lang_pick(self, group: str) -> str:
        w = self.v.data["lang_weights"][group]  # type: ignore[index]
        langs = list(w)
        return self.rng.choices(langs, weights=[w[k] for k in langs])[0]

    def langs_for(self, lang: str) -> list[str]:
        if lang == "mul":
            return [self.rng.choice(["es", "pt", "id", "tl", "fr", "de", "it", "ru"]), "en"]
        return [lang]

    def slot(self, name: str, ctx: Ctx) -> list[str]:
        if len(ctx.langs) > 1:
            order = ctx.langs[:]
            self.rng.shuffle(order)
        else:
            order = ctx.langs
        for lang in order:
            lst = self.s.get(f"{name}@{lang}")
            if lst:
                return lst
        lst = self.s.get(name) or self.s.get(f"{name}@en")
        if not lst:
            raise KeyError(f"alder vocab has no slot {name!r}")
        return lst

    def expand(self, text: str, ctx: Ctx, depth: int = 0) -> str:
        if depth > 12:
            raise RecursionError(text)
        rng = self.rng

        def sub(m: re.Match) -> str:
            body = m.group(1)
            if body.endswith("?"):
                if rng.random() < 0.5:
                    return ""
                body = body[:-1]
            if "|" in body:
                return self.expand(rng.choice(body.split("|")), ctx, depth + 1)
            fn = self.dyn.get(body)
            if fn is not None:
                return fn(ctx)
            val = self.expand(rng.choice(self.slot(body, ctx)), ctx, depth + 1)
            if body in self.key_slots and val.strip():
                ctx.keys.append(val.strip())
            return val

        return _SLOT.sub(sub, text)

    @staticmethod
    def tidy(text: str) -> str:
        lines = [re.sub(r"[ \t]{2,}", " ", ln).strip() for ln in text.split("\n")]
        out = "\n".join(lines)
        out = re.sub(r"\n{3,}", "\n\n", out).strip()
        out = re.sub(r" ([,.!?])(?=\s|$)", r"\1", out)
        return out

    def render(self, template: str, lang: str, advert: bool = False, extra: dict | None = None) -> tuple[str, Ctx]:
        ctx = Ctx(langs=self.langs_for(lang), advert=advert, extra=extra or {})
        return self.tidy(self.expand(template, ctx)), ctx

    def pick_template(self, group: str, family: str, sub: str | None, lang: str) -> tuple[str, str, str]:
        """(template, subfamily, lang actually used) from templates[group][family][sub][lang]."""
        fam = self.v.templates[group][family]
        sub = sub or self.rng.choice(sorted(fam))
        per_lang = fam[sub]
        if lang not in per_lang:
            lang = "en" if "en" in per_lang and self.rng.random() < 0.5 else self.rng.choice(sorted(per_lang))
        return self.rng.choice(per_lang[lang]), sub, lang

    def noise(self, text: str, lang: str, harmful: bool) -> str:
        rng = self.rng
        words = text.split(" ")
        if rng.random() < 0.12 and len(words) > 3:
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) >= 4 and w.isalpha():
                j = rng.randrange(1, len(w) - 1)
                op = rng.random()
                if op < 0.4:
                    w = w[:j - 1] + w[j] + w[j - 1] + w[j + 1:]
                elif op < 0.7:
                    w = w[:j] + w[j + 1:]
                else:
                    w = w[:j] + w[j] + w[j:]
                words[i] = w
                text = " ".join(words)
        r = rng.random()
        if r < 0.22:
            text = _lower_keep_links(text)
        elif r < 0.26:
            text = _upper_keep_links(text)
        ctx = Ctx(langs=self.langs_for(lang))
        if rng.random() < 0.18:
            s = rng.choice(self.slot("slang", ctx))
            text = f"{s} {text}" if rng.random() < 0.4 else f"{text} {s}"
        if rng.random() < (0.3 if harmful else 0.2):
            text = f"{text} {rng.choice(self.s['tail_emoji'])}"
        if rng.random() < 0.05:
            text = text.replace(" ", "  ", 1)
        return text
