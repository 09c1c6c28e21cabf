"""alder's harmful-side families: adverts per family, bot floods, suspensions and evasion chains."""

from __future__ import annotations

import re
import string

from csewatch.synth.authors.alder.model import T0, WINDOW, Acct, Ctx, Post


class AdvertsMixin:
    """Adverts, bot bursts and ban-evasion announcements for ``Author``."""

    def _adverts(self, n_adv: int, advs: list[Acct], bio_only: list[Acct], n_evaders: int) -> None:
        rng = self.rng
        weights = self.v.data["advert_mix"]
        fams = list(weights)  # type: ignore[arg-type]
        quota = {f: max(1, round(weights[f] * n_adv)) for f in fams}  # type: ignore[index]
        evader_share = max(n_evaders, round(0.08 * n_adv))
        plain_fams = ["compound", "age_goods", "menu", "euphemism", "emoji_code", "buy_request", "trade",
                      "coded_hashtag"]
        # doomed advertisers post first, early in the window
        early = advs[:n_evaders]
        normal = advs[n_evaders:]
        self._deferred_evader_adverts = evader_share
        made = 0
        order = []
        for f in fams:
            if f in ("bot_flood", "placement", "bio_only"):
                continue
            order += [f] * quota[f]
        rng.shuffle(order)
        # the doomed each post a few adverts early
        for a in early:
            for _ in range(rng.randint(1, 3)):
                fam = order.pop() if order else rng.choice(plain_fams)
                self._advert(a, fam, self.rand_t(0.0, 0.45))
                made += 1
        for fam in order[: max(0, len(order) - evader_share)]:
            self._advert(rng.choice(normal), fam, self.rand_t())
            made += 1
        # bio-only
        for _ in range(quota["bio_only"]):
            a = rng.choice(bio_only)
            tpl, sub, lang = self.pick_template("advert", "bio_only", None, rng.choice([a.lang, a.lang, "en"]))
            self.add_post(a, tpl, lang, "advert", "bio_only", sub, self.rand_t(), True, 0.25)
        # placement: reply / quote / repost / community
        adverts_so_far = [p for p in self.posts if p.label == "advert"]
        for i in range(quota["placement"]):
            sub = ["reply", "quote", "repost", "community"][i % 4]
            a = rng.choice(normal)
            fam_tpl = rng.choice(plain_fams[:7])
            if sub in ("reply", "quote"):
                target = rng.choice([p for p in self.popular if p.platform == a.platform] or self.popular)
                if target.platform != a.platform:
                    a = self.author_of("advertiser", target.platform)
                t = target.t + rng.randint(30, 20_000)
                kw = {"reply_to": target.id, "reply_root": target.id} if sub == "reply" else {"quote_of": target.id}
                pre = "@" + target.author.handle.split("@")[0] + " " if sub == "reply" and rng.random() < 0.6 else ""
                tpl, _, lang = self.pick_template("advert", fam_tpl, None, a.lang)
                p = self.add_post(a, pre + tpl, lang, "advert", "placement", sub, t, True, 0.35, **kw)
            elif sub == "repost":
                src = [q for q in adverts_so_far if q.platform == a.platform and q.author is not a]
                if not src:
                    continue
                orig = rng.choice(src)
                text = orig.text
                if a.platform == "x":
                    text = f"RT @{orig.author.handle}: {orig.text}"
                self._push(a, text, orig.lang, "advert", "placement", "repost", orig.t + rng.randint(20, 30_000),
                           orig.obfuscation, orig.link_style, repost_of=orig.id)
            else:
                tpl, _, lang = self.pick_template("advert", fam_tpl, None, a.lang)
                p = self.add_post(a, tpl, lang, "advert", "placement", "community", self.rand_t(), True, 0.35,
                                  group_id=rng.choice(self.groups[a.platform]))
                del p
        # bot floods
        left = quota["bot_flood"]
        while left > 0:
            size = min(left, rng.randint(6, 22))
            self._bot_burst(size)
            left -= size
        self._remaining_order = order[max(0, len(order) - evader_share):]

    def _advert(self, a: Acct, fam: str, t: int, **kw) -> Post:
        rng = self.rng
        extra = {}
        sub = None
        if fam == "compound":
            sub = rng.choice(["token", "camel", "hashtag", "neighbours", "joined"])
            extra["compound"] = sub
            tpl, _, lang = self.pick_template("advert", "compound", "any", rng.choice([a.lang, a.lang, "en", "mul"]))
        elif fam == "coded_hashtag":
            tpl, sub, lang = self.pick_template("advert", fam, None, rng.choice([a.lang, "en", "mul"]))
        else:
            tpl, sub, lang = self.pick_template("advert", fam, None, rng.choice([a.lang, a.lang, "en", "mul"]))
        if rng.random() < 0.3 and "{tags}" not in tpl:
            tpl += " {tags}"
        return self.add_post(a, tpl, lang, "advert", fam, sub, t, True, 0.35, extra=extra, **kw)

    def _bot_burst(self, size: int) -> None:
        rng = self.rng
        bot = self.new_account("bot")
        fam = rng.choice(["compound", "euphemism", "emoji_code", "age_goods", "coded_hashtag", "menu"])
        if fam == "compound":
            tpl, _, lang = self.pick_template("advert", fam, "any", bot.lang)
        else:
            tpl, _, lang = self.pick_template("advert", fam, None, bot.lang)
        base, ctx = self.render(tpl, lang, advert=True)
        base = self.noise(base, lang, True)
        obf_name = "none"
        if rng.random() < 0.35:
            base, obf_name = self.obf.apply(base, ctx.keys)
        link_style = "+".join(dict.fromkeys(s for s in ctx.styles if not s.startswith("svc:"))) or "none"
        t = self.rand_t(0, 0.97)
        variant = rng.choice(["rotate_tags", "suffix", "emoji", "mixed", "mention_spray", "line_shuffle"])
        for _ in range(size):
            text = base
            tctx = Ctx(langs=self.langs_for(lang), advert=True)
            if variant in ("rotate_tags", "mixed"):
                text = re.sub(r"(?<![\w&/])#\w+", "", text).strip() + " " + self._adv_tags(tctx)
            if variant in ("suffix", "mixed") or rng.random() < 0.3:
                text += " " + rng.choice(["", "#", "[", "ref "]) + "".join(
                    rng.choice(string.ascii_lowercase + string.digits) for _ in range(rng.randint(3, 6))) + (
                    "]" if rng.random() < 0.2 else "")
            if variant == "mention_spray":
                text = " ".join(self._mention(tctx) for _ in range(rng.randint(2, 5))) + " " + text
            if variant == "line_shuffle":
                parts = re.split(r"\s*(?:\n| \| | • )\s*", text)
                rng.shuffle(parts)
                text = rng.choice(["\n", " ", " | "]).join(parts)
            if variant in ("emoji", "mixed") or rng.random() < 0.3:
                em = rng.choice(self.s["tail_emoji"])
                text = f"{em} {text}" if rng.random() < 0.5 else f"{text} {em}"
            self._push(bot, self.tidy(text), lang, "advert", "bot_flood", variant, t, obf_name, link_style)
            t += rng.randint(2, 240)
        if rng.random() < 0.5:
            bot.suspended_at = t + rng.randint(600, 86_400)

    def _evasion(self, n_ev: int) -> None:
        rng = self.rng
        doomed = [a for a in self.accounts if a.early and a.role == "advertiser"]
        for a in doomed:
            last = max([p.t for p in self.posts if p.author is a] or [T0])
            a.suspended_at = last + rng.randint(600, 12 * 3600)
        made = 0
        i = 0
        order = list(getattr(self, "_remaining_order", []))
        while made < n_ev:
            old = doomed[i % len(doomed)]
            i += 1
            chain_old = old
            if i > len(doomed) and self.evaders and rng.random() < 0.4:
                # a second-generation evader: an evader suspended in turn
                prev = rng.choice([e for e in self.evaders if e.suspended_at is None] or self.evaders)
                if prev.suspended_at is None:
                    last = max([p.t for p in self.posts if p.author is prev] or [prev.created_at])
                    if last > T0 + WINDOW * 0.85:
                        continue
                    prev.suspended_at = last + rng.randint(600, 6 * 3600)
                chain_old = prev
            created = chain_old.suspended_at + rng.randint(300, 36 * 3600)  # type: ignore[operator]
            if created > T0 + WINDOW * 0.95:
                created = chain_old.suspended_at + rng.randint(120, 1800)  # type: ignore[operator]
            new = self.new_account("evader", platform=chain_old.platform, lang=chain_old.lang, created_at=created,
                                   like=chain_old)
            new.predecessor = chain_old.id
            self.evaders.append(new)
            for k in range(rng.choice([1, 1, 1, 2])):
                if made >= n_ev:
                    break
                sub = rng.choice(sorted(self.v.templates["evasion"]["announce"]))
                lang = new.lang if rng.random() < 0.8 else rng.choice(["en", "mul", "es", "pt"])
                tpl, sub, lang = self.pick_template("evasion", "announce", sub, lang)
                oh = chain_old.handle.split("@")[0] if chain_old.platform == "mastodon" else chain_old.handle
                self.add_post(new, tpl, lang, "evasion_announcement", "evasion", sub,
                              created + rng.randint(60, 3 * 3600) + k * rng.randint(600, 7200), True, 0.3,
                              extra={"oldhandle": oh})
                made += 1
            # the evader goes on advertising
            for _ in range(rng.randint(0, 2)):
                if not order:
                    break
                self._advert(new, order.pop(), created + rng.randint(3600, 2 * 86_400))
        for fam in order:  # any left over go to ordinary advertisers
            self._advert(self.author_of("advertiser"), fam, self.rand_t())
