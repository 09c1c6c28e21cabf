"""elm's harmful-side families: advertisers, adverts, bot floods, evader pairs and announcements."""

from __future__ import annotations

import re

from csewatch.synth.authors.elm.model import LANG_W, LANGS, SPAN, START, Acct, PostRef


class AdvertsMixin:
    """Adverts, bot floods and ban evasion for ``Author``."""

    def advertiser(self, bio_only: bool = False, lang: str | None = None, platform: str | None = None,
                   created: int | None = None) -> Acct:
        rng = self.rng
        lang = lang or rng.choices(LANGS, LANG_W)[0]
        self.cur_lang = lang
        if bio_only:
            tpl, lang_used = self.pick_template(self.adv["bio_offer"], lang)
            bio = self.render(tpl, lang_used, self._harm_obf())
        else:
            plain = ["{tags}", "{e} {contact}", "", "dm 📥", "{newtag} {e}", "🔞 {crypto}", "{e}"]
            bio = self.render(rng.choice(plain), lang, None)
        display = self.render(rng.choice(self.adv["advertiser_names"]), lang, None)
        base = self._handle_base(lang) if rng.random() < 0.5 else self._rid(rng.randint(6, 10))
        acct = self.make_account("advertiser", lang, platform, created, bio, base, display)
        acct.extra["bio_only"] = bio_only
        return acct

    def advert_text(self, family: str, lang: str) -> tuple[str, str, str | None, str]:
        """(text, lang used, obfuscation, link style) for one advert of `family`."""
        obf = self._harm_obf()
        tpl, lang = self.pick_template(self.adv["templates"][family], lang)
        text = self.render(tpl, lang, obf)
        style = self.cur_style
        if family == "bio_only" and style == "none":
            style = "bio"
        text = self.noise(text) if not obf else text
        if family != "menu" and self.rng.random() < 0.15:
            text = text.replace(" ", "\n", self.rng.randint(1, 3))
        return text, lang, obf, style

    def advert(self, acct: Acct) -> None:
        rng = self.rng
        fams = ["compound", "age_goods", "menu", "euphemism", "emoji_code", "buy_request", "trade", "coded_hashtag",
                "placement", "bot_flood"]
        w = [14, 8, 8, 10, 8, 8, 7, 6, 14, 0]
        fam = "bio_only" if acct.extra.get("bio_only") and rng.random() < 0.8 else rng.choices(fams, w)[0]
        lang = acct.lang
        t = self._t(*acct.window)
        if fam != "placement":
            text, lang, obf, style = self.advert_text(fam, lang)
            text, mixed = self._mix(text, lang)
            self.post(acct, text, t, "advert", fam, fam + "_" + lang, lang, obf, style, mixed=mixed,
                      media=rng.random() < 0.2)
            self._last_adv.setdefault(acct.platform, []).append(self.labels[-1]["id"])
            self._adv_refs.setdefault(acct.platform, []).append(PostRef(acct.platform, self.labels[-1]["id"], t, acct,
                                                                        text))
            return
        place = rng.choice(["reply", "reply", "quote", "repost", "community"])
        content = rng.choice(["compound", "euphemism", "emoji_code", "age_goods", "coded_hashtag", "buy_request"])
        text, lang, obf, style = self.advert_text(content, lang)
        pop = self.popular[acct.platform]
        if place in ("reply", "quote") and pop:
            parent = rng.choice(pop[-400:])
            t = max(t, parent.t + rng.randint(15, 3600))
            kw = {"reply_to": parent} if place == "reply" else {"quote_of": parent}
            self.post(acct, text, t, "advert", place, content, lang, obf, style, **kw)
        elif place == "repost" and self._adv_refs.get(acct.platform):
            src = rng.choice(self._adv_refs[acct.platform][-50:])
            t = max(t, src.t + rng.randint(30, 7200))
            self.post(acct, f"RT @{src.author.handle.split('@')[0]}: {src.text}", t, "advert", "repost", content, lang,
                      obf, style, repost_of=src)
        else:
            self.post(acct, text, t, "advert", "community", content, lang, obf, style, group=rng.choice(self.groups))

    def bot_flood(self, bot: Acct) -> int:
        rng = self.rng
        content = rng.choice(["compound", "euphemism", "emoji_code", "coded_hashtag", "age_goods", "menu"])
        text, lang, obf, style = self.advert_text(content, bot.lang)
        t = self._t(*bot.window)
        k = rng.randint(4, 14)
        for _ in range(k):
            variant = text
            r = rng.random()
            if r < 0.3:
                variant = re.sub(r"(#\w+\s*)+$", "", variant).rstrip() + " " + self.s_tags()
            elif r < 0.55:
                variant = f"{variant} {self._rid(rng.randint(3, 6))}"
            elif r < 0.8:
                variant = f"{self.s_e()} {variant} {self.s_e()}"
            self.post(bot, variant, t, "advert", "bot_flood", content, lang, obf, style)
            t += rng.randint(3, 240)
        return k

    def evader_pair(self, old: Acct) -> Acct:
        """Suspend `old` at the end of its window; a look-alike new account announces itself afterwards."""
        rng = self.rng
        ts = old.window[1]
        self.suspend(old, ts)
        created = ts + rng.randint(300, 86_400)
        suffix = rng.choice(self.eva["handle_suffix"]).replace("{n}", str(rng.randint(2, 9)))
        base = old.extra["base"] + suffix
        display = old.display_name if rng.random() < 0.6 else old.display_name + rng.choice([" 2", " backup", " (new)",
                                                                                            " 🔁", " v2"])
        bio = old.bio if rng.random() < 0.6 else old.bio + " " + rng.choice(["(new acc)", "backup", "🔁", "#2"])
        new = self.make_account("evader", old.lang, old.platform, created, bio, base, display, predecessor=old.id)
        new.extra["bio_only"] = old.extra.get("bio_only", False)
        new.window = (created + 60, START + SPAN)
        return new

    def evasion_post(self, new: Acct, old: Acct, t: int) -> None:
        rng = self.rng
        tpls = self.eva["templates"]
        lang = new.lang if new.lang in tpls else "en"
        self.old_handle = ("@" if rng.random() < 0.6 else "") + old.handle.split("@")[0].split(".bsky")[0]
        obf = self._harm_obf()
        text = self.noise(self.render(rng.choice(tpls[lang]), lang, obf))
        self.post(new, text, t, "evasion_announcement", "evasion", "named_old" if "{old}" in text or
                  self.old_handle in text else "announce", lang, obf, self.cur_style)
