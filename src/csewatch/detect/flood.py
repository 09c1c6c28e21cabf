"""Bot floods: near-identical posts from one account, or from a ring of accounts, within minutes.

Each post's folded text, with hashtags, mentions, links and digits taken out (bots rotate them), is
reduced to its set of words (as stable CRC-32 hashes) and two MinHash values of that set. Texts
that are near-identical (word Jaccard >= 0.7) share a MinHash value with high probability, so each
value is a key of the stream's memory (``floods`` namespace: key -> recent (author, time, words,
post)); candidates met there are checked by their exact Jaccard. A post whose text is near one
posted by the same account ``min_same`` times, or by ``min_ring`` distinct accounts, inside the
window is part of a flood: every
post of the flood from then on carries the ``bot_flood`` indicator, with the earlier posts named in
the explanation. A flood is not an advert by itself (newsrooms and fans repeat themselves too): the
policy's rules combine it with what the post offers.
"""

from __future__ import annotations

import re
import zlib

from csewatch.detect import Prepared, StreamState, make_signal
from csewatch.model import Evidence, Signal

_STRIP_RE = re.compile(r"[#@]\S+|https?://\S+|\S+\.\S+/\S*|\d+")
_SPACE_RE = re.compile(r"\s+")


def shingles(text: str) -> list[int]:
    """The text's distinct words as stable 32-bit hashes (CRC-32: the same in every process)."""
    return sorted({zlib.crc32(w.encode()) for w in text.split() if len(w) >= 2})


def minhash_keys(words: list[int], n: int = 2) -> list[int]:
    """``n`` MinHash values of the word set: two texts with Jaccard similarity J share each with
    probability J, so a near-identical pair (J >= 0.8) meets under one of two keys 96% of the time."""
    return [min((w * (2 * i + 0x9E3779B1)) & 0xFFFFFFFF for w in words) for i in range(n)]


def jaccard(a: list[int], b: list[int]) -> float:
    sa, sb = set(a), set(b)
    return len(sa & sb) / max(len(sa | sb), 1)


def flood_text(folded: str) -> str:
    """What a flood keeps fixed: the folded text without tags, mentions, links and digits."""
    return _SPACE_RE.sub(" ", _STRIP_RE.sub(" ", folded)).strip()


class FloodDetector:
    name = "flood"
    version = "1"
    indicators = ("bot_flood",)

    def __init__(
        self,
        window_s: float = 900.0,
        min_jaccard: float = 0.7,
        min_same: int = 3,
        min_ring: int = 3,
        min_words: int = 4,
    ):
        self.window_s = window_s
        self.min_jaccard = min_jaccard
        self.min_same = min_same
        self.min_ring = min_ring
        self.min_words = min_words

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        post = p.post
        if not post.text or post.repost_of:
            return []
        text = flood_text(p.fold_variants("text")[0].text)
        words = shingles(text)
        if len(words) < self.min_words:
            return []
        t = post.created_at
        author = f"{post.platform}:{post.author_id}"
        mem = state.floods
        near: dict[str, tuple[str, float]] = {}  # post key -> (author, time)
        keys = [f"{post.platform}:{i}:{m:08x}" for i, m in enumerate(minhash_keys(words))]
        for key in keys:
            for a, ts, other, pkey in mem.get(key, ()):
                if 0 <= t - ts <= self.window_s and pkey != post.key and jaccard(words, other) >= self.min_jaccard:
                    near[pkey] = (a, ts)
        for key in keys:
            recent = [e for e in mem.get(key, ()) if t - e[1] <= self.window_s and e[3] != post.key][-50:]
            recent.append((author, t, words, post.key))
            mem.set(key, recent)
        same = sum(1 for a, _ts in near.values() if a == author)
        ring = len({a for a, _ts in near.values()} | {author})
        if same + 1 < self.min_same and ring < self.min_ring:
            return []
        kind = "ring" if ring >= self.min_ring else "account"
        n = len(near) + 1
        expl = (
            f"{n} near-identical posts within {self.window_s / 60:.0f} min "
            + (f"from {ring} accounts" if kind == "ring" else "from this account")
            + f" (word Jaccard >= {self.min_jaccard}; earlier: {', '.join(sorted(near)[:5])})"
        )
        ev = [Evidence(field="text", start=0, end=len(post.text), text=post.text, rule=f"flood.{kind}")]
        return [make_signal(self, p, "bot_flood", min(0.5 + 0.1 * n, 0.95), expl, ev)]
