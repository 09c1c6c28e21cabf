"""birch's posts: the post record with its label, and template choice per family and language."""

from __future__ import annotations

import re

from csewatch.synth.authors.birch.model import _ALNUM, Account, Text

_TAG = re.compile(r"(?<![\w/&])#(\w+)")
_CAPS = {"x": 280, "bluesky": 300, "mastodon": 500}
# families whose posts stay one short line (replies, reactions, pointers)
_SHORT = {"context_reply", "benign_reply", "general_reply", "nonhuman_age_question", "bio_only", "root"}


def _hashtags(text: str) -> list[str]:
    out: list[str] = []
    for tag in _TAG.findall(text):
        if tag not in out:
            out.append(tag)
    return out


def _urls_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


class PostsMixin:
    """Posting and template choice for ``Birch``."""

    def post(
        self,
        acct: Account,
        t: float,
        txt: Text,
        label: str,
        family: str,
        sub: str,
        lang: str,
        media: int = 0,
        **rel: str | None,
    ) -> str:
        pid = self._new_id(acct.platform, "post")
        t = int(t)
        obj: dict = {
            "type": "post",
            "id": pid,
            "platform": acct.platform,
            "author_id": acct.id,
            "text": txt.text,
            "created_at": t,
            "hashtags": _hashtags(txt.text),
            "urls": txt.urls,
            "media": [{"id": f"m{self._rand(_ALNUM, 12)}", "kind": "image"} for _ in range(media)],
        }
        for k, v in rel.items():
            if v is not None:
                obj[k] = v
        post_lang = "mul" if lang == "mix" else lang
        if lang != "mix" and self.rng.random() < 0.9:
            obj["lang"] = post_lang
        self._emit(t, obj)
        self.labels.append(
            {
                "platform": acct.platform,
                "id": pid,
                "label": label,
                "family": family,
                "subfamily": sub,
                "lang": post_lang,
                "obfuscation": txt.obfuscation,
                "link_style": txt.link_style,
            }
        )
        self.post_count += 1
        return pid

    def templates(self, file: str, family: str, sub: str | None = None) -> tuple[str, dict[str, list[str]]]:
        fam = self.v[file]["templates"][family]
        sub = sub or self.rng.choice(sorted(fam))
        return sub, fam[sub]

    def tpl_text(
        self,
        file: str,
        family: str,
        sub: str | None,
        obf_p: float,
        harmful: bool,
        platform: str,
        lang: str | None = None,
        tail: str | None = None,
    ) -> tuple[str, str, Text]:
        sub, by_lang = self.templates(file, family, sub)
        langs = sorted(by_lang)
        if lang is None or lang not in by_lang:
            lang = self._pick_lang(langs)
        template = self.rng.choice(by_lang[lang])
        if lang != "mix" and len(langs) > 2 and self.rng.random() < 0.07:
            # a mixed-language post: this template's frame, slot words drawn from several languages
            other = self.rng.choice([x for x in langs if x != lang])
            template += self.rng.choice([" ", "\n", " / "]) + self.rng.choice(by_lang[other])
            lang = "mix"
        cap = _CAPS[platform]
        if platform != "x" and family not in _SHORT and self.rng.random() < 0.3:
            # Bluesky/Mastodon-style longer post: more paragraphs of the same family and language
            fam = self.v[file]["templates"][family]
            extra = [t for s2 in sorted(fam) for t in fam[s2].get(lang, []) if t != template]
            parts = [template] + self.rng.sample(extra, k=min(len(extra), self.rng.randint(1, 3)))
            while len(parts) > 1:
                saved = self.rng.getstate()
                txt = self.compose("\n\n".join(parts), lang, obf_p, harmful, platform, tail)
                if len(txt.text) <= cap:
                    return sub, lang, txt
                self.rng.setstate(saved)
                parts.pop()
        txt = self.compose(template, lang, obf_p, harmful, platform, tail)
        return sub, lang, txt
