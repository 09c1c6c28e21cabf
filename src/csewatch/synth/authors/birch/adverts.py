"""birch's harmful-side families: adverts, suspensions and evasion, placement, bot floods."""

from __future__ import annotations

from csewatch.synth.authors.birch.model import _ALNUM, SPAN, T0, Account, Text
from csewatch.synth.authors.birch.posts import _urls_in


class AdvertsMixin:
    """Adverts, evasion and bot floods for ``Birch``."""

    def adverts_and_evasion(self, benign: list[Account], n_adv: int, n_eva: int) -> None:
        fam_w: dict[str, float] = self.v["adverts"]["family_weights"]
        fams = sorted(fam_w)
        advertisers = []
        for _ in range(max(4, n_adv // 7)):
            a = self.make_account("advertiser", "advertiser")
            start = T0 + self.rng.randint(0, int(SPAN * 0.7))
            a.window = (max(start, a.created_at + 60), min(T0 + SPAN, start + self.rng.randint(6 * 3600, 4 * 86400)))
            advertisers.append(a)
        bio_accts = []
        for _ in range(max(2, n_adv // 40)):
            a = self.make_account("advertiser", "bio_offer")
            start = T0 + self.rng.randint(0, int(SPAN * 0.7))
            a.window = (max(start, a.created_at + 60), min(T0 + SPAN, start + self.rng.randint(6 * 3600, 4 * 86400)))
            bio_accts.append(a)
        # suspensions and evaders first, so evaders can also advertise
        n_evaders = max(1, n_eva // 3)
        evaders: list[Account] = []
        for old in self.rng.sample(advertisers + bio_accts, k=min(n_evaders, len(advertisers) + len(bio_accts))):
            old.suspended_at = old.window[1] + self.rng.randint(600, 6 * 3600)
            self._emit(
                old.suspended_at,
                {
                    "type": "account",
                    "id": old.id,
                    "platform": old.platform,
                    "status": "suspended",
                    "status_at": old.suspended_at,
                },
            )
            evaders.append(self.evader_for(old))
        for i in range(n_eva):
            acct = evaders[i % len(evaders)]
            old = next(a for a in self.accounts if a.id == acct.predecessor and a.platform == acct.platform)
            self.ctx = {"old_handle": old.handle.split("@")[0]}
            sub, lang, txt = self.tpl_text(
                "evasion",
                "evasion",
                None,
                0.35,
                True,
                acct.platform,
                lang=old.lang if old.lang in ("en", "ru", "id", "de", "fr", "it", "tl", "es", "pt", "mix") else None,
            )
            t = acct.created_at + self.rng.randint(60, 20 * 3600)
            self.post(acct, t, txt, "evasion_announcement", "evasion", sub, lang)
            self.ctx = {}
        made = 0
        seller_pool = advertisers + evaders
        while made < n_adv:
            # weights are per post; one bot_flood pick writes about ten posts
            fam = self.rng.choices(fams, [fam_w[f] / (10.5 if f == "bot_flood" else 1.0) for f in fams])[0]
            if fam == "bot_flood":
                made += self.bot_flood(n_adv - made)
                continue
            acct = self.rng.choice(bio_accts if fam == "bio_only" else seller_pool)
            if fam == "placement":
                self.placement(acct)
            else:
                self.ctx = {}
                if fam == "compound":
                    self.ctx["compound_style"] = self.rng.choice(["token", "camel", "hashtag", "neighbours", "hyphen"])
                sub, lang, txt = self.tpl_text("adverts", fam, None, 0.39, True, acct.platform, tail="adv_tail")
                if fam == "compound":
                    sub = self.ctx.get("compound_style", sub)
                gid = self.rng.choice(self.communities[acct.platform]) if self.rng.random() < 0.04 else None
                t = self._time(acct)
                pid = self.post(
                    acct, t, txt, "advert", fam, sub, lang, media=int(self.rng.random() < 0.25), group_id=gid
                )
                self.adverts_by_platform[acct.platform].append((pid, t, acct.handle, txt.text))
            self.ctx = {}
            made += 1

    def placement(self, acct: Account) -> None:
        sub = self.rng.choice(["reply", "quote", "repost", "community"])
        src = self.rng.choice(["compound", "euphemism", "emoji_code", "age_goods", "trade", "coded_hashtag"])
        if src == "compound":
            self.ctx["compound_style"] = None
        earlier = [a for a in self.adverts_by_platform[acct.platform] if a[1] < acct.window[1] - 60]
        if sub == "repost" and earlier:
            opid, ot, ohandle, otext = self.rng.choice(earlier)
            prefix = f"RT @{ohandle.split('@')[0]}: " if acct.platform == "x" else self.word("repost_prefix", "any")
            txt = Text(prefix + otext, "none", "none", _urls_in(otext))
            lab = next(
                (lb for lb in reversed(self.labels) if lb["id"] == opid and lb["platform"] == acct.platform), None
            )
            lang = lab["lang"] if lab else "en"
            lo = max(ot + 30, acct.created_at + 60, acct.window[0])
            self.post(
                acct,
                self.rng.randint(lo, max(lo, min(acct.window[1], ot + 6 * 3600))),
                txt,
                "advert",
                "placement",
                "repost",
                "mix" if lang == "mul" else lang,
                repost_of=opid,
            )
            return
        if sub == "repost":
            sub = "reply"
        _, lang, txt = self.tpl_text("adverts", src, None, 0.39, True, acct.platform)
        lo, hi = max(acct.window[0], acct.created_at + 60), acct.window[1]
        targets = [x for x in self.targets[acct.platform] if lo - 2 * 86400 < x[1] < hi - 60]
        if sub == "community" or not targets:
            self.post(
                acct,
                self._time(acct),
                txt,
                "advert",
                "placement",
                "community",
                lang,
                group_id=self.rng.choice(self.communities[acct.platform]),
            )
            return
        tid, tt = self.rng.choice(targets)
        t = self.rng.randint(max(lo, tt + 20), max(lo, tt + 20, min(hi, tt + 3 * 3600)))
        if sub == "reply":
            self.post(acct, t, txt, "advert", "placement", "reply", lang, reply_to=tid, reply_root=tid)
        else:
            self.post(acct, t, txt, "advert", "placement", "quote", lang, quote_of=tid)

    def bot_flood(self, budget: int) -> int:
        bot = self.make_account("bot", "advertiser")
        k = min(budget, self.rng.randint(5, 16))
        self.ctx = {}
        src = self.rng.choice(["compound", "euphemism", "emoji_code", "menu", "age_goods", "coded_hashtag"])
        sub, by_lang = self.templates("adverts", src)
        lang = self._pick_lang(sorted(by_lang))
        template = self.rng.choice(by_lang[lang])
        tags = self.v["adverts"]["slots"]["adv_tags"]
        tags = tags.get(lang) or tags["en"]
        t = max(T0 + self.rng.randint(0, SPAN - 86400), bot.created_at + 60)
        obf = self.rng.random() < 0.38
        for _ in range(k):
            variant = template + " " + " ".join("#" + self.rng.choice(tags) for _ in range(self.rng.randint(1, 3)))
            if self.rng.random() < 0.6:
                variant += " " + self._rand(_ALNUM, self.rng.randint(3, 6))
            if self.rng.random() < 0.5:
                variant += " " + self.word("noise_emoji", "any")
            txt = self.compose(variant, lang, 1.0 if obf else 0.0, True, bot.platform)
            self.post(bot, t, txt, "advert", "bot_flood", src, lang)
            t += self.rng.randint(5, 240)
        return k
