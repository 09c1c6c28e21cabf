"""cedar: one independent synthetic author. Builds a labelled, time-ordered native csewatch stream
(accounts, posts, follows, suspensions) from the word lists and templates in ``vocab/*.yaml``; this
module holds only the grammar: slot expansion, contact routes, prices, obfuscation, threads, accounts.

Emphasis of this author: abundant hard negatives, thread structures (child-photo roots with both
sexualising and benign replies at several depths and quotes; pet/car/house roots with age questions),
bio-only advertiser accounts, buy requests and trades, and ban-evasion announcements."""

from __future__ import annotations

import hashlib
import importlib.resources
import random
import re
import string
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

T0 = 1791158400.0  # 2026-10-05 00:00 UTC
DAYS = 6
DAY = 86400.0
T_END = T0 + DAYS * DAY

_SLOT = re.compile(r"\{(\w+)(\?)?\}")
_ALT = re.compile(r"\[([^\[\]]*\|[^\[\]]*)\]")
_URL = re.compile(r"https?://[^\s<>\"]+")
_TAG = re.compile(r"(?<![\w&#])#(\w+)")
_WORD = re.compile(r"[^\W\d_]{3,}")
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_ANY_SCRIPT = ("separators", "spacing", "repeat", "case_mix", "zalgo", "strike", "zero_width", "bidi", "exotic_space")
_B64 = string.ascii_letters + string.digits + "_-"


def _load(name: str) -> dict:
    res = importlib.resources.files("csewatch.synth.authors.cedar").joinpath("vocab", name)
    return yaml.safe_load(res.read_text(encoding="utf-8"))


@dataclass
class Acct:
    platform: str
    id: str
    handle: str
    display_name: str
    bio: str
    created_at: float
    followers: int
    following: int
    role: str
    lang: str
    predecessor: str | None = None
    suspended_at: float | None = None


@dataclass
class Post:
    platform: str
    id: str
    author: Acct
    text: str
    created_at: float
    label: str
    family: str
    subfamily: str
    lang: str
    obfuscation: str = "none"
    link_style: str = "none"
    media: bool = False
    reply_to: str | None = None
    reply_root: str | None = None
    quote_of: str | None = None
    repost_of: str | None = None
    group_id: str | None = None
    extra_tags: list[str] = field(default_factory=list)


