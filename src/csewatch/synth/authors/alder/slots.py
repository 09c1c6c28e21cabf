"""alder's computed slots: prices, ages, contact routes (links, messenger ids, DM/bio pointers), tags."""

from __future__ import annotations

import re
import string

from csewatch.synth.authors.alder.model import _B32, Ctx


class SlotsMixin:
    """The slots ``Author.dyn`` computes instead of drawing from a word list."""

    def _year(self, ctx: Ctx) -> str:
        return str(self.rng.choice([2019, 2021, 2022, 2023, 2024, 2025, 2026]))

    def _plain_price(self, ctx: Ctx) -> str:
        form, lo, hi, step = self.rng.choice(self._price_forms(ctx, "benign_price_forms"))
        return str(form).replace("#N", str(self.rng.randrange(int(lo), int(hi) + 1, int(step))))

    def _price_forms(self, ctx: Ctx, base: str) -> list:
        forms = None
        for lang in ctx.langs:
            forms = self.v.data[base].get(lang)  # type: ignore[attr-defined]
            if forms and self.rng.random() < 0.7:
                break
        return forms or self.v.data[base]["en"]  # type: ignore[index]

    def _price(self, ctx: Ctx) -> str:
        rng = self.rng
        if rng.random() < 0.15:
            return rng.choice(self.s["pay_only"])
        forms = self._price_forms(ctx, "price_forms") if rng.random() < 0.75 else self.v.data["price_forms"]["any"]
        form, lo, hi, step = rng.choice(forms)  # type: ignore[misc]
        amount = rng.randrange(int(lo), int(hi) + 1, int(step))
        out = str(form).replace("#N", str(amount))
        if rng.random() < 0.2:
            out += " " + rng.choice(self.s["pay_only"])
        return out

    def _age(self, ctx: Ctx) -> str:
        return str(self.rng.randint(8, 15))

    def _agerange(self, ctx: Ctx) -> str:
        rng = self.rng
        a = rng.randint(5, 13)
        b = min(17, a + rng.randint(2, 5))
        forms = self.v.data["age_forms"]
        for lang in ctx.langs:
            if lang in forms and rng.random() < 0.75:  # type: ignore[operator]
                form = rng.choice(forms[lang])  # type: ignore[index]
                break
        else:
            form = rng.choice(forms["en"])  # type: ignore[index]
        return form.replace("#A", str(a)).replace("#B", str(b))

    def _dm(self, ctx: Ctx) -> str:
        ctx.styles.append("dm")
        return self.rng.choice(self.slot("dm_phrase", ctx))

    def _inbio(self, ctx: Ctx) -> str:
        ctx.styles.append("link_in_bio")
        return self.rng.choice(self.slot("inbio_phrase", ctx))

    def _token(self, kind: str) -> str:
        rng = self.rng
        if kind == "invite":
            return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(6, 10)))
        if kind == "tginvite":
            return "+" + "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(16))
        if kind == "mega":
            a = "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))
            b = "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(22))
            return f"{a}#{b}"
        if kind == "token":
            return "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(15))
        if kind == "drive":
            return "1" + "".join(rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(32))
        if kind == "short":
            return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(rng.randint(5, 7)))
        if kind == "handle":
            return self._handle("adv")
        if kind == "onion":
            return ""
        raise ValueError(kind)

    def _link(self, ctx: Ctx, benign: bool = False) -> str:
        """A link-like contact route in one written style; the style goes to the label. Benign links
        (study groups, signal channels) come from the everyday services only."""
        rng = self.rng
        services = self.v.data["services"]
        if benign:
            services = [s for s in services if s["name"] in self.v.data["benign_services"]]  # type: ignore[union-attr]
        svc = rng.choice(services)  # type: ignore[arg-type]
        host = rng.choice(svc["hosts"])
        path = self._token(svc["path"])
        if svc.get("onion"):
            host = "".join(rng.choice(_B32) for _ in range(56)) + ".onion"
        styles = self.v.data["link_styles"]
        style = rng.choices(list(styles), weights=list(styles.values()))[0]  # type: ignore[union-attr]
        full = f"{host}/{path}" if path else host
        if style == "full_url":
            out = f"https://{full}" if rng.random() < 0.85 else f"http://{full}"
        elif style == "bare_host":
            out = full
        elif style == "written_dot":
            dot = rng.choice(self.slot("dot_word", ctx))
            out = host.replace(".", dot) + (("/" + path) if path else "")
        elif style == "space_slash":
            out = host + rng.choice(["/ ", " / ", " /", "/  "]) + path if path else host.replace(".", " .")
        elif style == "dropped_dot":
            out = host.replace(".", "", 1) + (("/" + path) if path else "")
        else:  # spaced_letters
            out = " ".join(host) + (("/" + path) if path else "")
        ctx.styles.append(style)
        ctx.styles.append("svc:" + svc["name"])
        return out

    def _msgid(self, ctx: Ctx) -> str:
        rng = self.rng
        kind = rng.choice(["session", "wickr", "threema", "signal", "tg_handle", "discord_user", "element", "kik"])
        name = self._handle("adv")
        if kind == "session":
            val = "05" + "".join(rng.choice("0123456789abcdef") for _ in range(64))
        elif kind == "threema":
            val = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))
        elif kind == "signal":
            val = f"{name}.{rng.randint(10, 99)}"
        elif kind == "element":
            val = f"@{name}:matrix.org"
        else:
            val = ("@" if kind == "tg_handle" and rng.random() < 0.6 else "") + name
        label = rng.choice(self.v.data["messenger_labels"][kind])  # type: ignore[index]
        ctx.styles.append("messenger_id")
        ctx.styles.append("svc:" + kind)
        return f"{label}{val}"

    def _pinned(self, ctx: Ctx) -> str:
        ctx.styles.append("pinned_or_reply")
        return self.rng.choice(self.slot("pinned_phrase", ctx))

    def _contact(self, ctx: Ctx) -> str:
        r = self.rng.random()
        if r < 0.47:
            return self._link(ctx)
        if r < 0.64:
            return self._msgid(ctx)
        if r < 0.79:
            return self._dm(ctx)
        if r < 0.92:
            return self._inbio(ctx)
        return self._pinned(ctx)

    def _invent_tags(self) -> list[str]:
        """Several new tags per stream that appear only in its adverts: pronounceable invented strings."""
        rng = self.rng
        syl = self.v.data["tag_syllables"]
        out: list[str] = []
        for _ in range(rng.randint(6, 10)):
            tag = "".join(rng.choice(syl) for _ in range(rng.randint(2, 3)))  # type: ignore[arg-type]
            if rng.random() < 0.4:
                tag += str(rng.randint(1, 99))
            if rng.random() < 0.3:
                tag = tag.capitalize()
            out.append(tag)
        return out

    def _coded_tag(self, ctx: Ctx, style: str | None = None) -> tuple[str, str]:
        rng = self.rng
        style = style or rng.choice(["jumbled", "run_together", "camel", "vowelless", "doubled", "invented", "suffix",
                                     "leet", "invented"])
        roots = self.slot("tag_root", ctx)
        if style == "invented":
            return rng.choice(self.invented_tags), style
        if style == "leet":
            w = rng.choice(roots).replace(" ", "") + rng.choice(roots).replace(" ", "")
            return w.translate(str.maketrans({"e": "3", "o": "0", "i": "1", "a": "4"})), style
        if style == "jumbled":
            w = list(rng.choice(roots).replace(" ", ""))
            mid = w[1:-1]
            rng.shuffle(mid)
            return w[0] + "".join(mid) + w[-1] if len(w) > 2 else "".join(w), style
        parts = [rng.choice(roots).replace(" ", "") for _ in range(rng.randint(2, 3))]
        if style == "run_together":
            return "".join(parts).lower(), style
        if style == "camel":
            return "".join(p[:1].upper() + p[1:] for p in parts), style
        if style == "vowelless":
            return re.sub(r"(?<=.)[aeiou]", "", parts[0] + parts[1]), style
        if style == "doubled":
            w = parts[0]
            i = rng.randrange(len(w))
            return w[:i] + w[i] * 2 + w[i:] + parts[1], style
        return parts[0] + rng.choice(["xx", "z", "_", "0", str(rng.randint(1, 9)), "ss"]) + parts[1], style

    def _adv_tags(self, ctx: Ctx) -> str:
        rng = self.rng
        out = []
        for _ in range(rng.choice([1, 2, 2, 3, 4])):
            if rng.random() < 0.3:
                out.append("#" + rng.choice(self.slot("plain_adv_tag", ctx)))
            else:
                out.append("#" + self._coded_tag(ctx)[0])
        return " ".join(out)

    def _newtag(self, ctx: Ctx) -> str:
        return "#" + self.rng.choice(self.invented_tags)

    def _compound(self, ctx: Ctx) -> str:
        rng = self.rng
        minor = rng.choice(self.slot("minor", ctx))
        goods = rng.choice(self.slot("material", ctx))
        style = ctx.extra.get("compound") or rng.choice(["token", "camel", "hashtag", "neighbours", "joined"])
        if style == "token":
            out = (minor + goods).replace(" ", "").lower()
        elif style == "camel":
            out = "".join(w[:1].upper() + w[1:] for w in (minor + " " + goods).split())
        elif style == "hashtag":
            out = "#" + (minor + goods).replace(" ", "").replace("-", "")
        elif style == "joined":
            out = rng.choice(["_", "-", ".", "+", "/", "•"]).join([minor, goods])
        else:
            out = f"{minor} {goods}" if rng.random() < 0.8 else f"{goods} {minor}"
        ctx.keys.append(out.lstrip("#"))
        return out

    def _mention(self, ctx: Ctx) -> str:
        return "@" + self._handle("person")
