"""cedar's posts: the post record, its time, noise, framing and obfuscation of harmful posts."""

from __future__ import annotations

import re
from typing import Any

from csewatch.synth.authors.cedar.model import T0, T_END, Acct, Post


class PostsMixin:
    """Posting for ``Author``."""

    def post(self, author: Acct, text: str, t: float, label: str, family: str, subfamily: str, lang: str,
             **kw: Any) -> Post:
        pid = self.new_id(author.platform, "post", author.id)
        t = max(t, author.created_at + 60)
        parent = self.by_id.get((author.platform, kw.get("reply_to") or ""))
        if parent is not None and self.rng.random() < (0.6 if author.platform == "x" else 0.25):
            text = "@" + parent.author.handle.split("@")[0].removesuffix(".bsky.social") + " " + text
        p = Post(author.platform, pid, author, text, t, label, family, subfamily, lang, **kw)
        self.posts.append(p)
        self.by_id[(p.platform, pid)] = p
        self.last_post[author.id] = max(self.last_post.get(author.id, 0.0), t)
        return p

    def time_in(self, lo: float = T0, hi: float = T_END) -> float:
        return self.rng.uniform(lo, max(lo + 1, hi))

    def noise(self, text: str, lang: str) -> str:
        r = self.rng
        x = r.random()
        if x < 0.12:
            words = [m for m in re.finditer(r"(?<!\S)[a-zA-Z]{5,}(?!\S)", text)]
            if words:
                m = r.choice(words)
                w = m.group(0)
                i = r.randrange(len(w) - 1)
                w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
                text = text[: m.start()] + w + text[m.end():]
        elif x < 0.2 and "http" not in text:
            text = text.lower()
        elif x < 0.25:
            text = text.upper() if "http" not in text else text
        elif x < 0.33:
            text = text.replace(", ", ",\n", 1)
        if r.random() < 0.12:
            text += " " + self.ch(self.common["emoji"]["happy"])
        return text

    def frame(self, text: str, lang: str) -> str:
        """Light benign framing (prefix or suffix) for everyday and look-alike posts."""
        fr = self.common["frames"]
        x = self.rng.random()
        if x < 0.15:
            lst, _ = self.pick_lang_list(fr["prefix"], lang)
            return self.ch(lst) + text[:1].lower() + text[1:] if text[:1].isalpha() else self.ch(lst) + text
        if x < 0.3:
            lst, _ = self.pick_lang_list(fr["suffix"], lang)
            return text + self.ch(lst)
        return text

    def harmful_obf(self, p: Post, keywords: list[str] | None = None, rate: float = 0.45) -> None:
        if self.rng.random() < rate:
            p.text, p.obfuscation = self.obf.text(p.text, keywords=keywords)
            if self.rng.random() < 0.15:  # a second, different layer
                p.text, second = self.obf.text(p.text, keywords=keywords)
                if second != "none" and p.obfuscation != "none":
                    p.obfuscation = f"{p.obfuscation}+{second}"