class Obfuscator:
    """Unicode and spelling obfuscations, each implemented here from the tables in obfuscation.yaml."""

    def __init__(self, table: dict, rng: random.Random) -> None:
        self.t = table
        self.rng = rng
        self.invisible = [unicodedata.lookup(n) for n in table["invisible"]]
        self.spaces = [unicodedata.lookup(n) for n in table["exotic_spaces"]]
        self.marks = [unicodedata.lookup(n) for n in table["bidi_marks"]]
        self.sets: dict[str, dict[str, str]] = {}
        for name, (cap, small) in table["letter_sets"].items():
            self.sets[name] = self._letter_map(cap, small)
        for style in table["math_styles"]:
            self.sets["math_" + style] = self._letter_map(
                f"MATHEMATICAL {style} CAPITAL {{L}}", f"MATHEMATICAL {style} SMALL {{L}}"
            )
        self.techniques = list(table["weights"])
        self.weights = [table["weights"][k] for k in self.techniques]

    @staticmethod
    def _letter_map(cap: str, small: str) -> dict[str, str]:
        out: dict[str, str] = {}
        for letter in string.ascii_uppercase:
            for pattern, key in ((cap, letter), (small, letter.lower())):
                try:
                    out[key] = unicodedata.lookup(pattern.replace("{L}", letter))
                except KeyError:
                    continue
            if letter.lower() not in out and letter in out:
                out[letter.lower()] = out[letter]
        return out

    def pick(self, benign: bool = False) -> str:
        if benign:
            return self.rng.choice(self.t["benign_styles"])
        return self.rng.choices(self.techniques, self.weights)[0]

    def word(self, w: str, tech: str) -> tuple[str, str]:
        """(obfuscated word, technique label); a draw that changed nothing is retried once at full rate."""
        out, label = self._word(w, tech, 0.6)
        if out == w:
            out, label = self._word(w, tech, 1.0)
        return out, label

    def _word(self, w: str, tech: str, rate: float) -> tuple[str, str]:
        r = self.rng
        if tech == "leet":
            return "".join(r.choice(self.t["leet"][c.lower()]) if c.lower() in self.t["leet"] and r.random() < rate
                           else c for c in w), tech
        if tech == "separators":
            sep = r.choice(self.t["separators"])
            return sep.join(w), tech
        if tech == "spacing":
            return " ".join(w), tech
        if tech == "repeat":
            i = r.randrange(len(w))
            return w[: i + 1] + w[i] * r.randint(1, 4) + w[i + 1:], tech
        if tech == "case_mix":
            return "".join(c.upper() if i % 2 == r.randint(0, 1) else c.lower() for i, c in enumerate(w)), tech
        if tech == "accents":
            return "".join(r.choice(self.t["accents"][c]) if c in self.t["accents"] and r.random() < rate else c
                           for c in w), tech
        if tech == "zalgo":
            return "".join(c + "".join(chr(r.randint(0x300, 0x36F)) for _ in range(r.randint(1, 3))) for c in w), tech
        if tech == "strike":
            mark = "\u0336" if r.random() < 0.7 else "\u0335"
            return "".join(c + mark for c in w), tech
        if tech == "zero_width":
            inv = r.choice(self.invisible)
            return inv.join(w) if r.random() < 0.5 else w[:1] + inv + w[1:], tech
        if tech == "bidi":
            if r.random() < 0.6:
                return "\u202e" + w[::-1] + "\u202c", "bidi_rlo"
            m = r.choice(self.marks)
            return m.join(w), "bidi_marks"
        if tech == "exotic_space":
            return r.choice(self.spaces).join(w), tech
        if tech == "math":
            style = r.choice(self.t["math_styles"])
            m = self.sets["math_" + style]
            return "".join(m.get(c, c) for c in w), "math_" + style.lower().replace(" ", "_").replace("-", "_")
        if tech in self.sets:
            m = self.sets[tech]
            return "".join(m.get(c, m.get(c.upper(), c)) for c in w), tech
        if tech in ("small_caps", "superscript", "subscript"):
            m = self.t[tech]
            return "".join(m.get(c.lower(), c) for c in w), tech
        if tech.startswith("homoglyph_"):
            m = self.t["homoglyphs"][tech.split("_", 1)[1]]
            return "".join(m[c] if c in m and r.random() < rate else c for c in w), tech
        return w, "none"

    def text(self, text: str, benign: bool = False, keywords: list[str] | None = None) -> tuple[str, str]:
        """Obfuscate some words of text (never links, tags or mentions); returns (text, label)."""
        tech = self.pick(benign)
        tokens = re.split(r"(\s+)", text)
        cand = [i for i, tok in enumerate(tokens) if _WORD.fullmatch(tok)]
        if not cand:
            return text, "none"
        keys = {k.lower() for k in (keywords or [])}
        pref = [i for i in cand if tokens[i].lower() in keys]
        whole = tech in ("fullwidth", "math", "small_caps", "case_mix") and self.rng.random() < 0.35
        if whole:
            chosen = cand
        else:
            pool = pref or cand
            chosen = self.rng.sample(pool, min(len(pool), self.rng.randint(1, 3)))
        label = "none"
        for i in sorted(chosen):
            t = tech
            if not tokens[i].isascii() and tech not in _ANY_SCRIPT:
                t = self.rng.choice(_ANY_SCRIPT[:4] if benign else _ANY_SCRIPT)
            tokens[i], label = self.word(tokens[i], t)
        out = "".join(tokens)
        return (out, label) if out != text else (text, "none")


