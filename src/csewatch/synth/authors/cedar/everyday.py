"""cedar's everyday stream: hard negatives, ordinary posts and the follow graph."""

from __future__ import annotations

import string
from typing import Any

from csewatch.synth.authors.cedar.model import _B32, _B64, DAY, Acct


class EverydayMixin:
    """Hard negatives, ordinary posts and follows for ``Author``."""

    def hard_negative(self) -> int:
        r = self.rng
        fams = self.hn["families"]
        names = list(fams)
        fam = r.choices(names, [fams[f]["weight"] for f in names])[0]
        subs = fams[fam]["subfamilies"]
        sub = self.ch(list(subs))
        langs = [k for k, v in subs[sub].items() if v]
        lang = self.lang(langs)
        persona = fams[fam].get("persona", "generic")
        a = self.benign_acct(persona, lang)
        fills = {
            "price": self.post_price(lang), "age": lambda: str(r.randint(3, 15)),
            "n": lambda: str(r.randint(2, 60)),
            "kidages": lambda: self.ch(["ages 4-6", "size 9-12", "2-3T", "10-12 yrs", "7-8", "6-9 anos",
                                        "4-5 años", "umur 3-5 th", "8-10 Jahre", "9-12 ans", "5-7 лет"]),
            "tglink": lambda: f"https://t.me/{self.ch(['signals', 'vipcrypto', 'pumpclub', 'fx'])}"
                              f"{r.randint(10, 9999)}",
            "megalink": lambda: "https://mega.nz/folder/" + self.rand(_B64, 8) + "#" + self.rand(_B64, 22),
            "discordlink": lambda: "https://discord.gg/" + self.rand(string.ascii_letters, 8),
            "shoplink": lambda: self.ch(["https://", ""]) + self.ch(["order.", "www.", ""])
                                + self.ch(["tonyspizza", "pizzaria-ze", "luigis", "pizzakita", "gino"])
                                + self.ch([".com", ".com.br", ".it", ".id", ".ph"]) + self.ch(["", "/menu", "/promo"]),
            "url": lambda: "https://" + self.ch(["example.org", "github.com", "codeforces.com", "itch.io"]) + "/"
                           + self.rand(string.ascii_lowercase, 6),
            "handle": lambda: self.make_handle(),
            "yr": lambda: str(r.randint(1, 6)),
            "onion": lambda: self.rand(_B32, 56) + ".onion",
            "code": lambda: self.rand(string.ascii_letters + string.digits, 8),
            "word": lambda: self.ch(self.contacts["words"]),
        }
        text = self.noise(self.frame(self.expand(self.ch(subs[sub][lang]), lang, {}, fills), lang), lang)
        kw: dict[str, Any] = {}
        if fam == "file_sharing" and r.random() < 0.4:
            kw["group_id"] = self.ch(self.groups)
        if fam == "trading_cards" and r.random() < 0.3:
            kw["group_id"] = self.ch(self.groups)
        if r.random() < 0.15:
            text += " " + " ".join("#" + self.ch(self.ordv["hashtags"]) for _ in range(r.randint(1, 2)))
        p = self.post(a, text, self.time_in(), "hard_negative", fam, sub, lang,
                      media=r.random() < 0.3, **kw)
        if r.random() < 0.1:
            p.text, p.obfuscation = self.obf.text(p.text, benign=True)
        return 1

    def ordinary(self) -> int:
        r = self.rng
        lang = self.lang()
        posts = self.ordv["posts"]
        if r.random() < 0.05:
            text, l2 = self.ch(posts["mix"]), self.ch(["tl", "es", "pt", "id"])
        else:
            lst, l2 = self.pick_lang_list(posts, lang)
            fills = {"n": lambda: str(r.randint(2, 6)), "month": lambda: self.ch(self.ordv["months"])}
            text = self.expand(self.ch(lst), l2, self.ordv, fills)
        if r.random() < 0.2:
            text += " #" + self.ch(self.ordv["hashtags"])
        a = self.benign_acct("generic", l2)
        p = self.post(a, self.noise(self.frame(text, l2), l2), self.time_in(), "ordinary", "ordinary", "everyday", l2,
                      media=r.random() < 0.2)
        if a.followers > 300:
            self.popular.append(p)
        made = 1
        if r.random() < 0.15:
            for _ in range(r.randint(1, 3)):
                rl, l3 = self.pick_lang_list(self.ordv["replies"], l2)
                b = self.account("benign", l3, platform=p.platform) if r.random() < 0.3 else self.benign_acct(
                    "generic", l3)
                if b.platform != p.platform:
                    continue
                self.post(b, self.ch(rl), p.created_at + r.uniform(60, DAY), "benign_reply", "benign_reply",
                          "ordinary_thread", l3, reply_to=p.id, reply_root=p.id)
                made += 1
        return made

    def follows(self, n: int) -> None:
        r = self.rng
        by_plat: dict[str, list[Acct]] = {}
        for a in self.accounts:
            by_plat.setdefault(a.platform, []).append(a)
        for _ in range(n // 6):
            plat = self.platform()
            lst = by_plat.get(plat, [])
            if len(lst) < 2:
                continue
            a, b = r.sample(lst, 2)
            t = max(a.created_at, b.created_at) + r.uniform(60, 5 * DAY)
            self.edges.append((plat, a.id, b.id, t))
