"""elm's code-made slots (``s_<name>``): contact routes in several written styles, prices, tags, ages, handles."""

from __future__ import annotations

import string

LINK_STYLES = ["url", "url", "url", "bare_host", "bare_host", "written_dots", "spaced", "dropped_dot",
               "slash_space", "app_id", "onion", "dm", "bio", "dm"]


class SlotsMixin:
    """The slots ``Author`` computes instead of drawing from the table."""

    def _rid(self, n: int, alphabet: str = string.ascii_lowercase + string.digits) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def _invent_tag(self) -> str:
        rng = self.rng
        cons, vow = "bcdfghjklmnprstvwxz", "aeiouy"
        n = rng.randint(3, 5)
        core = "".join(rng.choice(cons) + (rng.choice(vow) if rng.random() < 0.5 else "") for _ in range(n))
        if rng.random() < 0.4:
            core += str(rng.randint(2, 99))
        if rng.random() < 0.3:
            core = core[:2].upper() + core[2:]
        return core

    def s_contact(self) -> str:
        rng = self.rng
        style = rng.choice(LINK_STYLES)
        self.cur_style = style
        if style in ("dm", "bio"):
            return rng.choice(self.lookup("contact_words"))
        if style == "app_id":
            app = rng.choice(self.common["id_apps"])
            ident = {"session": "05" + self._rid(64, "0123456789abcdef"), "threema": self._rid(8, string.ascii_uppercase
                                                                                                  + string.digits),
                     "signal": f"{self._rid(6, string.ascii_lowercase)}.{rng.randint(10, 99)}"}.get(app, self._rid(9))
            return f"{app}{rng.choice([': ', ' ', ' - ', ':'])}{ident}"
        if style == "onion":
            host = self._rid(56, "abcdefghijklmnopqrstuvwxyz234567") + ".onion"
            return rng.choice(["", "http://"]) + host
        kind = rng.choice(["tg", "tg", "tg", "discord", "file"])
        if kind == "tg":
            host = rng.choice(self.common["telegram_hosts"])
            path = "+" + self._rid(16, string.ascii_letters + string.digits) if rng.random() < 0.4 else self._rid(
                rng.randint(5, 12), string.ascii_lowercase + "_" + string.digits)
        elif kind == "discord":
            host, path = rng.choice(self.common["discord_hosts"]), self._rid(8, string.ascii_letters + string.digits)
        else:
            host = rng.choice(self.common["file_hosts"])
            path = self._rid(8, string.ascii_letters + string.digits) + (
                "#" + self._rid(22, string.ascii_letters + string.digits) if host.startswith("mega") else "")
        return self._style_link(style, host, path)

    def _style_link(self, style: str, host: str, path: str) -> str:
        rng = self.rng
        if style == "url":
            return f"https://{host}/{path}"
        if style == "bare_host":
            return f"{host}/{path}"
        if style == "written_dots":
            return host.replace(".", rng.choice(self.common["dot_words"])) + "/" + path
        if style == "spaced":
            return host.replace(".", " . ") + " / " + path
        if style == "dropped_dot":
            return host.replace(".", "", 1) + "/" + path
        return host + rng.choice(self.common["slash_forms"][1:]) + path

    def s_price(self) -> str:
        rng = self.rng
        lang_cur = {"ru": ["руб", "₽", "USDT"], "id": ["rb", "Rp", "dana"], "tl": ["₱", "php", "gcash"],
                    "pt": ["R$"], "de": ["€", "eur"], "fr": ["€", "eur"], "it": ["€", "eur"], "es": ["€", "usd", "$"]}
        cur = rng.choice(lang_cur.get(self.cur_lang, ["$"])) if rng.random() < 0.7 else rng.choice(
            self.common["currencies"])
        amt = rng.choice([5, 10, 15, 20, 25, 30, 35, 40, 50, 60, 75, 100, 150, 200])
        if cur in ("руб", "₽"):
            return f"{amt * 50} {cur}" if rng.random() < 0.6 else f"{amt * 50}{cur}"
        if cur == "rb":
            return f"{amt * 10}rb"
        if cur == "Rp":
            return f"Rp {amt * 10}.000" if rng.random() < 0.5 else f"Rp{amt * 10}k"
        if cur in ("₱", "php", "gcash", "dana"):
            v = amt * 50
            return f"₱{v}" if cur == "₱" else (f"{v / 1000:.1f}k {cur}" if v >= 1000 and rng.random() < 0.5
                                               else f"{v} {cur}")
        if cur in ("$", "€", "£", "R$"):
            return rng.choice([f"{cur}{amt}", f"{amt}{cur}", f"{cur} {amt}", f"{cur}{amt}.00"])
        if cur == "btc":
            return f"{amt / 60000:.5f} btc"
        if cur == "k":
            return f"{amt}k"
        return rng.choice([f"{amt} {cur}", f"{amt}{cur}", f"{amt} {cur.upper()}"])

    def s_crypto(self) -> str:
        return self.rng.choice(self.common["crypto_only"])

    def s_age(self) -> str:
        rng = self.rng
        a = rng.randint(6, 13)
        b = a + rng.randint(1, 4)
        join = {"es": " a ", "pt": " a ", "fr": " à ", "de": " bis ", "it": " a ", "ru": " до ", "id": " sampai ",
                "tl": " hanggang "}.get(self.cur_lang, " to ")
        return rng.choice([f"{a}-{b}", f"{a}–{b}", f"{a} - {b}", f"{a}{join}{b}", f"{a}/{b}", f"{b}-", f"{a}~{b}"])

    def s_under(self) -> str:
        rng = self.rng
        n = rng.randint(10, 15)
        word = {"es": "menos de", "pt": "menos de", "fr": "moins de", "de": "unter", "it": "sotto i", "ru": "до",
                "id": "dibawah", "tl": "below"}.get(self.cur_lang, "under")
        return rng.choice([f"{word} {n}", f"u{n}", f"<{n}", f"-{n}", f"{word} {n}yo", f"U-{n}"])

    def s_tags(self) -> str:
        rng = self.rng
        parts, glue = self.adv["tag_parts"], self.adv["tag_glue"]
        out = []
        for _ in range(rng.randint(2, 7)):
            r = rng.random()
            if r < 0.35:
                out.append(rng.choice(glue) + rng.choice(parts))
            elif r < 0.55:
                out.append(rng.choice(glue).capitalize() + rng.choice(parts).capitalize())
            elif r < 0.7:
                out.append(rng.choice(self.newtags))
            elif r < 0.85:
                out.append(rng.choice(parts) + str(rng.randint(1, 99)))
            else:
                w = list(rng.choice(glue) + rng.choice(parts))
                rng.shuffle(w)
                out.append("".join(w))
        sep = rng.choice([" ", " ", "\n", "  "])
        return sep.join("#" + t for t in out)

    def s_btags(self) -> str:
        picks = self.rng.sample(self.common["benign_tags"], k=self.rng.randint(2, 6))
        return self.rng.choice([" ", "\n"]).join("#" + t for t in picks)

    def s_stags(self) -> str:
        picks = self.rng.sample(self.common["spam_tags"], k=self.rng.randint(2, 6))
        return self.rng.choice([" ", "\n"]).join("#" + t for t in picks)

    def s_newtag(self) -> str:
        return "#" + self.rng.choice(self.newtags)

    def s_e(self) -> str:
        return "".join(self.rng.choice(self.common["emoji_spam"]) for _ in range(self.rng.randint(1, 3)))

    def s_ecode(self) -> str:
        return self.rng.choice(self.common["emoji_code_tokens"])

    def s_ehot(self) -> str:
        return self.rng.choice(self.common["emoji_hearts"])

    def s_o_n(self) -> str:
        return str(self.rng.randint(2, 45))

    def s_n(self) -> str:
        return str(self.rng.randint(2, 60))

    def s_kage(self) -> str:
        return str(self.rng.randint(4, 13))

    def s_uage(self) -> str:
        return str(self.rng.choice([8, 9, 10, 11, 12, 13, 14]))

    def s_old(self) -> str:
        return self.old_handle

    def s_handle(self) -> str:
        return "@" + self._handle_base("en")

    def s_link(self) -> str:
        return self.rng.choice(self.neg["benign_links"]).replace("{n}", str(self.rng.randint(100, 99999)))

    def s_tg(self) -> str:
        style = self.rng.choice(["url", "url", "bare_host", "written_dots", "dropped_dot"])
        self.cur_style = style
        return self._style_link(style, self.rng.choice(self.common["telegram_hosts"]),
                                self._rid(self.rng.randint(6, 12), string.ascii_lowercase + "_"))

    def s_discord(self) -> str:
        return self._style_link(self.rng.choice(["url", "bare_host"]), "discord.gg", self._rid(8, string.ascii_letters))

    def s_contact_plain(self) -> str:
        return self.rng.choice(["dm me", "pm", "text me", "msg for pics", "pick up only", "inbox me"])
