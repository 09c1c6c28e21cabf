"""alder: one independent synthetic training-data author for csewatch's learned text model.

The code here is the grammar and the world: accounts on three platforms, advertisers, bots, evaders and
their suspended predecessors, innocent child-photo threads with sexualising and benign replies, pet/car/
house threads, hard negatives and ordinary posts, all time-ordered over several days. Every word, template
and phrase is data in vocab/*.yaml. Templates use ``{slot}`` (a word list, looked up as ``slot@lang``
first), ``{slot?}`` (optional), ``{a|b}`` (inline choice) and a few slots computed here (prices, contact
routes, ages, hashtags, handles). Output: stream.jsonl (native csewatch), labels.jsonl, accounts.jsonl."""

from __future__ import annotations

import importlib.resources
import math
import random
import re
import string
from dataclasses import dataclass, field
from pathlib import Path

import orjson
import yaml

from csewatch.synth.authors.alder.obfuscate import Obfuscator

PLATFORMS = ["x", "bluesky", "mastodon"]
PLATFORM_WEIGHTS = [0.5, 0.3, 0.2]
T0 = 1_767_225_600  # 2026-01-01 00:00 UTC
WINDOW = 6 * 86_400

_SLOT = re.compile(r"\{([^{}]+)\}")
_URL = re.compile(r"https?://[^\s<>\"]+")
_TAG = re.compile(r"(?<![\w&/])#(\w+)")
_MENTION = re.compile(r"(?<![\w/])@([A-Za-z0-9_][A-Za-z0-9_.]*[A-Za-z0-9_])")
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


def _load(name: str) -> dict:
    res = importlib.resources.files("csewatch.synth.authors.alder").joinpath("vocab", name)
    return yaml.safe_load(res.read_text(encoding="utf-8"))


class Vocab:
    """All of alder's YAML merged: slots (word lists), templates per group, and tables."""

    FILES = ["slots.yaml", "contacts.yaml", "adverts.yaml", "context.yaml", "evasion.yaml", "hardneg.yaml",
             "ordinary.yaml", "accounts.yaml", "obfuscation.yaml", "hardneg_more.yaml",
             "ordinary_more.yaml"]

    def __init__(self) -> None:
        self.slots: dict[str, list[str]] = {}
        self.templates: dict[str, dict] = {}
        self.data: dict[str, object] = {}
        for f in self.FILES:
            doc = _load(f)
            for k, v in (doc.pop("slots", None) or {}).items():
                if k in self.slots:
                    raise ValueError(f"slot {k!r} defined twice ({f})")
                self.slots[k] = [str(x) for x in v]
            for group, fams in (doc.pop("templates", None) or {}).items():
                for fam, subs in fams.items():  # merged per group/family/subfamily/lang across files
                    for sub, langs in subs.items():
                        dst = self.templates.setdefault(group, {}).setdefault(fam, {}).setdefault(sub, {})
                        for lang, lst in langs.items():
                            dst.setdefault(lang, []).extend(lst)
            self.data.update(doc)


@dataclass
class Ctx:
    """What one text expansion used: languages to draw slots from, contact styles, indicator words."""

    langs: list[str]
    styles: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    advert: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Acct:
    platform: str
    id: str
    handle: str
    display_name: str
    bio: str
    created_at: int
    followers: int
    following: int
    role: str
    lang: str
    kind: str = "person"
    predecessor: str | None = None
    suspended_at: int | None = None
    early: bool = False
    n_posts: int = 0


@dataclass
class Post:
    platform: str
    id: str
    author: Acct
    text: str
    t: int
    lang: str
    label: str
    family: str
    subfamily: str
    obfuscation: str = "none"
    link_style: str = "none"
    media: int = 0
    reply_to: str | None = None
    reply_root: str | None = None
    quote_of: str | None = None
    repost_of: str | None = None
    group_id: str | None = None
    tag_lang: bool = True


