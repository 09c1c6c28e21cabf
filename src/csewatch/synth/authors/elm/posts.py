"""elm's posts: the stream event, noise, the post with its label, times and mixing of languages."""

from __future__ import annotations

import re
from typing import Any

from csewatch.synth.authors.elm.model import LANGS, SPAN, START, Acct, PostRef

TAG_RE = re.compile(r"#(\w+)")
URL_RE = re.compile(r"https?://[^\s]+")


class PostsMixin:
    """Posting for ``Author``."""

    def _emit(self, t: int, obj: dict) -> None:
        self.seq += 1
        self.events.append((t, self.seq, obj))

    def noise(self, text: str) -> str:
        rng = self.rng
        r = rng.random()
        if "://" in text and r < 0.16:
            return text
        if r < 0.06:
            return text.upper()
        if r < 0.16:
            return text.lower()
        if r < 0.26:
            words = text.split(" ")
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 3 and w.isalpha():
                j = rng.randrange(len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.6 else w[:j] + w[j + 1:]
            return " ".join(words)
        if r < 0.3:
            return text + rng.choice([" lol", " !!", " ...", " 🙏", " pls", " wkwk", " haha", " 😅", " ya"])
        return text

    def post(self, author: Acct, text: str, t: int, label: str, family: str, subfamily: str, lang: str,
             obf: str | None = None, link_style: str = "none", reply_to: PostRef | None = None,
             quote_of: PostRef | None = None, repost_of: PostRef | None = None, group: str | None = None,
             media: bool = False, mixed: bool = False) -> PostRef:
        rng = self.rng
        pid = self._new_id(author.platform, "post")
        obj: dict[str, Any] = {"type": "post", "id": pid, "platform": author.platform, "author_id": author.id,
                               "text": text, "created_at": t,
                               "hashtags": list(dict.fromkeys(TAG_RE.findall(text))),
                               "urls": list(dict.fromkeys(u.rstrip(".,)") for u in URL_RE.findall(text))),
                               "media": [{"id": f"m{pid[-10:]}{rng.randint(0, 9)}", "kind": "image"}] if media else []}
        if reply_to is not None:
            if reply_to.platform != author.platform:
                raise ValueError("cross-platform reply")
            obj["reply_to"] = reply_to.id
            obj["reply_root"] = self.root_of.get(reply_to.id, reply_to.id)
        if quote_of is not None:
            obj["quote_of"] = quote_of.id
        if repost_of is not None:
            obj["repost_of"] = repost_of.id
        if group:
            obj["group_id"] = group
        if not mixed and rng.random() < 0.88:
            obj["lang"] = lang
        self._emit(t, obj)
        self._lang_of[pid] = lang
        ref = PostRef(author.platform, pid, t, author, text)
        if reply_to is not None:
            self.root_of[pid] = obj["reply_root"]
        self.count[label] = self.count.get(label, 0) + 1
        self.labels.append({"platform": author.platform, "id": pid, "label": label, "family": family,
                            "subfamily": subfamily, "lang": "mixed" if mixed else lang, "obfuscation": obf or "none",
                            "link_style": link_style})
        return ref

    def _t(self, lo: int = START, hi: int = START + SPAN) -> int:
        return self.rng.randint(lo, max(lo, hi))

    def _harm_obf(self) -> str | None:
        return self.obf.pick(self.rng) if self.rng.random() < 0.35 else None

    def _mix(self, text: str, lang: str) -> tuple[str, bool]:
        if self.rng.random() >= 0.05:
            return text, False
        other = self.rng.choice([x for x in LANGS if x != lang])
        tail = self.rng.choice(self.common["contact_words"][other])
        return f"{text} {tail}", True
