"""alder's everyday stream: hard negatives, ordinary posts and replies, and the follow graph."""

from __future__ import annotations

from csewatch.synth.authors.alder.model import PLATFORMS, Acct, Post


class EverydayMixin:
    """Hard negatives, ordinary posts and follows for ``Author``."""

    def _hard_negatives(self, n: int) -> None:
        rng = self.rng
        fams = self.v.templates["hardneg"]
        weights = self.v.data["hardneg_mix"]
        names = sorted(fams)
        w = [weights.get(f, 1.0) for f in names]  # type: ignore[union-attr]
        kinds = self.v.data["hardneg_author_kind"]
        for _ in range(n):
            fam = rng.choices(names, weights=w)[0]
            a = self.author_of(kinds.get(fam, "person"))  # type: ignore[union-attr]
            tpl, sub, lang = self.pick_template("hardneg", fam, None, a.lang if rng.random() < 0.75 else "en")
            kw: dict = {}
            r = rng.random()
            if r < 0.05:
                kw["group_id"] = rng.choice(self.groups[a.platform])
            elif r < 0.1 and self.popular:
                target = rng.choice(self.popular)
                if target.platform == a.platform:
                    kw = {"reply_to": target.id, "reply_root": target.id}
            media = rng.randint(1, 3) if fam in self.v.data["hardneg_media"] and rng.random() < 0.6 else 0  # type: ignore
            t = self.rand_t()
            if "reply_to" in kw:
                t = max(t, target.t + 30)
            self.add_post(a, tpl, lang, "hard_negative", fam, sub, t, obf_rate=0.12, media=media, **kw)

    def _ordinary_post(self, a: Acct, t: int) -> Post:
        rng = self.rng
        lang = a.lang if rng.random() < 0.85 else self.lang_pick("ordinary")
        tpl, sub, lang = self.pick_template("ordinary", "everyday", None, lang)
        kw: dict = {}
        if rng.random() < 0.04:
            kw["group_id"] = rng.choice(self.groups[a.platform])
        media = rng.randint(1, 2) if rng.random() < 0.2 else 0
        return self.add_post(a, tpl, lang, "ordinary", "everyday", sub, t, obf_rate=0.02, media=media, **kw)

    def _ordinary_reply(self) -> None:
        rng = self.rng
        target = rng.choice(self.popular)
        a = self.author_of("person", target.platform)
        tpl, sub, lang = self.pick_template("ordinary", "chat_reply", None, target.lang)
        self.add_post(a, self._at(target, tpl), lang, "ordinary", "chat_reply", sub, target.t + rng.randint(30, 40_000),
                      obf_rate=0.02, reply_to=target.id, reply_root=target.id)

    def _follows(self) -> None:
        rng = self.rng
        for p in PLATFORMS:
            people = self.pool("person", p) + self.pool("parent", p) + self.pool("shop", p) + self.pool("news", p)
            advs = self.pool("advertiser", p) + self.pool("bot", p) + self.pool("evader", p)
            comm = self.pool("commenter", p)
            if len(people) < 2:
                continue
            for _ in range(len(people) * 2):
                s, d = rng.sample(people, 2)
                self.edges.append((self.rand_t(), p, s.id, d.id))
            for c in comm:
                for d in rng.sample(advs, min(len(advs), rng.randint(0, 3))):
                    self.edges.append((max(self.rand_t(), d.created_at + 60), p, c.id, d.id))
            for e in self.pool("evader", p):
                old = next((a for a in advs if a.id == e.predecessor), None)
                fans = comm + advs
                for s in rng.sample(fans, min(len(fans), rng.randint(1, 5))):
                    if s is not e and s is not old:
                        self.edges.append((e.created_at + rng.randint(60, 86_400), p, s.id, e.id))