class Author:
    """Builds one labelled stream for a seed."""

    def __init__(self, posts: int, seed: int):
        self.n = posts
        self.rng = random.Random(seed)
        self.v = Vocab()
        self.s = self.v.slots
        self.obf = Obfuscator(self.v.data["obfuscation"], self.rng)  # type: ignore[arg-type]
        self.key_slots = set(self.v.data["key_slots"])  # type: ignore[arg-type]
        self.posts: list[Post] = []
        self.accounts: list[Acct] = []
        self.edges: list[tuple[int, str, str, str]] = []
        self.by_role: dict[tuple[str, str], list[Acct]] = {}
        self._used: set[str] = set()
        self._media = 0
        self._ctr = 0
        self.groups = {p: [self._group_id(p) for _ in range(12)] for p in PLATFORMS}
        self.invented_tags = self._invent_tags()
        self.dyn = {
            "price": self._price, "contact": self._contact, "link": self._link, "msgid": self._msgid,
            "blink": lambda c: self._link(c, benign=True), "dm": self._dm, "inbio": self._inbio, "pinned": self._pinned,
            "agerange": self._agerange, "age": self._age,
            "n": lambda c: str(self.rng.choice([2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25, 30, 50, 100])),
            "gb": lambda c: str(self.rng.choice([2, 5, 8, 10, 16, 20, 32, 40, 64, 100, 120, 250])),
            "tags": self._adv_tags, "newtag": self._newtag, "compound": self._compound,
            "mention": self._mention, "handle": lambda c: self._handle("person"), "year": self._year,
            "oldhandle": lambda c: "@" + c.extra.get("oldhandle", self._handle("adv")),
            "kidage": lambda c: str(self.rng.randint(3, 13)), "num": lambda c: str(self.rng.randint(1, 999)),
            "time": lambda c: f"{self.rng.randint(1, 12)}:{self.rng.choice(['00', '15', '30', '45'])}",
            "pct": lambda c: str(self.rng.choice([5, 10, 15, 20, 25, 30, 40, 50, 60, 70])),
            "cprice": self._plain_price,
        }

    # =====================================================================================
    # grammar
    def lang_pick(self, group: str) -> str:
        w = self.v.data["lang_weights"][group]  # type: ignore[index]
        langs = list(w)
        return self.rng.choices(langs, weights=[w[k] for k in langs])[0]

    def langs_for(self, lang: str) -> list[str]:
        if lang == "mul":
            return [self.rng.choice(["es", "pt", "id", "tl", "fr", "de", "it", "ru"]), "en"]
        return [lang]

    def slot(self, name: str, ctx: Ctx) -> list[str]:
        if len(ctx.langs) > 1:
            order = ctx.langs[:]
            self.rng.shuffle(order)
        else:
            order = ctx.langs
        for lang in order:
            lst = self.s.get(f"{name}@{lang}")
            if lst:
                return lst
        lst = self.s.get(name) or self.s.get(f"{name}@en")
        if not lst:
            raise KeyError(f"alder vocab has no slot {name!r}")
        return lst

    def expand(self, text: str, ctx: Ctx, depth: int = 0) -> str:
        if depth > 12:
            raise RecursionError(text)
        rng = self.rng

        def sub(m: re.Match) -> str:
            body = m.group(1)
            if body.endswith("?"):
                if rng.random() < 0.5:
                    return ""
                body = body[:-1]
            if "|" in body:
                return self.expand(rng.choice(body.split("|")), ctx, depth + 1)
            fn = self.dyn.get(body)
            if fn is not None:
                return fn(ctx)
            val = self.expand(rng.choice(self.slot(body, ctx)), ctx, depth + 1)
            if body in self.key_slots and val.strip():
                ctx.keys.append(val.strip())
            return val

        return _SLOT.sub(sub, text)

    @staticmethod
    def tidy(text: str) -> str:
        lines = [re.sub(r"[ \t]{2,}", " ", ln).strip() for ln in text.split("\n")]
        out = "\n".join(lines)
        out = re.sub(r"\n{3,}", "\n\n", out).strip()
        out = re.sub(r" ([,.!?])(?=\s|$)", r"\1", out)
        return out

    def render(self, template: str, lang: str, advert: bool = False, extra: dict | None = None) -> tuple[str, Ctx]:
        ctx = Ctx(langs=self.langs_for(lang), advert=advert, extra=extra or {})
        return self.tidy(self.expand(template, ctx)), ctx

    def pick_template(self, group: str, family: str, sub: str | None, lang: str) -> tuple[str, str, str]:
        """(template, subfamily, lang actually used) from templates[group][family][sub][lang]."""
        fam = self.v.templates[group][family]
        sub = sub or self.rng.choice(sorted(fam))
        per_lang = fam[sub]
        if lang not in per_lang:
            lang = "en" if "en" in per_lang and self.rng.random() < 0.5 else self.rng.choice(sorted(per_lang))
        return self.rng.choice(per_lang[lang]), sub, lang

    def noise(self, text: str, lang: str, harmful: bool) -> str:
        rng = self.rng
        words = text.split(" ")
        if rng.random() < 0.12 and len(words) > 3:
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) >= 4 and w.isalpha():
                j = rng.randrange(1, len(w) - 1)
                op = rng.random()
                if op < 0.4:
                    w = w[:j - 1] + w[j] + w[j - 1] + w[j + 1:]
                elif op < 0.7:
                    w = w[:j] + w[j + 1:]
                else:
                    w = w[:j] + w[j] + w[j:]
                words[i] = w
                text = " ".join(words)
        r = rng.random()
        if r < 0.22:
            text = _lower_keep_links(text)
        elif r < 0.26:
            text = _upper_keep_links(text)
        ctx = Ctx(langs=self.langs_for(lang))
        if rng.random() < 0.18:
            s = rng.choice(self.slot("slang", ctx))
            text = f"{s} {text}" if rng.random() < 0.4 else f"{text} {s}"
        if rng.random() < (0.3 if harmful else 0.2):
            text = f"{text} {rng.choice(self.s['tail_emoji'])}"
        if rng.random() < 0.05:
            text = text.replace(" ", "  ", 1)
        return text

    # =====================================================================================
    # computed slots
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

    # =====================================================================================
    # accounts
    def _handle(self, kind: str) -> str:
        rng = self.rng
        parts = self.v.data["handle_parts"][kind]  # type: ignore[index]
        a = rng.choice(parts["a"])
        b = rng.choice(parts["b"])
        sep = rng.choice(["", "", "_", ".", "__"]) if kind != "adv" else rng.choice(["", "_", "x", ".", "_0"])
        h = f"{a}{sep}{b}"
        if rng.random() < 0.5:
            h += str(rng.choice([rng.randint(0, 99), rng.randint(1970, 2012), rng.randint(100, 9999)]))
        h = re.sub(r"[^A-Za-z0-9_.]", "", h).strip("._")[:15] or "user" + str(rng.randint(1, 999))
        return h

    def _new_id(self, platform: str, what: str) -> str:
        rng = self.rng
        while True:
            self._ctr += 1
            if platform == "x":
                base = 1_870_000_000_000_000_000 if what == "post" else 1_400_000_000_000_000_000
                i = str(base + self._ctr * 65_536 + rng.randrange(65_536))
            elif platform == "bluesky":
                if what == "account":
                    i = "did:plc:" + "".join(rng.choice(_B32) for _ in range(24))
                else:
                    i = "3l" + "".join(rng.choice(_B32) for _ in range(11))
            else:
                base = 113_700_000_000_000_000 if what == "post" else 109_000_000_000_000_000
                i = str(base + self._ctr * 4_096 + rng.randrange(4_096))
            key = f"{platform}:{what}:{i}"
            if key not in self._used:
                self._used.add(key)
                return i

    def _group_id(self, platform: str) -> str:
        rng = self.rng
        if platform == "x":
            return str(1_500_000_000_000_000_000 + rng.randrange(10**15))
        if platform == "bluesky":
            return "feed-" + "".join(rng.choice(_B32) for _ in range(10))
        return "group-" + "".join(rng.choice(string.ascii_lowercase) for _ in range(8))

    def new_account(self, role: str, kind: str = "person", platform: str | None = None, lang: str | None = None,
                    created_at: int | None = None, like: Acct | None = None) -> Acct:
        rng = self.rng
        platform = platform or rng.choices(PLATFORMS, weights=PLATFORM_WEIGHTS)[0]
        lang = lang or self.lang_pick("accounts")
        hk = "adv" if role in ("advertiser", "bot", "evader") else (
            "shop" if kind in ("shop", "crypto", "news", "school_team") else "person")
        if like is not None:
            handle = self._evader_handle(like.handle)
        else:
            handle = self._handle(hk)
        acct_id = self._new_id(platform, "account")
        if platform == "mastodon":
            handle = handle.lower() + "@" + rng.choice(self.v.data["mastodon_instances"])  # type: ignore[arg-type]
        elif platform == "bluesky":
            handle = handle.lower().replace("_", "-").strip("-.") + ".bsky.social"
        ctx = Ctx(langs=self.langs_for(lang), advert=role in ("advertiser", "bot", "evader"))
        bio_key, name_key = {
            "advertiser": ("bio_adv", "name_adv"), "bot": ("bio_bot", "name_adv"), "evader": ("bio_adv", "name_adv"),
            "commenter": ("bio_commenter", "name_person"),
        }.get(role, (f"bio_{kind}", "name_person" if kind in ("person", "parent") else f"name_{kind}"))
        if kind == "bio_only":
            bio_key, name_key = "bio_offer", "name_offer"
        bio = self.tidy(self.expand(rng.choice(self.slot(bio_key, ctx)), ctx))
        display = self.tidy(self.expand(rng.choice(self.slot(name_key, ctx)), ctx))
        if like is not None:
            display = like.display_name if rng.random() < 0.6 else self.tidy(
                like.display_name + " " + rng.choice(self.s["evader_name_suffix"]))
            pctx = Ctx(langs=[lang], extra={"oldhandle": like.handle.split("@")[0]})
            prefix = self.expand(rng.choice(self.s["evader_bio_prefix"]), pctx)
            bio = like.bio if rng.random() < 0.5 else self.tidy(prefix + " " + like.bio)
        if rng.random() < 0.06 and role in ("advertiser", "bot", "evader", "benign") and like is None:
            display = self.obf.style_all(display, rng.choice(["math_bold", "math_script", "small_caps",
                                                              "math_double_struck", "fullwidth"]))
        if created_at is None:
            created_at = T0 - rng.randint(86_400, 9 * 365 * 86_400)
            if role in ("advertiser", "bot") and rng.random() < 0.6:
                created_at = T0 - rng.randint(3_600, 40 * 86_400)
        if role in ("advertiser", "bot", "evader"):
            followers, following = rng.randint(0, 900), rng.randint(0, 3000)
        elif kind in ("news", "shop") or rng.random() < 0.05:
            followers, following = rng.randint(2_000, 900_000), rng.randint(10, 2000)
        else:
            followers, following = int(rng.lognormvariate(5, 1.4)), int(rng.lognormvariate(5.3, 1.0))
        a = Acct(platform, acct_id, handle, display, bio, created_at, followers, following, role, lang, kind)
        self.accounts.append(a)
        self.by_role.setdefault((role if role != "benign" else kind, platform), []).append(a)
        return a

    def _evader_handle(self, old: str) -> str:
        rng = self.rng
        base = old.split("@")[0].split(".bsky")[0].replace("-", "_")
        forms = self.v.data["evader_handle_forms"]
        h = rng.choice(forms).replace("H", base)  # type: ignore[arg-type]
        if h == base:
            h = base + str(rng.randint(2, 9))
        return h[:18]

    def pool(self, key: str, platform: str | None = None) -> list[Acct]:
        if platform:
            return self.by_role.get((key, platform), [])
        out: list[Acct] = []
        for p in PLATFORMS:
            out += self.by_role.get((key, p), [])
        return out

    def author_of(self, key: str, platform: str | None = None) -> Acct:
        lst = self.pool(key, platform) or self.pool("person", platform) or self.pool(key)
        return self.rng.choice(lst)

    # =====================================================================================
    # posts
    def add_post(self, author: Acct, template: str, lang: str, label: str, family: str, sub: str, t: int,
                 harmful: bool = False, obf_rate: float = 0.0, extra: dict | None = None, **kw) -> Post:
        rng = self.rng
        text, ctx = self.render(template, lang, advert=label == "advert", extra=extra)
        text = self.noise(text, lang, harmful)
        obf = "none"
        if rng.random() < obf_rate:
            text, obf = self.obf.apply(text, ctx.keys)
        styles = [s for s in ctx.styles if not s.startswith("svc:")]
        link_style = "+".join(dict.fromkeys(styles)) or "none"
        return self._push(author, text, lang, label, family, sub, t, obf, link_style, **kw)

    def _push(self, author: Acct, text: str, lang: str, label: str, family: str, sub: str, t: int,
              obf: str = "none", link_style: str = "none", **kw) -> Post:
        p = Post(author.platform, self._new_id(author.platform, "post"), author, text[:4000], int(t), lang, label,
                 family, sub, obf, link_style, **kw)
        p.tag_lang = self.rng.random() < 0.85 and lang != "mul"
        author.n_posts += 1
        self.posts.append(p)
        return p

    def rand_t(self, lo: float = 0.0, hi: float = 1.0) -> int:
        return int(T0 + WINDOW * (lo + (hi - lo) * self.rng.random()))

    # ---------------------------------------------------------------------------------------
    def build(self) -> None:
        rng, n = self.rng, self.n
        mix = self.v.data["mix"]
        n_adv = max(14, round(mix["advert"] * n))  # type: ignore[index]
        n_ctx = max(8, round(mix["context_reply"] * n))  # type: ignore[index]
        n_roots = max(3, round(mix["thread_root_innocent"] * n))  # type: ignore[index]
        n_ev = max(3, round(mix["evasion_announcement"] * n))  # type: ignore[index]
        n_hn = max(20, round(mix["hard_negative"] * n))  # type: ignore[index]
        n_br = max(3, round(mix["benign_reply"] * n))  # type: ignore[index]

        # benign population
        kinds = self.v.data["benign_kinds"]
        for _ in range(max(30, n // 9)):
            kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]  # type: ignore[union-attr]
            self.new_account("benign", kind)
        for _ in range(max(4, n_ctx // 4)):
            self.new_account("commenter")
        self.popular = [self._ordinary_post(self.author_of("person"), t=self.rand_t(0, 0.9)) for _ in
                        range(max(5, n // 150))]
        for p in self.popular:
            p.author.followers = max(p.author.followers, rng.randint(20_000, 2_000_000))

        # advertisers; the first few are doomed (active early, suspended, then evade)
        n_evaders = max(2, math.ceil(n_ev / 1.6))
        advs = [self.new_account("advertiser") for _ in range(max(n_evaders + 3, n_adv // 7))]
        bio_only = [self.new_account("advertiser", "bio_only") for _ in range(max(2, n_adv // 40))]
        for a in advs[:n_evaders]:
            a.early = True
        self.evaders: list[Acct] = []
        self._adverts(n_adv, advs, bio_only, n_evaders)
        self._threads(n_roots, n_ctx, n_br)
        n_hn_left = n_hn - sum(1 for p in self.posts if p.label == "hard_negative")
        self._nonhuman_threads(max(2, n_hn_left // 30))
        n_hn_left = n_hn - sum(1 for p in self.posts if p.label == "hard_negative")
        self._hard_negatives(n_hn_left)
        # the evaders' announcements
        self._evasion(n_ev)
        while len(self.posts) < n:
            if rng.random() < 0.12 and self.posts:
                self._ordinary_reply()
            else:
                self._ordinary_post(self.author_of("person"), t=self.rand_t())
        self._trim()
        self._follows()

    def _trim(self) -> None:
        """Drop surplus posts (ordinary first, then hard negatives; never one another post points at) so the
        stream holds exactly the requested count; tiny streams are padded by the family minimums first."""
        extra = len(self.posts) - self.n
        if extra <= 0:
            return
        referenced = {p.reply_to for p in self.posts} | {p.quote_of for p in self.posts} | {
            p.repost_of for p in self.posts}
        drop: set[int] = set()
        keep = {id(p) for p in self.popular}
        for label in ("ordinary", "hard_negative", "benign_reply"):
            for i in range(len(self.posts) - 1, -1, -1):
                if len(drop) >= extra:
                    break
                p = self.posts[i]
                if p.label == label and p.id not in referenced and id(p) not in keep:
                    drop.add(i)
        self.posts = [p for i, p in enumerate(self.posts) if i not in drop]

    # ---------------------------------------------------------------------------------------
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

    # ---------------------------------------------------------------------------------------
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

    # ---------------------------------------------------------------------------------------
    def _threads(self, n_roots: int, n_ctx: int, n_br: int) -> None:
        rng = self.rng
        parents = self.pool("parent") + self.pool("school_team")
        ctx_left, br_left = n_ctx, n_br
        for r in range(n_roots):
            owner = rng.choice(parents)
            tpl, sub, lang = self.pick_template("threads", "child_photo", None, owner.lang)
            root = self.add_post(owner, tpl, lang, "thread_root_innocent", "child_photo", sub, self.rand_t(0, 0.9),
                                 media=rng.randint(1, 4))
            replies: list[Post] = [root]
            k_ctx = ctx_left // (n_roots - r) + (1 if rng.random() < 0.4 else 0)
            k_ctx = min(ctx_left, max(0, k_ctx + rng.randint(-1, 1)))
            k_br = min(br_left, max(1, br_left // (n_roots - r) + rng.randint(-1, 1)))
            ctx_left -= k_ctx
            br_left -= k_br
            jobs = ["ctx"] * k_ctx + ["br"] * k_br + ["fam_age"] * rng.choice([0, 0, 1, 1, 2])
            rng.shuffle(jobs)
            t = root.t
            for job in jobs:
                t += rng.randint(60, 5 * 3600)
                if job == "ctx":
                    self._context_reply(root, replies, t)
                elif job == "br":
                    self._benign_reply(root, replies, t)
                else:
                    a = self.author_of("person", root.platform)
                    tpl, sub, lg = self.pick_template("threads", "family_reply_ages", None, root.lang)
                    replies.append(self.add_post(a, self._at(root, tpl), lg, "hard_negative", "family_reply_ages",
                                                 sub, t, obf_rate=0.05, reply_to=root.id, reply_root=root.id))

    def _at(self, target: Post, tpl: str) -> str:
        if target.platform in ("x", "mastodon") and self.rng.random() < 0.55:
            return "@" + target.author.handle.split("@")[0] + " " + tpl
        return tpl

    def _context_reply(self, root: Post, replies: list[Post], t: int) -> None:
        rng = self.rng
        c = self.author_of("commenter", root.platform)
        subs = self.v.data["context_mix"]
        sub = rng.choices(list(subs), weights=list(subs.values()))[0]  # type: ignore[union-attr]
        lang = root.lang if rng.random() < 0.7 else self.lang_pick("context")
        if sub == "nested_followup" and len(replies) > 1:
            parent = rng.choice(replies[1:])
            tpl, _, lg = self.pick_template("context", "reply", sub, lang)
            replies.append(self.add_post(c, self._at(parent, tpl), lg, "context_reply", "context", sub, t, True, 0.3,
                                         reply_to=parent.id, reply_root=root.id))
            return
        if sub == "nested_followup":
            sub = "age_question"
        tpl, _, lg = self.pick_template("context", "reply", sub, lang)
        if sub == "quote_photo":
            self.add_post(c, tpl, lg, "context_reply", "context", sub, t, True, 0.3, quote_of=root.id)
            return
        replies.append(self.add_post(c, self._at(root, tpl), lg, "context_reply", "context", sub, t, True, 0.3,
                                     reply_to=root.id, reply_root=root.id))
        if rng.random() < 0.3:
            self.edges.append((t, root.platform, c.id, root.author.id))

    def _benign_reply(self, root: Post, replies: list[Post], t: int) -> None:
        rng = self.rng
        if len(replies) > 1 and rng.random() < 0.25:
            # the parent answers someone, or a friend replies in a nested thread
            parent = rng.choice(replies[1:])
            tpl, sub, lg = self.pick_template("threads", "parent_answer", None, root.lang)
            a = root.author if rng.random() < 0.7 else self.author_of("person", root.platform)
            replies.append(self.add_post(a, self._at(parent, tpl), lg, "benign_reply", "parent_answer", sub, t,
                                         reply_to=parent.id, reply_root=root.id))
            return
        a = self.author_of("person", root.platform)
        tpl, sub, lg = self.pick_template("threads", "benign_reply", None, root.lang)
        replies.append(self.add_post(a, self._at(root, tpl), lg, "benign_reply", "family_friends", sub, t,
                                     reply_to=root.id, reply_root=root.id))

    def _nonhuman_threads(self, n: int) -> None:
        rng = self.rng
        for _ in range(n):
            owner = self.author_of("person")
            tpl, sub, lang = self.pick_template("threads", "nonhuman_photo", None, owner.lang)
            root = self.add_post(owner, tpl, lang, "ordinary", "nonhuman_photo", sub, self.rand_t(0, 0.9),
                                 media=rng.randint(1, 3))
            t = root.t
            thread = [root]
            for _ in range(rng.randint(1, 4)):
                t += rng.randint(60, 4 * 3600)
                a = self.author_of("person", root.platform)
                qt, _, lg = self.pick_template("threads", "nonhuman_age_question", sub, root.lang)
                q = self.add_post(a, self._at(root, qt), lg, "hard_negative", "nonhuman_age_question", sub, t,
                                  obf_rate=0.05, reply_to=root.id, reply_root=root.id)
                thread.append(q)
                if rng.random() < 0.6:
                    t += rng.randint(60, 3600)
                    at, _, lg = self.pick_template("threads", "nonhuman_answer", sub, root.lang)
                    self.add_post(owner, self._at(q, at), lg, "benign_reply", "nonhuman_answer", sub, t,
                                  reply_to=q.id, reply_root=root.id)

    # ---------------------------------------------------------------------------------------
    def _hard_negatives(self, n: int) -> None:
        rng = self.rng
        fams = self.v.templates["hardneg"]
        weights = self.v.data["hardneg_mix"]
        names = sorted(fams)
        w = [weights.get(f, 1.0) for f in names]  # type: ignore[union-attr]
        kinds = self.v.data["hardneg_author_kind"]
        for _ in range(n):
            fam = rng.choices(names, weights=w)[0]
            a = self.author_of(kinds.get(fam, "person"))  # type: ignore[union-attr]
            tpl, sub, lang = self.pick_template("hardneg", fam, None, a.lang if rng.random() < 0.75 else "en")
            kw: dict = {}
            r = rng.random()
            if r < 0.05:
                kw["group_id"] = rng.choice(self.groups[a.platform])
            elif r < 0.1 and self.popular:
                target = rng.choice(self.popular)
                if target.platform == a.platform:
                    kw = {"reply_to": target.id, "reply_root": target.id}
            media = rng.randint(1, 3) if fam in self.v.data["hardneg_media"] and rng.random() < 0.6 else 0  # type: ignore
            t = self.rand_t()
            if "reply_to" in kw:
                t = max(t, target.t + 30)
            self.add_post(a, tpl, lang, "hard_negative", fam, sub, t, obf_rate=0.12, media=media, **kw)

    def _ordinary_post(self, a: Acct, t: int) -> Post:
        rng = self.rng
        lang = a.lang if rng.random() < 0.85 else self.lang_pick("ordinary")
        tpl, sub, lang = self.pick_template("ordinary", "everyday", None, lang)
        kw: dict = {}
        if rng.random() < 0.04:
            kw["group_id"] = rng.choice(self.groups[a.platform])
        media = rng.randint(1, 2) if rng.random() < 0.2 else 0
        return self.add_post(a, tpl, lang, "ordinary", "everyday", sub, t, obf_rate=0.02, media=media, **kw)

    def _ordinary_reply(self) -> None:
        rng = self.rng
        target = rng.choice(self.popular)
        a = self.author_of("person", target.platform)
        tpl, sub, lang = self.pick_template("ordinary", "chat_reply", None, target.lang)
        self.add_post(a, self._at(target, tpl), lang, "ordinary", "chat_reply", sub, target.t + rng.randint(30, 40_000),
                      obf_rate=0.02, reply_to=target.id, reply_root=target.id)

    def _follows(self) -> None:
        rng = self.rng
        for p in PLATFORMS:
            people = self.pool("person", p) + self.pool("parent", p) + self.pool("shop", p) + self.pool("news", p)
            advs = self.pool("advertiser", p) + self.pool("bot", p) + self.pool("evader", p)
            comm = self.pool("commenter", p)
            if len(people) < 2:
                continue
            for _ in range(len(people) * 2):
                s, d = rng.sample(people, 2)
                self.edges.append((self.rand_t(), p, s.id, d.id))
            for c in comm:
                for d in rng.sample(advs, min(len(advs), rng.randint(0, 3))):
                    self.edges.append((max(self.rand_t(), d.created_at + 60), p, c.id, d.id))
            for e in self.pool("evader", p):
                old = next((a for a in advs if a.id == e.predecessor), None)
                fans = comm + advs
                for s in rng.sample(fans, min(len(fans), rng.randint(1, 5))):
                    if s is not e and s is not old:
                        self.edges.append((e.created_at + rng.randint(60, 86_400), p, s.id, e.id))

    # =====================================================================================
    # output
    def write(self, out: Path) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        first: dict[int, int] = {}
        for p in self.posts:
            k = id(p.author)
            first[k] = min(first.get(k, p.t), p.t)
        recs: list[tuple[int, int, bytes]] = []
        seq = 0
        emitted: dict[str, int] = {}
        for a in self.accounts:
            t_emit = a.created_at if a.created_at >= T0 else min(first.get(id(a), T0 + 1) - 1, T0 + WINDOW)
            t_emit = max(t_emit, a.created_at)
            emitted[f"{a.platform}:{a.id}"] = t_emit
            obj = {"type": "account", "id": a.id, "platform": a.platform, "handle": a.handle,
                   "display_name": a.display_name, "bio": a.bio, "created_at": a.created_at,
                   "followers": a.followers, "following": a.following}
            recs.append((t_emit, seq, orjson.dumps(obj)))
            seq += 1
            if a.suspended_at is not None:
                obj = {"type": "account", "id": a.id, "platform": a.platform, "status": "suspended",
                       "status_at": a.suspended_at}
                recs.append((a.suspended_at, seq, orjson.dumps(obj)))
                seq += 1
        for p in self.posts:
            obj = {"type": "post", "id": p.id, "platform": p.platform, "author_id": p.author.id, "text": p.text,
                   "created_at": p.t, "hashtags": [m.group(1) for m in _TAG.finditer(p.text)],
                   "urls": [u.rstrip(".,;:!?)]}'\"") for u in _URL.findall(p.text)],
                   "mentions": [m.group(1) for m in _MENTION.finditer(p.text)],
                   "media": [{"id": self._media_id(), "kind": "image"} for _ in range(p.media)]}
            for k in ("reply_to", "reply_root", "quote_of", "repost_of", "group_id"):
                v = getattr(p, k)
                if v is not None:
                    obj[k] = v
            if p.tag_lang:
                obj["lang"] = p.lang
            recs.append((p.t, seq, orjson.dumps(obj)))
            seq += 1
        for t, plat, s, d in self.edges:
            t = max(t, emitted.get(f"{plat}:{s}", T0), emitted.get(f"{plat}:{d}", T0)) + 1
            recs.append((t, seq, orjson.dumps({"type": "edge", "platform": plat, "kind": "follow", "src": s,
                                               "dst": d, "created_at": t})))
            seq += 1
        recs.sort(key=lambda r: (r[0], r[1]))
        with open(out / "stream.jsonl", "wb") as fh:
            for _, _, b in recs:
                fh.write(b + b"\n")
        counts: dict[str, int] = {}
        fam_counts: dict[str, int] = {}
        with open(out / "labels.jsonl", "wb") as fh:
            for p in sorted(self.posts, key=lambda q: q.t):
                fh.write(orjson.dumps({"platform": p.platform, "id": p.id, "label": p.label, "family": p.family,
                                       "subfamily": p.subfamily, "lang": p.lang, "obfuscation": p.obfuscation,
                                       "link_style": p.link_style}) + b"\n")
                counts[p.label] = counts.get(p.label, 0) + 1
                fam_counts[f"{p.label}/{p.family}"] = fam_counts.get(f"{p.label}/{p.family}", 0) + 1
        roles: dict[str, int] = {}
        with open(out / "accounts.jsonl", "wb") as fh:
            for a in self.accounts:
                role = a.role if a.role != "benign" else "benign"
                row = {"platform": a.platform, "id": a.id, "role": role}
                if a.predecessor:
                    row["predecessor"] = a.predecessor
                fh.write(orjson.dumps(row) + b"\n")
                roles[role] = roles.get(role, 0) + 1
        return {"posts": len(self.posts), "accounts": len(self.accounts), "edges": len(self.edges),
                "labels": dict(sorted(counts.items())), "families": dict(sorted(fam_counts.items())),
                "roles": dict(sorted(roles.items()))}

    def _media_id(self) -> str:
        self._media += 1
        return f"alder-m{self._media:07d}"


def _lower_keep_links(text: str) -> str:
    return _apply_outside_links(text, str.lower)


def _upper_keep_links(text: str) -> str:
    return _apply_outside_links(text, str.upper)


def _apply_outside_links(text: str, fn) -> str:  # noqa: ANN001
    out, last = [], 0
    for m in re.finditer(r"https?://\S+|\S*[/#]\S*", text):
        out.append(fn(text[last:m.start()]))
        out.append(m.group(0))
        last = m.end()
    out.append(fn(text[last:]))
    return "".join(out)


def generate(out: Path, posts: int = 20000, seed: int = 0) -> dict:
    """Write alder's labelled synthetic stream (stream.jsonl, labels.jsonl, accounts.jsonl) under ``out``;
    return the counts (posts, accounts, edges, per label, per label/family, per account role)."""
    author = Author(posts, seed)
    author.build()
    return author.write(Path(out))
