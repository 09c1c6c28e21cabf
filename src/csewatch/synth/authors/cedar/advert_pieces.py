"""cedar's advert pieces: compounds, age ranges, coded tags, menus, fills and advert text."""

from __future__ import annotations

import re


class AdvertPiecesMixin:
    """The parts an advert is made of, for ``Author``."""

    def compound(self, lang: str) -> str:
        ls = self.adv["lang_slots"].get(lang, self.adv["lang_slots"]["en"])
        minor, material = self.ch(ls["minor"]), self.ch(ls["material"])
        if self.rng.random() < 0.3:  # English compounds travel across languages
            en = self.adv["lang_slots"]["en"]
            minor, material = self.ch(en["minor"]), self.ch(en["material"])
        a, b = minor.replace(" ", ""), material.replace(" ", "")
        style = self.rng.randrange(9)
        if style == 0:
            return a + b
        if style == 1:
            return a[:1].upper() + a[1:] + b[:1].upper() + b[1:]
        if style == 2:
            return "#" + a + b
        if style == 3:
            return f"{a}_{b}"
        if style == 4:
            return f"{a}-{b}"
        if style == 5:
            return f"{a}.{b}"
        if style == 6:
            return (a + b).upper()
        return f"{minor} {material}"

    def agerange(self, lang: str) -> str:
        ar = self.adv["agerange"]
        lst, _ = self.pick_lang_list(ar["forms"], lang)
        a = self.rng.randint(ar["low"], ar["high"] - 2)
        b = self.rng.randint(a + 1, ar["high"])
        return self.ch(lst).replace("{a}", str(a)).replace("{b}", str(b))

    def coded_tag(self) -> str:
        c = self.adv["coded"]
        r = self.rng.random()
        if r < 0.35:
            return "#" + self.ch(self.invented) + self.ch(c["suffixes"])
        base = self.ch(c["bases"])
        if r < 0.5:
            mid = list(base[1:-1])
            self.rng.shuffle(mid)
            base = base[0] + "".join(mid) + base[-1]
        elif r < 0.65:
            base = "".join(ch for i, ch in enumerate(base) if ch not in "aeiou" or i == 0)
        elif r < 0.8:
            base = base[:1].upper() + base[1:4] + base[4:5].upper() + base[5:]
        return "#" + base + self.ch(c["suffixes"])

    def tags(self, lang: str) -> str:
        n = self.rng.randint(1, 3)
        out = []
        for _ in range(n):
            if self.rng.random() < 0.5:
                out.append(self.coded_tag())
            else:
                out.append("#" + re.sub(r"[^\w]", "", self.compound(lang)))
        return " ".join(out)

    def emo(self) -> str:
        return self.ch(self.adv["emoji_codes"])

    def menu(self, lang: str) -> str:
        m = self.adv["menu"]
        hdr, _ = self.pick_lang_list(m["headers"], lang)
        lines = [self.ch(hdr)]
        sep = self.ch(m["separators"])
        bullet = self.ch(m["bullets"])
        for i in range(1, self.rng.randint(3, 6)):
            item = self.expand(self.ch(m["items"]), lang, self.adv, self.adv_fills(lang))
            lines.append(bullet.replace("{i}", str(i)) + item + sep + self.price(lang))
        footer = self.ch(m["footers"])
        lines.append(self.expand(footer, lang, self.adv, self.adv_fills(lang)))
        return "\n".join(lines)

    def adv_fills(self, lang: str, style_box: list | None = None, no_bio: bool = False) -> dict:
        def contact() -> str:
            text, style = self.contact(lang, no_bio=no_bio)
            if style_box is not None:
                style_box.append(style)
            return text

        return {
            "contact": contact,
            "price": lambda: self.price(lang),
            "compound": lambda: self.compound(lang),
            "agerange": lambda: self.agerange(lang),
            "n": lambda: str(self.rng.choice([3, 5, 10, 20, 50, 100, 200, 500])),
            "tags": lambda: self.tags(lang),
            "codedtags": lambda: " ".join(self.coded_tag() for _ in range(self.rng.randint(2, 4))),
            "emo": self.emo,
            "menu": lambda: self.menu(lang),
            "pw": lambda: self.ch(self.contacts["price_words"]),
            "url": self.url,
        }

    def advert_text(self, family: str, lang: str, no_bio: bool = False) -> tuple[str, str, str]:
        """(text, lang, link_style) for one advert of a family."""
        fam = self.adv["families"][family]
        lst, lang = self.pick_lang_list({k: v for k, v in fam.items() if k != "weight"}, lang)
        box: list[str] = []
        text = self.expand(self.ch(lst), lang, self.adv, self.adv_fills(lang, box, no_bio))
        if self.rng.random() < 0.25 and "#" not in text:
            text += " " + self.tags(lang)
        return text, lang, (box[0] if box else "none")
