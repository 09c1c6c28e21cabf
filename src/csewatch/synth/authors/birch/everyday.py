"""birch's everyday stream: ordinary posts, hard negatives and the follow graph."""

from __future__ import annotations

from csewatch.synth.authors.birch.model import PLATFORMS, Account


class EverydayMixin:
    """Ordinary posts, hard negatives and follows for ``Birch``."""

    def ordinary(self, benign: list[Account], count: int) -> None:
        n_pet_roots = max(1, count // 12)
        for i in range(count):
            acct = self.rng.choice(benign)
            t = self._time(acct)
            if i < n_pet_roots:
                sub, lang, txt = self.tpl_text("ordinary", "nonhuman_photo", None, 0.03, False, acct.platform)
                pid = self.post(acct, t, txt, "ordinary", "nonhuman_photo", sub, lang, media=self.rng.randint(1, 3))
                self.targets[acct.platform].append((pid, t))
                self.ctx_pet = getattr(self, "ctx_pet", [])
                self.ctx_pet.append((acct, pid, t, sub, lang))
                continue
            gid = self.rng.choice(self.communities[acct.platform]) if self.rng.random() < 0.05 else None
            sub, lang, txt = self.tpl_text(
                "ordinary", "ordinary", None, 0.03, False, acct.platform, tail="ordinary_tail"
            )
            pid = self.post(
                acct, t, txt, "ordinary", "ordinary", sub, lang, media=int(self.rng.random() < 0.2), group_id=gid
            )
            self.targets[acct.platform].append((pid, t))

    def hard_negatives(self, benign: list[Account], count: int) -> None:
        fams = sorted(self.v["negatives"]["templates"])
        fam_w: dict[str, float] = self.v["negatives"]["family_weights"]
        pets = getattr(self, "ctx_pet", [])
        n_pet_q = min(count // 10, len(pets) * 4)
        for i in range(count):
            if i < n_pet_q:
                root_acct, root, rt, sub, _ = self.rng.choice(pets)
                acct = self.rng.choice([a for a in benign[:60] if a.platform == root_acct.platform] or [root_acct])
                _, lang, txt = self.tpl_text("negatives", "nonhuman_age_question", sub, 0.05, False, acct.platform)
                t = rt + self.rng.randint(60, 2 * 86400)
                self.post(
                    acct, t, txt, "hard_negative", "nonhuman_age_question", sub, lang, reply_to=root, reply_root=root
                )
                continue
            fam = self.rng.choices(fams, [fam_w.get(f, 1.0) if f != "nonhuman_age_question" else 0.0 for f in fams])[0]
            acct = self.rng.choice(benign)
            sub, lang, txt = self.tpl_text("negatives", fam, None, 0.115, False, acct.platform, tail="negative_tail")
            media = int(
                fam in ("kids_items_sale", "food_deal", "trading_cards", "ordinary_sale") and self.rng.random() < 0.6
            )
            gid = self.rng.choice(self.communities[acct.platform]) if self.rng.random() < 0.06 else None
            t = self._time(acct)
            pid = self.post(acct, t, txt, "hard_negative", fam, sub, lang, media=media, group_id=gid)
            self.targets[acct.platform].append((pid, t))

    def follows(self, benign: list[Account], parents: list[Account], commenters: list[Account]) -> None:
        by_plat: dict[str, list[Account]] = {p: [a for a in self.accounts if a.platform == p] for p in PLATFORMS}
        pairs: list[tuple[Account, Account]] = []
        for _ in range(self.n // 8):
            plat = self.rng.choice(PLATFORMS)
            if len(by_plat[plat]) > 1:
                a, b = self.rng.sample(by_plat[plat], 2)
                pairs.append((a, b))
        for c in commenters:
            for p in [x for x in parents if x.platform == c.platform][:4]:
                pairs.append((c, p))
        for ev in [a for a in self.accounts if a.predecessor]:
            same = [a for a in by_plat[ev.platform] if a.role in ("advertiser", "bot", "commenter") and a.id != ev.id]
            for f in self.rng.sample(same, k=min(4, len(same))):
                pairs.append((f, ev))
        for src, dst in pairs:
            t = max(src.created_at, dst.created_at) + self.rng.randint(60, 5 * 86400)
            self._emit(
                t,
                {
                    "type": "edge",
                    "platform": src.platform,
                    "kind": "follow",
                    "src": src.id,
                    "dst": dst.id,
                    "created_at": t,
                },
            )
