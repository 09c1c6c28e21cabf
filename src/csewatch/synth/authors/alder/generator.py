"""alder: one independent synthetic training-data author for csewatch's learned text model.

The code is the grammar and the world: accounts on three platforms, advertisers, bots, evaders and
their suspended predecessors, innocent child-photo threads with sexualising and benign replies, pet/car/
house threads, hard negatives and ordinary posts, all time-ordered over several days. Every word, template
and phrase is data in vocab/*.yaml. Templates use ``{slot}`` (a word list, looked up as ``slot@lang``
first), ``{slot?}`` (optional), ``{a|b}`` (inline choice) and a few slots computed here (prices, contact
routes, ages, hashtags, handles). Output: stream.jsonl (native csewatch), labels.jsonl, accounts.jsonl.

This module holds the ``Author`` (its state, the build plan and post creation) and ``generate``; the rest is
one concept per module, mixed into ``Author``: vocabulary.py (the YAML), model.py (records and constants),
grammar.py (template expansion and noise), slots.py (computed slots), accounts.py, adverts.py (adverts, bot
floods, evasion), threads.py (child-photo and pet/car/house threads), everyday.py (hard negatives, ordinary
posts, follows) and writer.py (the three output files)."""

from __future__ import annotations

import math
import random
from pathlib import Path

from csewatch.synth.authors.alder.accounts import AccountsMixin
from csewatch.synth.authors.alder.adverts import AdvertsMixin
from csewatch.synth.authors.alder.everyday import EverydayMixin
from csewatch.synth.authors.alder.grammar import GrammarMixin
from csewatch.synth.authors.alder.model import PLATFORMS, T0, WINDOW, Acct, Post
from csewatch.synth.authors.alder.obfuscate import Obfuscator
from csewatch.synth.authors.alder.slots import SlotsMixin
from csewatch.synth.authors.alder.threads import ThreadsMixin
from csewatch.synth.authors.alder.vocabulary import Vocab
from csewatch.synth.authors.alder.writer import WriterMixin