class Author:
    """The cedar author: owns the random source, the vocabularies and everything generated."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.common = _load("common.yaml")
        self.contacts = _load("contacts.yaml")
        self.adv = _load("adverts.yaml")
        self.threads = _load("threads.yaml")
        self.ev = _load("evasion.yaml")
        self.hn = _load("hard_negatives.yaml")
        self.hn["families"].update(_load("hard_negatives_more.yaml")["families"])
        self.ordv = _load("ordinary.yaml")
        self.obf = Obfuscator(_load("obfuscation.yaml"), self.rng)
        self.langs = list(self.common["languages"])
        self.lang_w = [self.common["languages"][k] for k in self.langs]
        self.plats = list(self.common["platforms"])
        self.plat_w = [self.common["platforms"][k] for k in self.plats]
        self.accounts: list[Acct] = []
        self.posts: list[Post] = []
        self.edges: list[tuple[str, str, str, float]] = []
        self.used_ids: dict[str, set[str]] = {p: set() for p in self.plats}
        self.handles: set[str] = set()
        self.pool: dict[tuple[str, str], list[Acct]] = {}
        self.popular: list[Post] = []
        self.last_post: dict[str, float] = {}
        self.by_id: dict[tuple[str, str], Post] = {}
        syl = self.adv["coded"]["syllables"]
        lo, hi = self.adv["coded"]["invented_per_stream"]
        self.invented = ["".join(self.rng.choice(syl) for _ in range(self.rng.randint(2, 4)))
                         for _ in range(self.rng.randint(lo, hi))]
        self.groups = [f"grp-{self.rng.randrange(10**6, 10**7)}" for _ in range(12)]

    # ---- small helpers -------------------------------------------------------------------------
    def ch(self, seq: list) -> Any:
        return self.rng.choice(seq)

    def lang(self, allowed: list[str] | None = None) -> str:
        if allowed:
            w = [self.common["languages"].get(k, 1) for k in allowed]
            return self.rng.choices(allowed, w)[0]
        return self.rng.choices(self.langs, self.lang_w)[0]

    def platform(self) -> str:
        return self.rng.choices(self.plats, self.plat_w)[0]

    def new_id(self, platform: str, kind: str, did: str = "") -> str:
        r = self.rng
        while True:
            if platform == "x":
                i = str(r.randrange(10**17, 10**19)) if kind == "post" else str(r.randrange(10**8, 10**18))
            elif platform == "bluesky":
                if kind == "post":
                    i = f"at://{did}/app.bsky.feed.post/3l" + "".join(r.choice(_B32) for _ in range(11))
                else:
                    i = "did:plc:" + "".join(r.choice(_B32) for _ in range(24))
            else:
                i = str(r.randrange(10**17, 10**18)) if kind == "post" else str(r.randrange(10**5, 10**9))
            if i not in self.used_ids[platform]:
                self.used_ids[platform].add(i)
                return i

    # ---- grammar -------------------------------------------------------------------------------
    def expand(self, template: str, lang: str, slots: dict, fills: dict | None = None, depth: int = 0) -> str:
        """Expand {slot}, {slot?} and [a|b] in template; fills are code-made values (callables or str)."""
        fills = fills or {}
        lang_slots = slots.get("lang_slots", {}).get(lang, {})
        shared = slots.get("slots", {})
        en_slots = slots.get("lang_slots", {}).get("en", {})
        held: list[str] = []
        text = _ALT.sub(lambda m: self.ch(m.group(1).split("|")), template)

        def sub(m: re.Match) -> str:
            name, opt = m.group(1), m.group(2)
            if opt and self.rng.random() < 0.5:
                return ""
            if name in fills:
                v = fills[name]
                held.append(v() if callable(v) else str(v))
                return f"\x00{len(held) - 1}\x00"
            for src in (lang_slots, shared, en_slots):
                if name in src and src[name]:
                    val = str(self.ch(src[name]))
                    return self.expand(val, lang, slots, fills, depth + 1) if depth < 6 else val
            return m.group(0)

        text = _SLOT.sub(sub, text)
        text = re.sub("\x00(\\d+)\x00", lambda m: held[int(m.group(1))], text)
        return re.sub(r"[ \t]{2,}", " ", text).strip()

    def pick_lang_list(self, by_lang: dict, lang: str) -> tuple[list, str]:
        if by_lang.get(lang):
            return by_lang[lang], lang
        if "all" in by_lang:
            return by_lang["all"], lang
        if by_lang.get("en"):
            return by_lang["en"], "en"
        k = next(k for k, v in by_lang.items() if v)
        return by_lang[k], k

    # ---- contact routes and prices ---------------------------------------------------------------
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

    # ---- advert pieces -------------------------------------------------------------------------
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

    # ---- accounts ------------------------------------------------------------------------------
    def make_handle(self, shady: bool = False) -> str:
        hp = self.common["handle_parts"]
        while True:
            parts = [self.ch(hp["first"] if self.rng.random() < 0.5 else hp["word"])]
            if shady:
                parts.append(self.ch(hp["shady"]))
                if self.rng.random() < 0.6:
                    parts.append(str(self.rng.randint(1, 999)))
            elif self.rng.random() < 0.6:
                parts.append(self.ch(hp["word"]))
            sep = self.ch(["", "_", ".", ""])
            h = sep.join(parts) + self.ch(hp["suffix"])
            if h not in self.handles:
                self.handles.add(h)
                return h

    def platform_handle(self, platform: str, h: str) -> str:
        h = h.replace(".", "_") if platform != "bluesky" else h.replace("_", "-")
        if platform == "bluesky":
            return f"{h}.bsky.social"
        if platform == "mastodon":
            return f"{h}@{self.ch(self.common['mastodon_instances'])}"
        return h[:15]

    def account(self, role: str, lang: str, persona: str = "generic", platform: str | None = None,
                created_at: float | None = None, handle: str | None = None, bio: str | None = None,
                display: str | None = None) -> Acct:
        platform = platform or self.platform()
        r = self.rng
        if created_at is None:
            if role in ("advertiser", "bot"):
                created_at = T0 - r.uniform(0, 40) * DAY if r.random() < 0.6 else T0 + r.uniform(0, DAYS - 1) * DAY
            else:
                created_at = T0 - r.uniform(30, 3000) * DAY
        h = handle or self.make_handle(shady=role in ("advertiser", "bot", "evader") and r.random() < 0.6)
        if bio is None:
            bios = self.common["personas"][persona]
            lst, _ = self.pick_lang_list(bios, lang)
            bio = self.ch(lst)
        if display is None:
            display = (f"{self.ch(self.common['display_first'])} {self.ch(self.common['display_last'])}"
                       if r.random() < 0.6 else h.split(".")[0].split("@")[0])
        a = Acct(platform, self.new_id(platform, "account"), self.platform_handle(platform, h), display, bio,
                 round(created_at), 0, 0, role, lang)
        if role in ("advertiser", "bot", "evader"):
            a.followers, a.following = r.randint(0, 400), r.randint(0, 900)
        else:
            a.followers = int(r.paretovariate(1.2) * 40)
            a.following = r.randint(20, 1500)
        self.accounts.append(a)
        return a

    def benign_acct(self, persona: str = "generic", lang: str | None = None) -> Acct:
        lang = lang or self.lang()
        key = (persona, lang)
        lst = self.pool.setdefault(key, [])
        if len(lst) < 4 + len(self.posts) // 400 or self.rng.random() < 0.25:
            lst.append(self.account("benign", lang, persona))
        return self.ch(lst)

    # ---- posts ---------------------------------------------------------------------------------
    def post(self, author: Acct, text: str, t: float, label: str, family: str, subfamily: str, lang: str,
             **kw: Any) -> Post:
        pid = self.new_id(author.platform, "post", author.id)
        t = max(t, author.created_at + 60)
        parent = self.by_id.get((author.platform, kw.get("reply_to") or ""))
        if parent is not None and self.rng.random() < (0.6 if author.platform == "x" else 0.25):
            text = "@" + parent.author.handle.split("@")[0].removesuffix(".bsky.social") + " " + text
        p = Post(author.platform, pid, author, text, t, label, family, subfamily, lang, **kw)
        self.posts.append(p)
        self.by_id[(p.platform, pid)] = p
        self.last_post[author.id] = max(self.last_post.get(author.id, 0.0), t)
        return p

    def time_in(self, lo: float = T0, hi: float = T_END) -> float:
        return self.rng.uniform(lo, max(lo + 1, hi))

    def noise(self, text: str, lang: str) -> str:
        r = self.rng
        x = r.random()
        if x < 0.12:
            words = [m for m in re.finditer(r"(?<!\S)[a-zA-Z]{5,}(?!\S)", text)]
            if words:
                m = r.choice(words)
                w = m.group(0)
                i = r.randrange(len(w) - 1)
                w = w[:i] + w[i + 1] + w[i] + w[i + 2:]
                text = text[: m.start()] + w + text[m.end():]
        elif x < 0.2 and "http" not in text:
            text = text.lower()
        elif x < 0.25:
            text = text.upper() if "http" not in text else text
        elif x < 0.33:
            text = text.replace(", ", ",\n", 1)
        if r.random() < 0.12:
            text += " " + self.ch(self.common["emoji"]["happy"])
        return text

    def frame(self, text: str, lang: str) -> str:
        """Light benign framing (prefix or suffix) for everyday and look-alike posts."""
        fr = self.common["frames"]
        x = self.rng.random()
        if x < 0.15:
            lst, _ = self.pick_lang_list(fr["prefix"], lang)
            return self.ch(lst) + text[:1].lower() + text[1:] if text[:1].isalpha() else self.ch(lst) + text
        if x < 0.3:
            lst, _ = self.pick_lang_list(fr["suffix"], lang)
            return text + self.ch(lst)
        return text

    def harmful_obf(self, p: Post, keywords: list[str] | None = None, rate: float = 0.45) -> None:
        if self.rng.random() < rate:
            p.text, p.obfuscation = self.obf.text(p.text, keywords=keywords)
            if self.rng.random() < 0.15:  # a second, different layer
                p.text, second = self.obf.text(p.text, keywords=keywords)
                if second != "none" and p.obfuscation != "none":
                    p.obfuscation = f"{p.obfuscation}+{second}"

    # ---- families ------------------------------------------------------------------------------
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

    # ---- threads -------------------------------------------------------------------------------
    def child_root(self, lang: str, harmful: bool) -> tuple[Acct, Post]:
        r = self.rng
        kind = self.ch(["parent", "parent", "parent", "school", "team"])
        lst, l2 = self.pick_lang_list(self.threads["child_roots"][kind], lang)
        a = self.benign_acct(kind, lang)
        fills = {"name": lambda: self.ch(self.threads["child_names"]), "age": lambda: str(r.randint(4, 13)),
                 "grade": lambda: self.ch(["school", "2nd grade", "year 3", "kindergarten"]),
                 "yr": lambda: str(r.randint(1, 6)), "yr2": lambda: str(r.randint(1, 2)),
                 "u": lambda: str(r.choice([8, 9, 10, 11, 12]))}
        text = self.noise(self.expand(self.ch(lst), l2, {}, fills), l2)
        t = self.time_in(T0, T_END - DAY)
        if harmful:
            p = self.post(a, text, t, "thread_root_innocent", "child_photo_thread", kind, l2, media=True)
        else:
            p = self.post(a, text, t, "hard_negative", "child_photo", kind, l2, media=True)
        return a, p

    def sexualising_text(self, lang: str) -> tuple[str, str, str]:
        s = self.threads["sexualising"]
        subs = list(s)
        sub = self.rng.choices(subs, [s[k]["weight"] for k in subs])[0]
        lst, l2 = self.pick_lang_list({k: v for k, v in s[sub].items() if k != "weight"}, lang)
        fills = {"age": lambda: str(self.rng.randint(8, 14)), "idroute": self.id_route}
        return self.expand(self.ch(lst), l2, {}, fills), sub, l2

    def commenter(self, lang: str, platform: str) -> Acct:
        lst = self.pool.setdefault(("commenter", platform), [])
        if len(lst) < 3 or self.rng.random() < 0.35:
            a = self.account("commenter", lang, platform=platform,
                             bio=self.ch(["", "", "dm open", "🔞", "trade?", "👀", "snap in dm"]))
            for b in lst[-4:]:
                if self.rng.random() < 0.4:
                    self.edges.append((platform, a.id, b.id, self.time_in()))
            lst.append(a)
        return self.ch(lst)

    def benign_reply_text(self, kind: str, lang: str) -> tuple[str, str]:
        lst, l2 = self.pick_lang_list(self.threads["benign"][kind], lang)
        fills = {"age": lambda: str(self.rng.randint(3, 13)), "age2": lambda: str(self.rng.randint(2, 12))}
        return self.expand(self.ch(lst), l2, {}, fills), l2

    def child_thread(self, harmful: bool) -> tuple[int, int]:
        """A child-photo root with benign replies, and sexualising ones when harmful; returns
        (context replies, posts)."""
        r = self.rng
        lang = self.lang()
        parent, root = self.child_root(lang, harmful)
        plat = root.platform
        made, ctx = 1, 0
        replies: list[Post] = []
        for _ in range(r.randint(1, 4)):
            kind = self.ch(["family", "family", "friend"])
            a = self.benign_acct("parent", lang) if kind == "friend" else self.account("benign", lang, "generic",
                                                                                      platform=plat)
            if a.platform != plat:
                a = self.account("benign", lang, "parent", platform=plat)
            text, l2 = self.benign_reply_text(kind, lang)
            p = self.post(a, self.noise(text, l2), root.created_at + r.uniform(120, 20 * 3600), "benign_reply",
                          "benign_reply", kind, l2, reply_to=root.id, reply_root=root.id)
            replies.append(p)
            made += 1
            self.edges.append((plat, a.id, parent.id, a.created_at + r.uniform(DAY, 20 * DAY)))
            if r.random() < 0.35:
                text, l2 = self.benign_reply_text("parent_thanks", lang)
                self.post(parent, text, p.created_at + r.uniform(60, 6 * 3600), "benign_reply", "benign_reply",
                          "parent_thanks", l2, reply_to=p.id, reply_root=root.id)
                made += 1
        if r.random() < 0.2:  # a relative quotes the photo
            q = self.account("benign", lang, "parent", platform=plat)
            text, l2 = self.benign_reply_text("family_quote", lang)
            self.post(q, self.noise(text, l2), root.created_at + r.uniform(600, DAY), "benign_reply", "benign_reply",
                      "family_quote", l2, quote_of=root.id)
            made += 1
        if not harmful:
            return 0, made
        for _ in range(r.choice([1, 2, 2, 3, 3, 4, 5])):
            c = self.commenter(lang, plat)
            if r.random() < 0.12:
                lst, l2 = self.pick_lang_list(self.threads["quotes"], lang)
                p = self.post(c, self.ch(lst), root.created_at + r.uniform(300, DAY), "context_reply",
                              "sexualising_reply", "quote", l2, quote_of=root.id)
                ctx += 1
                made += 1
                continue
            text, sub, l2 = self.sexualising_text(lang)
            target = root
            if replies and r.random() < 0.15:  # under a family member's reply
                target = self.ch(replies)
                sub = sub + "_nested"
            p = self.post(c, self.noise(text, l2), target.created_at + r.uniform(60, 30 * 3600), "context_reply",
                          "sexualising_reply", sub, l2, reply_to=target.id, reply_root=root.id)
            self.harmful_obf(p, text.split(), rate=0.4)
            ctx += 1
            made += 1
            depth_parent = p
            for _ in range(r.choice([0, 0, 1, 1, 2])):
                c2 = self.commenter(lang, plat)
                lst, l3 = self.pick_lang_list(self.threads["followups"], lang)
                q = self.post(c2, self.noise(self.ch(lst), l3), depth_parent.created_at + r.uniform(60, 8 * 3600),
                              "context_reply", "sexualising_reply", "followup", l3, reply_to=depth_parent.id,
                              reply_root=root.id)
                self.harmful_obf(q, rate=0.35)
                ctx += 1
                made += 1
                depth_parent = q
            if sub == "age_question" and r.random() < 0.25:  # the parent answers, innocently
                text, l2 = self.benign_reply_text("parent_answer", lang)
                self.post(parent, text, p.created_at + r.uniform(60, 4 * 3600), "benign_reply", "benign_reply",
                          "parent_answer", l2, reply_to=p.id, reply_root=root.id)
                made += 1
            elif r.random() < 0.2:
                text, l2 = self.benign_reply_text("parent_pushback", lang)
                self.post(parent, text, p.created_at + r.uniform(60, 4 * 3600), "benign_reply", "benign_reply",
                          "parent_pushback", l2, reply_to=p.id, reply_root=root.id)
                made += 1
        return ctx, made

    def nonhuman_thread(self) -> int:
        r = self.rng
        lang = self.lang()
        kind = self.ch(["pet", "pet", "pet", "car", "house"])
        lst, l2 = self.pick_lang_list(self.threads["nonhuman_roots"][kind], lang)
        a = self.benign_acct("generic", lang)
        fills = {"pet": lambda: self.ch(self.threads["pet_names"]), "age": lambda: str(r.randint(1, 14)),
                 "d": lambda: str(r.randint(0, 9))}
        root = self.post(a, self.noise(self.expand(self.ch(lst), l2, {}, fills), l2), self.time_in(T0, T_END - DAY),
                         "hard_negative", "nonhuman_photo_root", kind, l2, media=True)
        made = 1
        for _ in range(r.randint(1, 4)):
            sub = "age_question" if r.random() < 0.6 else "admiration"
            rl, l3 = self.pick_lang_list(self.threads["nonhuman_replies"][kind][sub], lang)
            b = self.account("benign", lang, platform=root.platform) if r.random() < 0.5 else None
            if b is None or b.platform != root.platform:
                b = self.account("benign", lang, platform=root.platform)
            p = self.post(b, self.noise(self.ch(rl), l3), root.created_at + r.uniform(60, DAY), "hard_negative",
                          "nonhuman_age_question", f"{kind}_{sub}", l3, reply_to=root.id, reply_root=root.id)
            made += 1
            if r.random() < 0.1:
                p.text, p.obfuscation = self.obf.text(p.text, benign=True)
            if sub == "age_question" and r.random() < 0.5:  # the owner answers
                ol, l4 = self.pick_lang_list(self.threads["owner_answers"], lang)
                text = self.expand(self.ch(ol), l4, {}, fills)
                self.post(a, text, p.created_at + r.uniform(60, 6 * 3600), "hard_negative", "nonhuman_age_question",
                          f"{kind}_owner_answer", l4, reply_to=p.id, reply_root=root.id)
                made += 1
        return made

    # ---- hard negatives and ordinary -------------------------------------------------------------
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

    # ---- driver --------------------------------------------------------------------------------
    def run(self, n: int) -> None:
        r = self.rng
        target = {"advert": round(0.14 * n), "context_reply": round(0.07 * n), "evasion": round(0.03 * n),
                  "hard_negative": round(0.40 * n)}
        # popular ordinary posts first, so adverts can reply to / quote them
        made = 0
        while made < max(20, n // 50):
            made += self.ordinary()
        adverts = ann = 0
        while ann < target["evasion"]:
            a, e = self.evasion_episode()
            adverts += a
            ann += e
        while adverts < target["advert"]:
            left = target["advert"] - adverts
            adverts += self.bot_flood(left) if r.random() < 0.07 else self.advertiser_episode(left)
        ctx = 0
        while ctx < target["context_reply"]:
            c, _ = self.child_thread(harmful=True)
            ctx += c
        hn = 0
        while hn < target["hard_negative"]:
            x = r.random()
            if x < 0.08:
                _, m = self.child_thread(harmful=False)
                hn += 1  # the root; its replies are benign_reply
            elif x < 0.13:
                hn += self.nonhuman_thread()
            else:
                hn += self.hard_negative()
        while len(self.posts) < n:
            self.ordinary()
        self.trim(n)
        self.follows(n)

    def trim(self, n: int) -> None:
        """Drop surplus ordinary posts (never a reply's parent) to land on n posts."""
        surplus = len(self.posts) - n
        if surplus <= 0:
            return
        parents = {p.reply_to for p in self.posts if p.reply_to} | {p.quote_of for p in self.posts if p.quote_of}
        parents |= {p.repost_of for p in self.posts if p.repost_of}
        keep: list[Post] = []
        for p in reversed(self.posts):
            if surplus > 0 and p.label in ("ordinary", "benign_reply") and p.id not in parents and \
                    p.subfamily in ("everyday", "ordinary_thread"):
                surplus -= 1
                continue
            keep.append(p)
        keep.reverse()
        self.posts = keep

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

    # ---- output --------------------------------------------------------------------------------
    def write(self, out: Path) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        rows: list[tuple[float, int, int, dict]] = []
        seq = 0
        for a in self.accounts:
            rows.append((a.created_at, 0, seq, {
                "type": "account", "id": a.id, "platform": a.platform, "handle": a.handle,
                "display_name": a.display_name, "bio": a.bio, "created_at": a.created_at,
                "followers": a.followers, "following": a.following}))
            seq += 1
            if a.suspended_at is not None:
                rows.append((a.suspended_at, 0, seq, {"type": "account", "id": a.id, "platform": a.platform,
                                                      "status": "suspended", "status_at": a.suspended_at}))
                seq += 1
        labels: list[tuple[float, int, dict]] = []
        for p in self.posts:
            t = round(p.created_at)
            text = p.text
            obj: dict[str, Any] = {"type": "post", "id": p.id, "platform": p.platform, "author_id": p.author.id,
                                   "text": text, "created_at": t,
                                   "hashtags": _TAG.findall(text),
                                   "urls": [u.rstrip(".,!?)\"'") for u in _URL.findall(text)],
                                   "media": [{"id": "m" + hashlib.sha1(p.id.encode()).hexdigest()[:20],
                                              "kind": "image"}] if p.media else []}
            for k in ("reply_to", "reply_root", "quote_of", "repost_of", "group_id"):
                v = getattr(p, k)
                if v:
                    obj[k] = v
            obj["lang"] = p.lang
            rows.append((t, 1, seq, obj))
            labels.append((t, seq, {"platform": p.platform, "id": p.id, "label": p.label, "family": p.family,
                                    "subfamily": p.subfamily, "lang": p.lang, "obfuscation": p.obfuscation,
                                    "link_style": p.link_style}))
            seq += 1
        for plat, src, dst, t in self.edges:
            rows.append((round(t), 2, seq, {"type": "edge", "platform": plat, "kind": "follow", "src": src,
                                            "dst": dst, "created_at": round(t)}))
            seq += 1
        rows.sort(key=lambda x: (x[0], x[1], x[2]))
        with (out / "stream.jsonl").open("wb") as f:
            f.writelines(orjson.dumps(row[3]) + b"\n" for row in rows)
        labels.sort(key=lambda x: (x[0], x[1]))
        with (out / "labels.jsonl").open("wb") as f:
            f.writelines(orjson.dumps(row[2]) + b"\n" for row in labels)
        with (out / "accounts.jsonl").open("wb") as f:
            for a in self.accounts:
                row = {"platform": a.platform, "id": a.id, "role": a.role}
                if a.predecessor:
                    row["predecessor"] = a.predecessor
                f.write(orjson.dumps(row) + b"\n")
        counts: dict[str, int] = {}
        for p in self.posts:
            counts[p.label] = counts.get(p.label, 0) + 1
        counts = dict(sorted(counts.items()))
        counts["posts"] = len(self.posts)
        counts["accounts"] = len(self.accounts)
        counts["edges"] = len(self.edges)
        counts["suspensions"] = sum(1 for a in self.accounts if a.suspended_at is not None)
        return counts


def generate(out: Path, posts: int = 20000, seed: int = 0) -> dict:
    """Write stream.jsonl, labels.jsonl and accounts.jsonl under out; returns counts."""
    author = Author(seed)
    author.run(posts)
    return author.write(Path(out))
