"""birch's slot filling: word lists per language and the computed slots (``s_<name>``: prices,
ages, tags, contact routes, menus)."""

from __future__ import annotations

import re
import string

from csewatch.synth.authors.birch.model import _ALNUM, _B32, _MARKS, KC, KO, PC, PO

_SLOT = re.compile(r"\{([a-z_0-9]+)\}")


class SlotsMixin:
    """Template slot filling for ``Birch``."""

    def _list(self, name: str, lang: str) -> list[str]:
        entry = self.slots.get(name)
        if entry is None:
            raise KeyError(f"birch vocab: no slot {name!r}")
        if isinstance(entry, dict):
            if lang == "mix" and "mix" not in entry and len(entry) > 1:
                # code-switching: each slot of a mixed-language post speaks a language of its own
                return entry[self.rng.choice(sorted(entry))]
            return entry.get(lang) or entry.get("en") or entry.get("any") or next(iter(entry.values()))
        return entry  # type: ignore[return-value]

    def word(self, name: str, lang: str) -> str:
        return str(self.rng.choice(self._list(name, lang)))

    def fill(self, template: str, lang: str, depth: int = 0) -> str:
        def rep(m: re.Match[str]) -> str:
            name = m.group(1)
            fn = getattr(self, f"s_{name}", None)
            val = fn(lang) if fn is not None else self.word(name, lang)
            if depth < 5 and "{" in val:
                val = self.fill(val, lang, depth + 1)
            if name in self.key_slots:
                val = KO + _MARKS.sub("", val) + KC
            return val

        return _SLOT.sub(rep, template)

    # computed slots (s_<name>)
    def s_price(self, lang: str) -> str:
        groups = self.v["contacts"]["lang_currency"].get(lang, ["usd", "eur", "crypto"])
        group = self.rng.choice(groups + ["usd", "crypto"])
        spec = self.v["contacts"]["currencies"][group]
        lo, hi, step = spec["range"]
        n = self.rng.randrange(lo, hi + 1, step)
        return self.rng.choice(spec["formats"]).replace("<n>", str(n))

    def s_bprice(self, lang: str) -> str:
        groups = self.v["contacts"]["lang_currency"].get(lang, ["usd", "eur"])
        group = self.rng.choice([g for g in groups if g != "crypto"] or ["usd"])
        spec = self.v["contacts"]["currencies"][group]
        lo, hi, step = spec.get("brange", spec["range"])
        n = self.rng.randrange(lo, hi + 1, step)
        return self.rng.choice([f for f in spec["formats"] if "<n>" in f]).replace("<n>", str(n))

    def s_age_range(self, lang: str) -> str:
        a = self.rng.randint(5, 13)
        b = min(17, a + self.rng.randint(2, 5))
        fmt = self.word("age_range_formats", lang)
        return fmt.replace("<a>", str(a)).replace("<b>", str(b))

    def s_under(self, lang: str) -> str:
        return self.word("under_formats", lang).replace("<n>", str(self.rng.randint(10, 16)))

    def s_age(self, lang: str) -> str:
        return str(self.rng.randint(1, 16))

    def s_cage(self, lang: str) -> str:
        return str(self.rng.randint(8, 15))

    def s_num(self, lang: str) -> str:
        return str(self.rng.randint(2, 60))

    def s_big(self, lang: str) -> str:
        return str(self.rng.choice([100, 150, 200, 300, 500, 700, 1000, 1200, 2000, 5000]))

    def s_gb(self, lang: str) -> str:
        return (
            f"{self.rng.choice([5, 10, 20, 30, 50, 80, 100, 120, 200, 500])}{self.rng.choice(['GB', 'gb', ' GB', 'G'])}"
        )

    def s_year(self, lang: str) -> str:
        return str(self.rng.randint(1998, 2025))

    def s_handle(self, lang: str) -> str:
        return "@" + self._handle_base(self.rng.random() < 0.5)

    def s_old_handle(self, lang: str) -> str:
        return "@" + self.ctx.get("old_handle", self._handle_base(True))

    def s_newtag(self, lang: str) -> str:
        return "#" + KO + self.rng.choice(self.newtags) + KC

    def s_compound(self, lang: str) -> str:
        style = self.ctx.get("compound_style") or self.rng.choice(["token", "camel", "hashtag", "neighbours", "hyphen"])
        minor = self.word("minor_words", lang)
        goods = self.word("goods_words", lang)
        if style == "neighbours" or " " in minor or " " in goods:
            return KO + minor + KC + " " + KO + goods + KC
        if style == "hyphen":
            return KO + minor + self.rng.choice(["-", "_", "."]) + goods + KC
        if style == "camel":
            return KO + minor[:1].upper() + minor[1:] + goods[:1].upper() + goods[1:] + KC
        if style == "hashtag":
            return "#" + KO + minor + goods + KC
        return KO + minor + goods + KC

    def s_ctag(self, lang: str) -> str:
        minor = self.word("minor_words", "en").replace(" ", "")
        goods = self.word("goods_words", "en").replace(" ", "")
        style = self.rng.randrange(5)
        if style == 0:
            tag = minor + goods
        elif style == 1:
            tag = minor.capitalize() + goods.capitalize()
        elif style == 2:
            tag = minor + goods + self.word("tag_suffix", "en")
        elif style == 3:
            letters = list(minor + goods)
            self.rng.shuffle(letters)
            tag = "".join(letters)
        else:
            tag = goods + minor + str(self.rng.randint(1, 99))
        return "#" + KO + tag + KC

    def s_tags(self, lang: str) -> str:
        out = []
        for _ in range(self.rng.randint(1, 4)):
            r = self.rng.random()
            if r < 0.25:
                out.append(self.s_newtag(lang))
            elif r < 0.5:
                out.append(self.s_ctag(lang))
            else:
                out.append("#" + self.word("adv_tags", lang))
        return " ".join(out)

    def s_btags(self, lang: str) -> str:
        return " ".join("#" + self.word("benign_tags", lang) for _ in range(self.rng.randint(1, 3)))

    def s_contact(self, lang: str) -> str:
        return self._contact(
            lang,
            (
                "telegram",
                "discord",
                "mega",
                "dropbox",
                "onion",
                "session",
                "wickr",
                "threema",
                "signal",
                "dm",
                "bio",
                "telegram",
                "telegram",
                "mega",
            ),
        )

    def s_link(self, lang: str) -> str:
        return self._contact(lang, ("telegram", "discord", "mega", "dropbox", "telegram"))

    def _contact(self, lang: str, kinds: tuple[str, ...]) -> str:
        kind = self.rng.choice(kinds)
        c = self.v["contacts"]
        if kind in ("dm", "bio"):
            self.ctx["link_style"] = kind
            return self.word(f"{kind}_phrase", lang)
        if kind in ("session", "wickr", "threema", "signal"):
            ident = {
                "session": "05" + self._rand("0123456789abcdef", 64),
                "wickr": self._handle_base(True),
                "threema": self._rand(string.ascii_uppercase + string.digits, 8),
                "signal": f"{self._handle_base(True)}.{self.rng.randint(1, 99):02d}",
            }[kind]
            self.ctx["link_style"] = "messenger_id"
            return PO + self.rng.choice(c["messenger_frames"][kind]).replace("<id>", ident) + PC
        host, path = self._host_path(kind)
        if kind == "telegram" and self.rng.random() < 0.2:
            self.ctx["link_style"] = "at_handle"
            return PO + self.rng.choice(c["tg_handle_frames"]).replace("<id>", path.lstrip("+")) + PC
        style = self.rng.choice(c["link_styles"])
        if kind == "onion":
            style = self.rng.choice(["full", "bare", "bracket_dot", "word_dot"])
        if style == "full":
            url = ("http://" if kind == "onion" else "https://") + host + "/" + path
            self.ctx.setdefault("urls", []).append(url)
            shown = url
        elif style == "bare":
            shown = f"{host}/{path}"
        elif style == "bracket_dot":
            shown = host.replace(".", self.rng.choice(["[.]", "(.)", "{.}", "[dot]", "(dot)"])) + "/" + path
        elif style == "spaced_dot":
            shown = host.replace(".", self.rng.choice([" . ", " .", ". "])) + "/" + path
        elif style == "word_dot":
            shown = host.replace(".", " " + self.word("dot_words", lang) + " ") + "/" + path
        elif style == "styled_host":
            style_name = self.rng.choice(["fullwidth", "math_bold", "math_monospace", "circled"])
            shown = self.ob.apply(style_name, host, self.rng) + "/" + path
        elif style == "odd_dot":
            shown = host.replace(".", self.rng.choice(["。", "．", "･", "․", "﹒", ","])) + "/" + path
        elif style == "slash_space":
            shown = host + "/ " + path
        else:  # dropped_dot
            shown = host.replace(".", "") + "/" + path
        self.ctx["link_style"] = style
        return PO + shown + PC

    def _host_path(self, kind: str) -> tuple[str, str]:
        if kind == "telegram":
            r = self.rng.random()
            if r < 0.4:
                return "t.me", "+" + self._rand(_ALNUM + "_-", 16)
            if r < 0.5:
                return "t.me", "joinchat/" + self._rand(_ALNUM, 16)
            return self.rng.choice(["t.me", "t.me", "telegram.me"]), self._handle_base(True)
        if kind == "discord":
            return self.rng.choice(["discord.gg", "discord.gg", "discord.com/invite"]), self._rand(
                _ALNUM, self.rng.randint(7, 10)
            )
        if kind == "mega":
            return (
                "mega.nz",
                f"{self.rng.choice(['folder', 'folder', 'file'])}/{self._rand(_ALNUM, 8)}"
                f"#{self._rand(_ALNUM + '-_', 22)}",
            )
        if kind == "dropbox":
            return "dropbox.com", f"scl/fo/{self._rand(string.ascii_lowercase + string.digits, 21)}"
        return self._rand(_B32, 56) + ".onion", ""

    def s_shop_url(self, lang: str) -> str:
        url = f"https://{self.word('shop_domains', lang)}/{self.word('shop_paths', lang)}"
        self.ctx.setdefault("urls", []).append(url)
        self.ctx["link_style"] = "full"
        return PO + url + PC

    def s_tme_channel(self, lang: str) -> str:
        suffix = self.rng.choice(["", "", "_official", str(self.rng.randint(1, 99))])
        shown = f"t.me/{self.word('crypto_channels', lang)}{suffix}"
        self.ctx["link_style"] = "bare"
        if self.rng.random() < 0.6:
            shown = "https://" + shown
            self.ctx.setdefault("urls", []).append(shown)
            self.ctx["link_style"] = "full"
        return PO + shown + PC

    def s_benign_link(self, lang: str) -> str:
        kind = self.rng.choice(["discord", "mega", "dropbox", "telegram"])
        host, path = self._host_path(kind)
        url = f"https://{host}/{path}"
        if self.rng.random() < 0.7:
            self.ctx.setdefault("urls", []).append(url)
            self.ctx["link_style"] = "full"
            return PO + url + PC
        self.ctx["link_style"] = "bare"
        return PO + url[8:] + PC

    def s_menu(self, lang: str) -> str:
        return self._menu("adv_menu_item", "price", lang)

    def s_food_menu(self, lang: str) -> str:
        return self._menu("food_item", "bprice", lang)

    def s_card_menu(self, lang: str) -> str:
        return self._menu("card_item", "bprice", lang)

    def s_kids_menu(self, lang: str) -> str:
        return self._menu("kids_item", "bprice", lang)

    def s_sale_menu(self, lang: str) -> str:
        return self._menu("sale_item", "bprice", lang)

    def _menu(self, item_slot: str, price_slot: str, lang: str) -> str:
        style = self.word("menu_line_styles", "any")
        lines = []
        pool = self._list(item_slot, lang)
        picks = self.rng.sample(pool, k=min(len(pool), self.rng.randint(2, 6)))
        for i, raw_item in enumerate(picks, start=1):
            item = self.fill(str(raw_item), lang)
            price = getattr(self, f"s_{price_slot}")(lang)
            lines.append(style.replace("<i>", str(i)).replace("<item>", item).replace("<p>", price))
        if self.rng.random() < 0.45:
            lines.append(self.word("bundle_line", lang).replace("<p>", getattr(self, f"s_{price_slot}")(lang)))
        return "\n".join(lines)

    def _handle_base(self, shady: bool) -> str:
        parts = self.slots["handle_parts_adv" if shady else "handle_parts"]
        a = self.rng.choice(parts)  # type: ignore[arg-type]
        r = self.rng.random()
        if r < 0.3:
            a += self.rng.choice(["_", "", "."]) + self.rng.choice(parts)  # type: ignore[arg-type]
        if r > 0.5:
            a += str(self.rng.randint(1, 9999))
        return a.replace(".", "_") if shady else a
