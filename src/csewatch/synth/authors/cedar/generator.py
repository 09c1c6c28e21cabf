"""cedar: one independent synthetic author. Builds a labelled, time-ordered native csewatch stream
(accounts, posts, follows, suspensions) from the word lists and templates in ``vocab/*.yaml``; the code
holds only the grammar: slot expansion, contact routes, prices, obfuscation, threads, accounts.

Emphasis of this author: abundant hard negatives, thread structures (child-photo roots with both
sexualising and benign replies at several depths and quotes; pet/car/house roots with age questions),
bio-only advertiser accounts, buy requests and trades, and ban-evasion announcements.

This module holds the ``Author`` (its state, small helpers and the run plan) and ``generate``; the rest is one
concept per module, mixed into ``Author``: vocabulary.py (the YAML), model.py (records and the time window),
obfuscate.py (the Unicode and spelling obfuscator), grammar.py (template expansion), contacts.py (contact
routes and prices), advert_pieces.py (coded tags, compounds, menus, advert text), accounts.py, posts.py (posts,
noise, framing), adverts.py (advertisers, bot floods, evasion), threads.py (child-photo and pet/car/house
threads), everyday.py (hard negatives, ordinary posts, follows) and writer.py (the three output files)."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from csewatch.synth.authors.cedar.accounts import AccountsMixin
from csewatch.synth.authors.cedar.advert_pieces import AdvertPiecesMixin
from csewatch.synth.authors.cedar.adverts import AdvertsMixin
from csewatch.synth.authors.cedar.contacts import ContactsMixin
from csewatch.synth.authors.cedar.everyday import EverydayMixin
from csewatch.synth.authors.cedar.grammar import GrammarMixin
from csewatch.synth.authors.cedar.model import _B32, Acct, Post
from csewatch.synth.authors.cedar.obfuscate import Obfuscator
from csewatch.synth.authors.cedar.posts import PostsMixin
from csewatch.synth.authors.cedar.threads import ThreadsMixin
from csewatch.synth.authors.cedar.vocabulary import _load
from csewatch.synth.authors.cedar.writer import WriterMixin


class Author(
    GrammarMixin, ContactsMixin, AdvertPiecesMixin, AccountsMixin, PostsMixin, AdvertsMixin, ThreadsMixin,
    EverydayMixin, WriterMixin,
):
    """The cedar author: owns the random source, the vocabularies and everything generated."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.common = _load("common.yaml")
        self.contacts = _load("contacts.yaml")
        self.adv = _load("adverts.yaml")
        self.threads = _load("threads.yaml")
        self.ev = _load("evasion.yaml")
        self.hn = _load("hard_negatives.yaml")
        self.hn["families"].update(_load("hard_negatives_more.yaml")["families"])
        self.ordv = _load("ordinary.yaml")
        self.obf = Obfuscator(_load("obfuscation.yaml"), self.rng)
        self.langs = list(self.common["languages"])
        self.lang_w = [self.common["languages"][k] for k in self.langs]
        self.plats = list(self.common["platforms"])
        self.plat_w = [self.common["platforms"][k] for k in self.plats]
        self.accounts: list[Acct] = []
        self.posts: list[Post] = []
        self.edges: list[tuple[str, str, str, float]] = []
        self.used_ids: dict[str, set[str]] = {p: set() for p in self.plats}
        self.handles: set[str] = set()
        self.pool: dict[tuple[str, str], list[Acct]] = {}
        self.popular: list[Post] = []
        self.last_post: dict[str, float] = {}
        self.by_id: dict[tuple[str, str], Post] = {}
        syl = self.adv["coded"]["syllables"]
        lo, hi = self.adv["coded"]["invented_per_stream"]
        self.invented = ["".join(self.rng.choice(syl) for _ in range(self.rng.randint(2, 4)))
                         for _ in range(self.rng.randint(lo, hi))]
        self.groups = [f"grp-{self.rng.randrange(10**6, 10**7)}" for _ in range(12)]

    def ch(self, seq: list) -> Any:
        return self.rng.choice(seq)

    def lang(self, allowed: list[str] | None = None) -> str:
        if allowed:
            w = [self.common["languages"].get(k, 1) for k in allowed]
            return self.rng.choices(allowed, w)[0]
        return self.rng.choices(self.langs, self.lang_w)[0]

    def platform(self) -> str:
        return self.rng.choices(self.plats, self.plat_w)[0]

    def new_id(self, platform: str, kind: str, did: str = "") -> str:
        r = self.rng
        while True:
            if platform == "x":
                i = str(r.randrange(10**17, 10**19)) if kind == "post" else str(r.randrange(10**8, 10**18))
            elif platform == "bluesky":
                if kind == "post":
                    i = f"at://{did}/app.bsky.feed.post/3l" + "".join(r.choice(_B32) for _ in range(11))
                else:
                    i = "did:plc:" + "".join(r.choice(_B32) for _ in range(24))
            else:
                i = str(r.randrange(10**17, 10**18)) if kind == "post" else str(r.randrange(10**5, 10**9))
            if i not in self.used_ids[platform]:
                self.used_ids[platform].add(i)
                return i

    def run(self, n: int) -> None:
        r = self.rng
        target = {"advert": round(0.14 * n), "context_reply": round(0.07 * n), "evasion": round(0.03 * n),
                  "hard_negative": round(0.40 * n)}
        # popular ordinary posts first, so adverts can reply to / quote them
        made = 0
        while made < max(20, n // 50):
            made += self.ordinary()
        adverts = ann = 0
        while ann < target["evasion"]:
            a, e = self.evasion_episode()
            adverts += a
            ann += e
        while adverts < target["advert"]:
            left = target["advert"] - adverts
            adverts += self.bot_flood(left) if r.random() < 0.07 else self.advertiser_episode(left)
        ctx = 0
        while ctx < target["context_reply"]:
            c, _ = self.child_thread(harmful=True)
            ctx += c
        hn = 0
        while hn < target["hard_negative"]:
            x = r.random()
            if x < 0.08:
                _, m = self.child_thread(harmful=False)
                hn += 1  # the root; its replies are benign_reply
            elif x < 0.13:
                hn += self.nonhuman_thread()
            else:
                hn += self.hard_negative()
        while len(self.posts) < n:
            self.ordinary()
        self.trim(n)
        self.follows(n)

    def trim(self, n: int) -> None:
        """Drop surplus ordinary posts (never a reply's parent) to land on n posts."""
        surplus = len(self.posts) - n
        if surplus <= 0:
            return
        parents = {p.reply_to for p in self.posts if p.reply_to} | {p.quote_of for p in self.posts if p.quote_of}
        parents |= {p.repost_of for p in self.posts if p.repost_of}
        keep: list[Post] = []
        for p in reversed(self.posts):
            if surplus > 0 and p.label in ("ordinary", "benign_reply") and p.id not in parents and \
                    p.subfamily in ("everyday", "ordinary_thread"):
                surplus -= 1
                continue
            keep.append(p)
        keep.reverse()
        self.posts = keep


def generate(out: Path, posts: int = 20000, seed: int = 0) -> dict:
    """Write stream.jsonl, labels.jsonl and accounts.jsonl under out; returns counts."""
    author = Author(seed)
    author.run(posts)
    return author.write(Path(out))
