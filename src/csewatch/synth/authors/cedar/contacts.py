"""cedar's contact routes (links, ids, DM and bio pointers) and prices."""

from __future__ import annotations

import string
from typing import Any

from csewatch.synth.authors.cedar.model import _B32, _B64


class ContactsMixin:
    """Contact routes and prices for ``Author``."""

    def rand(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def host_path(self) -> tuple[str, str]:
        c = self.contacts
        kinds = list(c["host_weights"])
        kind = self.rng.choices(kinds, [c["host_weights"][k] for k in kinds])[0]
        host = self.ch(c["hosts"][kind])
        word = self.ch(c["words"])
        if kind == "telegram":
            path = "+" + self.rand(_B64, 16) if self.rng.random() < 0.5 else f"{word}{self.rng.randint(1, 999)}"
        elif kind == "discord":
            path = self.rand(string.ascii_letters + string.digits, self.rng.randint(7, 10))
        elif kind == "mega":
            path = self.rand(_B64, 8) + "#" + self.rand(_B64, 22)
        elif kind == "dropbox":
            path = self.rand(string.ascii_lowercase + string.digits, 15)
        else:
            path = self.rand(string.ascii_letters + string.digits, self.rng.randint(5, 8))
        return host, path

    def url(self) -> str:
        host, path = self.host_path()
        return f"https://{host}/{path}"

    def id_route(self) -> str:
        tpl = self.ch(self.contacts["id_routes"])
        return (tpl.replace("{hex64}", self.rand("0123456789abcdef", 64))
                .replace("{THREE8}", self.rand(string.ascii_uppercase + string.digits, 8))
                .replace("{phone}", str(self.rng.randint(10**10, 10**12)))
                .replace("{n2}", str(self.rng.randint(10, 99)))
                .replace("{n3}", str(self.rng.randint(100, 999)))
                .replace("{word}", self.ch(self.contacts["words"]), 1)
                .replace("{word}", self.ch(self.contacts["words"])))

    def contact(self, lang: str, style: str | None = None, no_bio: bool = False) -> tuple[str, str]:
        c = self.contacts
        styles = [s for s in c["link_styles"] if not (no_bio and s == "bio")]
        style = style or self.rng.choices(styles, [c["link_styles"][s] for s in styles])[0]
        if style in ("dm", "bio"):
            lst, _ = self.pick_lang_list(c[f"{style}_routes"], lang)
            return self.ch(lst), style
        if style == "id_route":
            return self.id_route(), style
        if style == "onion":
            host = self.rand(_B32, 56) + ".onion"
            return (f"http://{host}" if self.rng.random() < 0.5 else host), style
        host, path = self.host_path()
        if style == "url":
            return f"https://{host}/{path}", style
        if style == "bare":
            return f"{host}/{path}", style
        if style == "written_dots":
            return host.replace(".", self.ch(c["dots"])) + "/" + path, style
        if style == "spaced":
            return host + self.ch(c["slashes"]) + path, style
        return host.replace(".", "") + "/" + path, style  # dropped_dots

    def local_price(self, lang: str) -> str:
        """An ordinary price in the currency of the language."""
        lst, _ = self.pick_lang_list(self.contacts["local_prices"], lang)
        fmt, lo, hi = self.ch(lst)
        return fmt.replace("{n}", str(self.rng.randint(lo, hi)))

    def post_price(self, lang: str) -> Any:
        """A price maker with one currency format for a whole post."""
        lst, _ = self.pick_lang_list(self.contacts["local_prices"], lang)
        fmt, lo, hi = self.ch(lst)
        return lambda: fmt.replace("{n}", str(self.rng.randint(lo, hi)))

    def price(self, lang: str | None = None) -> str:
        if lang and self.rng.random() < 0.4:
            return self.local_price(lang)
        if self.rng.random() < 0.12:
            return self.ch(self.contacts["price_words"])
        fmt, lo, hi = self.ch(self.contacts["prices"])
        s = fmt.replace("{n}", str(self.rng.randint(lo, hi)))
        if self.rng.random() < 0.2:
            s += " " + self.ch(self.contacts["price_words"])
        return s
