"""cedar's harmful-side families: advertiser episodes, adverts, suspensions, bot floods, evasion."""

from __future__ import annotations

import re
import string
from typing import Any

from csewatch.synth.authors.cedar.model import DAY, T0, T_END, Acct, Post


class AdvertsMixin:
    """Adverts, bot floods and ban evasion for ``Author``."""

    def adv_family(self) -> str:
        fams = list(self.adv["families"])
        return self.rng.choices(fams, [self.adv["families"][f]["weight"] for f in fams])[0]

    def keywords(self, lang: str) -> list[str]:
        ls = self.adv["lang_slots"].get(lang, {})
        en = self.adv["lang_slots"]["en"]
        return [w for k in ("minor", "material", "sale", "buy", "trade") for w in ls.get(k, []) + en.get(k, [])]

    def advertiser_episode(self, budget: int) -> int:
        """One advertiser account and its adverts; returns posts made."""
        r = self.rng
        lang = self.lang()
        bio_only = r.random() < 0.18
        if bio_only:
            bl, blang = self.pick_lang_list(self.adv["bio_only"]["bios"], lang)
            bio = self.expand(self.ch(bl), blang, self.adv, self.adv_fills(blang, no_bio=True))
            display = self.expand(self.ch(self.adv["bio_only"]["display_names"]), blang, self.adv,
                                  self.adv_fills(blang))
            if r.random() < 0.25:  # the offer sits in the display name; the bio is a bare route
                bio = self.contact(blang, style=self.ch(["url", "bare", "written_dots", "id_route"]))[0]
            elif r.random() < 0.3:
                display = self.make_handle()
            a = self.account("advertiser", lang, bio=bio, display=display)
        else:
            bio = "" if r.random() < 0.5 else self.expand(self.ch(["{sale}", "{flair} {sale} {flair}", "dm", "{emo}"]),
                                                          lang, self.adv, self.adv_fills(lang))
            a = self.account("advertiser", lang, bio=bio)
        n = min(budget, r.choice([1, 1, 2, 2, 3, 4, 5, 7]))
        t = self.time_in(max(T0, a.created_at + 300), T_END - DAY)
        made = 0
        for _ in range(n):
            self.one_advert(a, lang, t, bio_only)
            made += 1
            t += r.uniform(60, DAY / 2)
        if r.random() < 0.35:
            self.suspend(a)
        return made

    def one_advert(self, a: Acct, lang: str, t: float, bio_only: bool = False) -> Post:
        r = self.rng
        if bio_only:
            pl, plang = self.pick_lang_list(self.adv["bio_only"]["posts"], lang)
            box: list[str] = []
            text = self.expand(self.ch(pl), plang, self.adv, self.adv_fills(plang, box))
            p = self.post(a, text, t, "advert", "bio_only", "profile_offer", plang, link_style="bio" if not box
                          else box[0], media=r.random() < 0.2)
            return p
        fam = self.adv_family()
        text, lang2, style = self.advert_text(fam, lang)
        placement = r.random()
        kw: dict[str, Any] = {}
        family, sub = fam, fam
        if placement < 0.08 and self.popular:
            parent = self.ch(self.popular)
            tpl = self.ch(self.adv["placement"]["reply"])
            text = tpl.replace("{body}", text).replace("{mention}", parent.author.handle.split("@")[0].split(".")[0])
            kw = {"reply_to": parent.id, "reply_root": parent.id}
            family, sub = "placement", f"reply_{fam}"
            t = max(t, parent.created_at + r.uniform(30, 3 * 3600))
            if parent.platform != a.platform:
                a = self.account("advertiser", lang, platform=parent.platform, bio=a.bio)
        elif placement < 0.13 and self.popular:
            parent = self.ch(self.popular)
            text = self.ch(self.adv["placement"]["quote"]).replace("{body}", text)
            kw = {"quote_of": parent.id}
            family, sub = "placement", f"quote_{fam}"
            t = max(t, parent.created_at + r.uniform(30, 6 * 3600))
            if parent.platform != a.platform:
                a = self.account("advertiser", lang, platform=parent.platform, bio=a.bio)
        elif placement < 0.19:
            text = self.ch(self.adv["placement"]["community"]).replace("{body}", text)
            kw = {"group_id": self.ch(self.groups)}
            family, sub = "placement", f"community_{fam}"
        p = self.post(a, self.noise(text, lang2), t, "advert", family, sub, lang2, link_style=style,
                      media=r.random() < 0.25, **kw)
        self.harmful_obf(p, self.keywords(lang2))
        if r.random() < 0.05:  # a repost by another advertiser account
            b = self.account("advertiser", lang, platform=a.platform, bio="")
            rp = self.post(b, f"RT @{a.handle.split('@')[0]}: {p.text}", p.created_at + r.uniform(60, 7200),
                           "advert", "placement", f"repost_{fam}", lang2, link_style=style, repost_of=p.id,
                           obfuscation=p.obfuscation)
            self.edges.append((a.platform, b.id, a.id, rp.created_at - 30))
        return p

    def suspend(self, a: Acct) -> float:
        last = self.last_post.get(a.id, a.created_at)
        a.suspended_at = round(last + self.rng.uniform(600, DAY))
        return a.suspended_at

    def bot_flood(self, budget: int) -> int:
        r = self.rng
        lang = self.lang()
        a = self.account("bot", lang, bio="" if r.random() < 0.5 else self.emo())
        fam = self.ch(["compound", "euphemism", "emoji_code", "age_goods", "coded_hashtag"])
        base, lang2, style = self.advert_text(fam, lang)
        if fam != "coded_hashtag":
            base = re.sub(r"\s*#\w+", "", base).strip() or base
        tagpool = [self.coded_tag() for _ in range(5)]
        n = min(budget, r.randint(6, 22))
        t = self.time_in(max(T0, a.created_at + 120), T_END - DAY)
        obf = r.random() < 0.42
        tech = self.obf.pick()
        for _ in range(n):
            text = base + self.ch(self.adv["flood_suffixes"])
            if r.random() < 0.7:
                text += " " + " ".join(r.sample(tagpool, r.randint(1, 3)))
            if r.random() < 0.4:
                text += " " + self.rand(string.ascii_lowercase + string.digits, r.randint(3, 6))
            p = self.post(a, text, t, "advert", "bot_flood", fam, lang2, link_style=style)
            if obf:
                words = self.keywords(lang2)
                toks = [w for w in re.split(r"\s+", p.text) if w.lower() in {k.lower() for k in words}]
                if toks:
                    for w in toks[:2]:
                        ow, label = self.obf.word(w, tech)
                        p.text = p.text.replace(w, ow, 1)
                    p.obfuscation = label
                else:
                    p.text, p.obfuscation = self.obf.text(p.text)
            t += r.uniform(5, 240)
        if r.random() < 0.6:
            self.suspend(a)
        return n

    def evasion_episode(self) -> tuple[int, int]:
        """An advertiser, its suspension, and one or two successors announcing themselves; returns
        (adverts, announcements)."""
        r = self.rng
        lang = self.lang()
        old = self.account("advertiser", lang, created_at=T0 - r.uniform(0, 30) * DAY,
                           bio=self.expand("{flair} {sale} {contact}", lang, self.adv, self.adv_fills(lang)))
        t = self.time_in(T0, T0 + 2 * DAY)
        adv = 0
        for _ in range(r.randint(1, 3)):
            self.one_advert(old, lang, t)
            adv += 1
            t += r.uniform(600, 6 * 3600)
        ann = 0
        prev = old
        for k in range(r.choice([1, 1, 1, 2])):
            s = self.suspend(prev)
            base = prev.handle.split("@")[0].replace(".bsky.social", "")
            h = self.ch(self.ev["handle_variants"]).replace("{h}", base).replace("{k}", str(k + 2 + r.randint(0, 5)))
            if h in self.handles:
                h += str(r.randint(10, 99))
            self.handles.add(h)
            bio = self.ch(self.ev["bio_prefix"]).replace("{k}", str(k + 2)) + prev.bio
            new = self.account("evader", lang, platform=prev.platform, created_at=s + r.uniform(300, DAY),
                               handle=h, bio=bio,
                               display=prev.display_name if r.random() < 0.7 else prev.display_name + " 2")
            new.predecessor = prev.id
            t = new.created_at + r.uniform(60, 3 * 3600)
            for _ in range(r.choice([1, 1, 2])):
                sub = self.ch(list(self.ev["announcements"]))
                lst, l2 = self.pick_lang_list(self.ev["announcements"][sub], lang)
                box: list[str] = []
                fills = self.adv_fills(l2, box)
                fills["old"] = prev.handle.split("@")[0]
                fills["new2"] = h + "_bk"
                fills["k"] = str(k + 2)
                text = self.expand(self.ch(lst), l2, self.adv, fills)
                if r.random() < 0.3:
                    extra, _, style = self.advert_text(self.ch(["compound", "euphemism", "emoji_code"]), l2)
                    text += " " + extra
                    box.append(style)
                styles = [b for b in box if b != "none"]
                p = self.post(new, self.noise(text, l2), t, "evasion_announcement", "evasion", sub, l2,
                              link_style=styles[0] if styles else "none")
                self.harmful_obf(p, self.keywords(l2), rate=0.4)
                ann += 1
                t += r.uniform(300, 8 * 3600)
            if r.random() < 0.5:
                self.one_advert(new, lang, t)
                adv += 1
            for f in self.accounts[-40:]:
                if f.role in ("benign", "commenter", "advertiser") and f is not new and r.random() < 0.1:
                    self.edges.append((new.platform, f.id, prev.id,
                                       max(prev.created_at, f.created_at) + r.uniform(0, 3600)))
                    self.edges.append((new.platform, f.id, new.id, new.created_at + r.uniform(60, 7200)))
            prev = new
        return adv, ann
