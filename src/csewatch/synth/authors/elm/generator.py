"""elm author: writes a labelled synthetic stream (native csewatch JSONL) of CSAM-advert indicators,
sexualising context replies, ban-evasion announcements, many hard negatives and ordinary posts.
Words, templates and character data are in vocab/*.yaml; the code is the grammar: accounts, threads,
bot floods, evasion chains, contact-route and price styles, noise and obfuscation, and the labels.

This module holds the ``Author`` (its state and the run plan) and ``generate``; the rest is one concept per
module, mixed into ``Author``: vocabulary.py (the YAML and the per-language slot table), model.py (records and
constants), grammar.py (template expansion and rendering), slots.py (code-made slots: contact routes, prices,
tags, ages), accounts.py (accounts and pools), posts.py (posts, noise, times), everyday.py (hard negatives,
pet/car/house threads, ordinary posts, follows), threads.py (child-photo threads), adverts.py (adverts, bot
floods, evasion) and writer.py (the three output files)."""

from __future__ import annotations

import random
from pathlib import Path

from csewatch.synth.authors.elm.accounts import AccountsMixin
from csewatch.synth.authors.elm.adverts import AdvertsMixin
from csewatch.synth.authors.elm.everyday import EverydayMixin
from csewatch.synth.authors.elm.grammar import GrammarMixin
from csewatch.synth.authors.elm.model import LANG_W, LANGS, PLATFORMS, SPAN, START, Acct, PostRef
from csewatch.synth.authors.elm.obfuscate import Obfuscator
from csewatch.synth.authors.elm.posts import PostsMixin
from csewatch.synth.authors.elm.slots import SlotsMixin
from csewatch.synth.authors.elm.threads import ThreadsMixin
from csewatch.synth.authors.elm.vocabulary import VocabMixin, _load
from csewatch.synth.authors.elm.writer import WriterMixin


class Author(
    VocabMixin, GrammarMixin, SlotsMixin, AccountsMixin, PostsMixin, EverydayMixin, ThreadsMixin, AdvertsMixin,
    WriterMixin,
):
    """One generation run: holds the vocab, the rng, the accounts and the output rows."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.common = _load("common.yaml")
        self.adv = _load("adverts.yaml")
        self.ctx = _load("context.yaml")
        self.eva = _load("evasion.yaml")
        self.neg = _load("negatives.yaml")
        self.ordn = _load("ordinary.yaml")
        self.obf = Obfuscator(_load("obfuscation.yaml"))
        self.table: dict[str, dict[str, list]] = {}
        self._build_table()
        self.counter = {p: 0 for p in PLATFORMS}
        self.events: list[tuple[int, int, dict]] = []
        self.labels: list[dict] = []
        self.accounts: list[Acct] = []
        self.seq = 0
        self.newtags = [self._invent_tag() for _ in range(self.rng.randint(8, 14))]
        self.groups = [f"grp{self.rng.randint(10000, 99999)}{i}" for i in range(6)]
        self.popular: dict[str, list[PostRef]] = {p: [] for p in PLATFORMS}
        self._pools: dict[str, list[Acct]] = {}
        self._lang_of: dict[str, str] = {}
        self._benign_by_root: dict[str, list[PostRef]] = {}
        self.count: dict[str, int] = {}
        self.root_of: dict[str, str] = {}
        self.obf_slots = set(self.adv["obfuscate_slots"])
        self.cur_lang = "en"
        self.cur_obf: str | None = None
        self.obf_done = False
        self.cur_style = "none"
        self.old_handle = "old_acc"

    def run(self, posts: int) -> None:
        rng = self.rng
        n_adv, n_ctx, n_roots = round(0.14 * posts), round(0.07 * posts), max(1, round(0.03 * posts))
        n_eva, n_hn, n_ben = round(0.03 * posts), round(0.40 * posts), round(0.06 * posts)
        self._last_adv: dict[str, list[str]] = {}
        self._adv_refs: dict[str, list[PostRef]] = {}
        for _ in range(max(5, posts // 60)):
            self.ordinary()
        n_nonhuman = max(1, posts // 120)
        for _ in range(n_nonhuman):
            self.nonhuman_thread()
        while self.count.get("hard_negative", 0) < n_hn:
            self.hard_negative()
        roots = [self.child_root() for _ in range(n_roots)]
        done: list[tuple[PostRef, PostRef]] = []
        first = int(n_ben * 0.75)
        for i in range(first):
            self.benign_reply(roots[i % n_roots] if i < n_roots else rng.choice(roots), done)
        for _ in range(n_ctx):
            self.context_reply(rng.choice(roots[: max(1, int(n_roots * 0.85))]), done)
        for _ in range(n_ben - first):
            self.benign_reply(rng.choice(roots), done)
        # advertisers: some evade (suspended, then a look-alike announces), some are bots that flood
        n_pairs = max(1, (n_eva + 1) // 2)
        n_accts = max(n_pairs + 2, n_adv // 14)
        advs = [self.advertiser(bio_only=rng.random() < 0.18) for _ in range(n_accts)]
        for a in advs:
            a.window = (START, START + SPAN)
        eva_left = n_eva
        for old in advs[:n_pairs]:
            cut = self._t(START + SPAN // 6, START + SPAN * 2 // 3)
            old.window = (START, cut)
            new = self.evader_pair(old)
            k = min(eva_left, rng.randint(1, 3)) if old is not advs[n_pairs - 1] else eva_left
            for j in range(max(1, k)):
                self.evasion_post(new, old, new.window[0] + j * rng.randint(60, 20_000))
            eva_left -= max(1, k)
            advs.append(new)
        bots = [self.make_account("bot", rng.choices(LANGS, LANG_W)[0], bio=self.render("{tags}", "en", None))
                for _ in range(max(1, n_adv // 150))]
        n_done = self.count.get("advert", 0)
        flood_target = int(n_adv * 0.12)
        while n_done < flood_target:
            n_done += self.bot_flood(rng.choice(bots))
        while n_done < n_adv:
            self.advert(rng.choice(advs))
            n_done += 1
        for a in advs[n_pairs:]:
            if a.role == "advertiser" and rng.random() < 0.15:
                self.suspend(a, a.window[1] - rng.randint(0, 3600))
        while len(self.labels) < posts:
            self.ordinary()
        self.follows(posts // 5)


def generate(out: Path, posts: int = 20000, seed: int = 0) -> dict:
    """Write stream.jsonl, labels.jsonl and accounts.jsonl under `out`; return the counts per label."""
    author = Author(seed)
    author.run(posts)
    return author.write(Path(out))