class Author(GrammarMixin, SlotsMixin, AccountsMixin, AdvertsMixin, ThreadsMixin, EverydayMixin, WriterMixin):
    """Builds one labelled stream for a seed."""

    def __init__(self, posts: int, seed: int):
        self.n = posts
        self.rng = random.Random(seed)
        self.v = Vocab()
        self.s = self.v.slots
        self.obf = Obfuscator(self.v.data["obfuscation"], self.rng)  # type: ignore[arg-type]
        self.key_slots = set(self.v.data["key_slots"])  # type: ignore[arg-type]
        self.posts: list[Post] = []
        self.accounts: list[Acct] = []
        self.edges: list[tuple[int, str, str, str]] = []
        self.by_role: dict[tuple[str, str], list[Acct]] = {}
        self._used: set[str] = set()
        self._media = 0
        self._ctr = 0
        self.groups = {p: [self._group_id(p) for _ in range(12)] for p in PLATFORMS}
        self.invented_tags = self._invent_tags()
        self.dyn = {
            "price": self._price, "contact": self._contact, "link": self._link, "msgid": self._msgid,
            "blink": lambda c: self._link(c, benign=True), "dm": self._dm, "inbio": self._inbio, "pinned": self._pinned,
            "agerange": self._agerange, "age": self._age,
            "n": lambda c: str(self.rng.choice([2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 50, 100])),
            "gb": lambda c: str(self.rng.choice([2, 5, 8, 10, 16, 20, 32, 40, 64, 100, 120, 250])),
            "tags": self._adv_tags, "newtag": self._newtag, "compound": self._compound,
            "mention": self._mention, "handle": lambda c: self._handle("person"), "year": self._year,
            "oldhandle": lambda c: "@" + c.extra.get("oldhandle", self._handle("adv")),
            "kidage": lambda c: str(self.rng.randint(3, 13)), "num": lambda c: str(self.rng.randint(1, 999)),
            "time": lambda c: f"{self.rng.randint(1, 12)}:{self.rng.choice(['00', '15', '30', '45'])}",
            "pct": lambda c: str(self.rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60, 70])),
            "cprice": self._plain_price,
        }

    def add_post(self, author: Acct, template: str, lang: str, label: str, family: str, sub: str, t: int,
                 harmful: bool = False, obf_rate: float = 0.0, extra: dict | None = None, **kw) -> Post:
        rng = self.rng
        text, ctx = self.render(template, lang, advert=label == "advert", extra=extra)
        text = self.noise(text, lang, harmful)
        obf = "none"
        if rng.random() < obf_rate:
            text, obf = self.obf.apply(text, ctx.keys)
        styles = [s for s in ctx.styles if not s.startswith("svc:")]
        link_style = "+".join(dict.fromkeys(styles)) or "none"
        return self._push(author, text, lang, label, family, sub, t, obf, link_style, **kw)

    def _push(self, author: Acct, text: str, lang: str, label: str, family: str, sub: str, t: int,
              obf: str = "none", link_style: str = "none", **kw) -> Post:
        p = Post(author.platform, self._new_id(author.platform, "post"), author, text[:4000], int(t), lang, label,
                 family, sub, obf, link_style, **kw)
        p.tag_lang = self.rng.random() < 0.85 and lang != "mul"
        author.n_posts += 1
        self.posts.append(p)
        return p

    def rand_t(self, lo: float = 0.0, hi: float = 1.0) -> int:
        return int(T0 + WINDOW * (lo + (hi - lo) * self.rng.random()))

    def build(self) -> None:
        rng, n = self.rng, self.n
        mix = self.v.data["mix"]
        n_adv = max(14, round(mix["advert"] * n))  # type: ignore[index]
        n_ctx = max(8, round(mix["context_reply"] * n))  # type: ignore[index]
        n_roots = max(3, round(mix["thread_root_innocent"] * n))  # type: ignore[index]
        n_ev = max(3, round(mix["evasion_announcement"] * n))  # type: ignore[index]
        n_hn = max(20, round(mix["hard_negative"] * n))  # type: ignore[index]
        n_br = max(3, round(mix["benign_reply"] * n))  # type: ignore[index]

        # benign population
        kinds = self.v.data["benign_kinds"]
        for _ in range(max(30, n // 9)):
            kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]  # type: ignore[union-attr]
            self.new_account("benign", kind)
        for _ in range(max(4, n_ctx // 4)):
            self.new_account("commenter")
        self.popular = [self._ordinary_post(self.author_of("person"), t=self.rand_t(0, 0.9)) for _ in
                        range(max(5, n // 150))]
        for p in self.popular:
            p.author.followers = max(p.author.followers, rng.randint(20_000, 2_000_000))

        # advertisers; the first few are doomed (active early, suspended, then evade)
        n_evaders = max(2, math.ceil(n_ev / 1.6))
        advs = [self.new_account("advertiser") for _ in range(max(n_evaders + 3, n_adv // 7))]
        bio_only = [self.new_account("advertiser", "bio_only") for _ in range(max(2, n_adv // 40))]
        for a in advs[:n_evaders]:
            a.early = True
        self.evaders: list[Acct] = []
        self._adverts(n_adv, advs, bio_only, n_evaders)
        self._threads(n_roots, n_ctx, n_br)
        n_hn_left = n_hn - sum(1 for p in self.posts if p.label == "hard_negative")
        self._nonhuman_threads(max(2, n_hn_left // 30))
        n_hn_left = n_hn - sum(1 for p in self.posts if p.label == "hard_negative")
        self._hard_negatives(n_hn_left)
        # the evaders' announcements
        self._evasion(n_ev)
        while len(self.posts) < n:
            if rng.random() < 0.12 and self.posts:
                self._ordinary_reply()
            else:
                self._ordinary_post(self.author_of("person"), t=self.rand_t())
        self._trim()
        self._follows()

    def _trim(self) -> None:
        """Drop surplus posts (ordinary first, then hard negatives; never one another post points at) so the
        stream holds exactly the requested count; tiny streams are padded by the family minimums first."""
        extra = len(self.posts) - self.n
        if extra <= 0:
            return
        referenced = {p.reply_to for p in self.posts} | {p.quote_of for p in self.posts} | {
            p.repost_of for p in self.posts}
        drop: set[int] = set()
        keep = {id(p) for p in self.popular}
        for label in ("ordinary", "hard_negative", "benign_reply"):
            for i in range(len(self.posts) - 1, -1, -1):
                if len(drop) >= extra:
                    break
                p = self.posts[i]
                if p.label == label and p.id not in referenced and id(p) not in keep:
                    drop.add(i)
        self.posts = [p for i, p in enumerate(self.posts) if i not in drop]


def generate(out: Path, posts: int = 20000, seed: int = 0) -> dict:
    """Write alder's labelled synthetic stream (stream.jsonl, labels.jsonl, accounts.jsonl) under ``out``;
    return the counts (posts, accounts, edges, per label, per label/family, per account role)."""
    author = Author(posts, seed)
    author.build()
    return author.write(Path(out))
