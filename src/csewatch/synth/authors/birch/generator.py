"""birch: one independent synthetic author of labelled csewatch streams (multilingual, heavy Unicode disguise).

The grammar lives in this package; every word, template and phrase lives in vocab/*.yaml. ``generate`` writes
``stream.jsonl`` (native csewatch JSONL, time-ordered), ``labels.jsonl`` (one per post) and
``accounts.jsonl`` (one per account, with its role). Text is clinical: indicator words only.

This module holds ``Birch`` (its state, small helpers and the run plan) and ``generate`` (the writer); the rest is
one concept per module, mixed into ``Birch``: vocabulary.py (the YAML), model.py (records, markers, constants),
slots.py (slot filling and computed slots), compose.py (composition, obfuscation, noise), accounts.py,
posts.py (posts and template choice), everyday.py (ordinary posts, hard negatives, follows), threads.py
(child-photo threads) and adverts.py (adverts, evasion, placement, bot floods).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from csewatch.synth.authors.birch.accounts import AccountsMixin
from csewatch.synth.authors.birch.adverts import AdvertsMixin
from csewatch.synth.authors.birch.compose import ComposeMixin
from csewatch.synth.authors.birch.everyday import EverydayMixin
from csewatch.synth.authors.birch.model import _B32, PLATFORMS, Account
from csewatch.synth.authors.birch.obfuscate import Obfuscator
from csewatch.synth.authors.birch.posts import PostsMixin
from csewatch.synth.authors.birch.slots import SlotsMixin
from csewatch.synth.authors.birch.threads import ThreadsMixin
from csewatch.synth.authors.birch.vocabulary import _FILES, load_vocab


class Birch(SlotsMixin, ComposeMixin, AccountsMixin, PostsMixin, EverydayMixin, ThreadsMixin, AdvertsMixin):
    """Stateful writer of one stream; ``run`` returns counts."""

    def __init__(self, posts: int, seed: int) -> None:
        self.rng = random.Random(f"birch:{seed}")
        self.n = posts
        self.v = load_vocab()
        self.ob = Obfuscator(self.v["obfuscation"])
        self.obf_names = self.ob.names()
        self.slots: dict[str, object] = {}
        for name in _FILES:
            self.slots.update(self.v[name].get("slots", {}) or {})
        self.lang_weights: dict[str, float] = self.v["accounts"]["lang_weights"]
        self.key_slots = set(self.v["adverts"]["key_slots"])
        self.records: list[tuple[float, int, dict]] = []
        self.labels: list[dict] = []
        self.accounts: list[Account] = []
        self.used_ids: dict[str, set[str]] = {p: set() for p in PLATFORMS}
        self.seq = 0
        self.post_count = 0
        self.targets: dict[str, list[tuple[str, int]]] = {p: [] for p in PLATFORMS}
        self.adverts_by_platform: dict[str, list[tuple[str, int, str, str]]] = {p: [] for p in PLATFORMS}
        self.newtags = self._invent_tags()
        self.communities = {p: [f"{c}-{self._rand(_B32, 4)}" for c in self.slots["community_names"]] for p in PLATFORMS}
        self.ctx: dict = {}
        self._effective: set[str] = set()  # transforms that changed the text being obfuscated

    def _rand(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def _pick_lang(self, available: list[str]) -> str:
        weights = [self.lang_weights.get(lang, 0.05) for lang in available]
        return self.rng.choices(available, weights)[0]

    def _invent_tags(self) -> list[str]:
        syl = self.slots["tag_syllables"]
        out: list[str] = []
        while len(out) < self.rng.randint(6, 10):
            tag = "".join(self.rng.choice(syl) for _ in range(self.rng.randint(2, 4)))
            if self.rng.random() < 0.4:
                tag += str(self.rng.randint(1, 99))
            if tag not in out:
                out.append(tag)
        return out

    def _new_id(self, platform: str, kind: str) -> str:
        while True:
            if platform == "x":
                ident = (
                    str(self.rng.randint(10**17, 10**19)) if kind == "post" else str(self.rng.randint(10**8, 10**18))
                )
            elif platform == "bluesky":
                ident = "3l" + self._rand(_B32, 11) if kind == "post" else "did:plc:" + self._rand(_B32, 24)
            else:
                ident = (
                    str(self.rng.randint(10**17, 2 * 10**17))
                    if kind == "post"
                    else str(self.rng.randint(10**5, 10**17))
                )
            if ident not in self.used_ids[platform]:
                self.used_ids[platform].add(ident)
                return ident

    def _emit(self, t: float, obj: dict) -> None:
        self.seq += 1
        self.records.append((t, self.seq, obj))

    def run(self) -> None:
        n = self.n
        n_adv = round(0.14 * n)
        n_ctx = round(0.07 * n)
        n_root = max(1, round(0.025 * n))
        n_eva = round(0.03 * n)
        n_hard = round(0.40 * n)
        n_brep = round(0.06 * n)
        n_ord = n - n_adv - n_ctx - n_root - n_eva - n_hard - n_brep
        benign = [self.make_account("benign", "benign") for _ in range(max(5, n // 25))]
        parents = [
            self.make_account("benign", self.rng.choice(["parent", "school", "team"])) for _ in range(max(3, n // 120))
        ]
        commenters = [self.make_account("commenter", "commenter") for _ in range(max(3, n // 150))]
        self.ordinary(benign, n_ord)
        self.hard_negatives(benign, n_hard)
        self.threads(parents, commenters, benign, n_root, n_ctx, n_brep)
        self.adverts_and_evasion(benign, n_adv, n_eva)
        self.follows(benign, parents, commenters)

    def _time(self, acct: Account, lo: int | None = None) -> int:
        a, b = acct.window
        a = max(a, lo or a, acct.created_at + 60)
        return self.rng.randint(a, max(a, b))


def generate(out: Path, posts: int = 20000, seed: int = 0) -> dict:
    """Write stream.jsonl, labels.jsonl and accounts.jsonl under ``out``; return counts per label and totals."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    b = Birch(posts, seed)
    b.run()
    b.records.sort(key=lambda r: (r[0], r[1]))
    with open(out / "stream.jsonl", "w", encoding="utf-8") as fh:
        for _, _, obj in b.records:
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    with open(out / "labels.jsonl", "w", encoding="utf-8") as fh:
        for lab in b.labels:
            fh.write(json.dumps(lab, ensure_ascii=False) + "\n")
    with open(out / "accounts.jsonl", "w", encoding="utf-8") as fh:
        for a in b.accounts:
            row = {"platform": a.platform, "id": a.id, "role": a.role}
            if a.predecessor:
                row["predecessor"] = a.predecessor
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict = {
        "posts": len(b.labels),
        "accounts": len(b.accounts),
        "edges": sum(1 for r in b.records if r[2]["type"] == "edge"),
    }
    for lab in b.labels:
        counts[lab["label"]] = counts.get(lab["label"], 0) + 1
    return counts
