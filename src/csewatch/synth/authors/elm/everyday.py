"""elm's everyday stream: hard negatives, pet/car/house threads, ordinary posts and follows."""

from __future__ import annotations

from csewatch.synth.authors.elm.model import LANG_W, LANGS, PLATFORMS, SPAN, START, Acct
from csewatch.synth.authors.elm.posts import URL_RE


class EverydayMixin:
    """Hard negatives, ordinary posts and follows for ``Author``."""

    def hard_negative(self) -> None:
        rng = self.rng
        fams = [f for f in self.neg["hard_negative"] if f != "nonhuman_age_question"]
        weights = [3 if f in ("cp_sense", "crypto_spam", "food_deal", "youth_sports", "leaks", "kids_items") else 1.5
                   for f in fams]
        fam = rng.choices(fams, weights)[0]
        sub = rng.choice(list(self.neg["hard_negative"][fam]))
        langs_avail = self.neg["hard_negative"][fam][sub]
        lang = rng.choices(LANGS, LANG_W)[0]
        if lang not in langs_avail:
            lang = rng.choice(list(langs_avail))
        obf = self.obf.pick(rng) if rng.random() < 0.1 else None
        platform = rng.choice(PLATFORMS)
        role_pool = "spam" if fam == "crypto_spam" else "hn"
        author = self.pool(role_pool, platform, lang, size=6 if fam == "crypto_spam" else 25)
        text = self.render(rng.choice(langs_avail[lang]), lang, obf)
        style = self.cur_style if fam == "crypto_spam" else ("url" if URL_RE.search(text) else "none")
        text, mixed = self._mix(self.noise(text), lang)
        t = self._t()
        parent = None
        if fam == "crypto_spam" and rng.random() < 0.2 and self.popular[platform]:
            parent = rng.choice(self.popular[platform])
            t = parent.t + rng.randint(20, 4000)
        group = rng.choice(self.groups) if fam == "file_sharing" and rng.random() < 0.5 else None
        ref = self.post(author, text, t, "hard_negative", fam, sub, lang, obf, style, reply_to=parent, group=group,
                        media=fam in ("kids_items", "youth_sports", "food_deal") and rng.random() < 0.5, mixed=mixed)
        self.popular[platform].append(ref)
        if fam == "crypto_spam" and rng.random() < 0.25:  # spam flood: near-identical copies minutes apart
            for _ in range(rng.randint(2, 6)):
                t += rng.randint(5, 300)
                variant = text + " " + rng.choice([self._rid(4), "💰📈", self.s_stags(), "🚀", "✅"])
                self.post(author, variant, t, "hard_negative", fam, sub + "_flood", lang, obf, style)

    def nonhuman_thread(self) -> None:
        rng = self.rng
        lang = rng.choice(list(self.neg["nonhuman_roots"]))
        platform = rng.choice(PLATFORMS)
        owner = self.pool("hn", platform, lang, size=25)
        root = self.post(owner, self.noise(self.render(rng.choice(self.neg["nonhuman_roots"][lang]), lang, None)),
                         self._t(hi=START + SPAN - 86_400), "ordinary", "pet_car_house_photo", "root", lang, media=True)
        qs = self.neg["hard_negative"]["nonhuman_age_question"]["pets_cars"]
        for _ in range(rng.randint(1, 3)):
            ql = lang if lang in qs and rng.random() < 0.8 else rng.choice(list(qs))
            obf = self.obf.pick(rng) if rng.random() < 0.1 else None
            who = self.pool("hn", platform, ql, size=25)
            self.post(who, self.render(rng.choice(qs[ql]), ql, obf), root.t + rng.randint(60, 50_000), "hard_negative",
                      "nonhuman_age_question", "pets_cars", ql, obf, reply_to=root)

    def ordinary(self) -> None:
        rng = self.rng
        daily = self.neg["ordinary"]["daily"]
        lang = rng.choices(LANGS, LANG_W)[0]
        platform = rng.choice(PLATFORMS)
        author = self.pool("ord", platform, lang, size=40)
        sub = "daily"
        tpl = rng.choice(daily[lang])
        if rng.random() < 0.7:
            sub, tpl = "composed", rng.choice(self.ordn["templates"])
        text, mixed = self._mix(self.noise(self.render(tpl, lang, None)), lang)
        ref = self.post(author, text, self._t(), "ordinary", "everyday", sub, lang, mixed=mixed,
                        media=rng.random() < 0.15)
        self.popular[platform].append(ref)

    def follows(self, n: int) -> None:
        rng = self.rng
        by_platform: dict[str, list[Acct]] = {}
        for a in self.accounts:
            by_platform.setdefault(a.platform, []).append(a)
        for _ in range(n):
            platform = rng.choice(PLATFORMS)
            members = by_platform.get(platform, [])
            if len(members) < 2:
                continue
            src = rng.choice(members)
            if src.role == "commenter":
                shady = [a for a in members if a.role in ("advertiser", "evader", "commenter", "bot") and a is not src]
                dst = rng.choice(shady) if shady else rng.choice(members)
            else:
                dst = rng.choice(members)
            if dst is src:
                continue
            t = max(src.created_at, dst.created_at, START) + rng.randint(60, SPAN // 2)
            self._emit(t, {"type": "edge", "platform": platform, "kind": "follow", "src": src.id, "dst": dst.id,
                           "created_at": t})
