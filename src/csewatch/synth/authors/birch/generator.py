"""birch: one independent synthetic author of labelled csewatch streams (multilingual, heavy Unicode disguise).

The grammar lives here; every word, template and phrase lives in vocab/*.yaml. ``generate`` writes
``stream.jsonl`` (native csewatch JSONL, time-ordered), ``labels.jsonl`` (one per post) and
``accounts.jsonl`` (one per account, with its role). Text is clinical: indicator words only.
"""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from csewatch.synth.authors.birch.obfuscate import Obfuscator

_FILES = ("accounts", "adverts", "contacts", "context", "evasion", "negatives", "ordinary", "obfuscation")
_SLOT = re.compile(r"\{([a-z_0-9]+)\}")
KO, KC, PO, PC = "\x01", "\x02", "\x03", "\x04"
_SEG = re.compile(r"\x01(.*?)\x02|\x03(.*?)\x04", re.S)
_MARKS = re.compile(r"[\x01-\x04]")
_TAG = re.compile(r"(?<![\w/&])#(\w+)")
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_ALNUM = string.ascii_letters + string.digits
PLATFORMS = ("x", "bluesky", "mastodon")
_CAPS = {"x": 280, "bluesky": 300, "mastodon": 500}
_CYRILLIC = re.compile("[\u0400-\u04ff]")
_CYRILLIC_ONLY = ("translit", "homoglyph_latin_in_cyrillic")
# transforms that also disguise Cyrillic words
_ANY_SCRIPT = _CYRILLIC_ONLY * 3 + (
    "spacing",
    "separators",
    "zero_width",
    "invisible_chars",
    "bidi_rlo",
    "bidi_marks",
    "exotic_spaces",
    "repeated_letters",
    "case_mixing",
    "zalgo",
    "strikethrough",
)
# families whose posts stay one short line (replies, reactions, pointers)
_SHORT = {"context_reply", "benign_reply", "general_reply", "nonhuman_age_question", "bio_only", "root"}
PLATFORM_WEIGHTS = (0.3, 0.35, 0.35)
T0 = 1_761_955_200  # 2025-11-01 00:00 UTC
SPAN = 9 * 86400
# whole-text styling is plausible for these (people post entire lines in fancy letters)
_WHOLE = (
    "fullwidth",
    "math_bold",
    "math_script",
    "math_fraktur",
    "math_double_struck",
    "math_sans_bold",
    "math_monospace",
    "math_bold_italic",
    "circled",
    "small_caps",
    "homoglyph_cyrillic",
    "homoglyph_greek",
    "zero_width",
    "case_mixing",
    "accents",
    "strikethrough",
    "squared",
    "negative_squared",
)


def load_vocab() -> dict[str, dict]:
    """Every vocabulary file of this author, parsed."""
    root = resources.files("csewatch.synth.authors.birch") / "vocab"
    return {name: yaml.safe_load((root / f"{name}.yaml").read_text("utf-8")) for name in _FILES}


@dataclass
class Account:
    platform: str
    id: str
    handle: str
    display_name: str
    bio: str
    created_at: int
    role: str
    followers: int
    following: int
    lang: str
    window: tuple[int, int] = (T0, T0 + SPAN)
    predecessor: str | None = None
    suspended_at: int | None = None


@dataclass
class Text:
    text: str
    obfuscation: str = "none"
    link_style: str = "none"
    urls: list[str] = field(default_factory=list)


class Birch:
    """Stateful writer of one stream; ``run`` returns counts."""

    def __init__(self, posts: int, seed: int) -> None:
        self.rng = random.Random(f"birch:{seed}")
        self.n = posts
        self.v = load_vocab()
        self.ob = Obfuscator(self.v["obfuscation"])
        self.obf_names = self.ob.names()
        self.slots: dict[str, object] = {}
        for name in _FILES:
            self.slots.update(self.v[name].get("slots", {}) or {})
        self.lang_weights: dict[str, float] = self.v["accounts"]["lang_weights"]
        self.key_slots = set(self.v["adverts"]["key_slots"])
        self.records: list[tuple[float, int, dict]] = []
        self.labels: list[dict] = []
        self.accounts: list[Account] = []
        self.used_ids: dict[str, set[str]] = {p: set() for p in PLATFORMS}
        self.seq = 0
        self.post_count = 0
        self.targets: dict[str, list[tuple[str, int]]] = {p: [] for p in PLATFORMS}
        self.adverts_by_platform: dict[str, list[tuple[str, int, str, str]]] = {p: [] for p in PLATFORMS}
        self.newtags = self._invent_tags()
        self.communities = {p: [f"{c}-{self._rand(_B32, 4)}" for c in self.slots["community_names"]] for p in PLATFORMS}
        self.ctx: dict = {}
        self._effective: set[str] = set()  # transforms that changed the text being obfuscated

    # --- small helpers ----------------------------------------------------------------------------------
    def _rand(self, alphabet: str, n: int) -> str:
        return "".join(self.rng.choice(alphabet) for _ in range(n))

    def _pick_lang(self, available: list[str]) -> str:
        weights = [self.lang_weights.get(lang, 0.05) for lang in available]
        return self.rng.choices(available, weights)[0]

    def _invent_tags(self) -> list[str]:
        syl = self.slots["tag_syllables"]
        out: list[str] = []
        while len(out) < self.rng.randint(6, 10):
            tag = "".join(self.rng.choice(syl) for _ in range(self.rng.randint(2, 4)))
            if self.rng.random() < 0.4:
                tag += str(self.rng.randint(1, 99))
            if tag not in out:
                out.append(tag)
        return out

    def _new_id(self, platform: str, kind: str) -> str:
        while True:
            if platform == "x":
                ident = (
                    str(self.rng.randint(10**17, 10**19)) if kind == "post" else str(self.rng.randint(10**8, 10**18))
                )
            elif platform == "bluesky":
                ident = "3l" + self._rand(_B32, 11) if kind == "post" else "did:plc:" + self._rand(_B32, 24)
            else:
                ident = (
                    str(self.rng.randint(10**17, 2 * 10**17))
                    if kind == "post"
                    else str(self.rng.randint(10**5, 10**17))
                )
            if ident not in self.used_ids[platform]:
                self.used_ids[platform].add(ident)
                return ident

    def _emit(self, t: float, obj: dict) -> None:
        self.seq += 1
        self.records.append((t, self.seq, obj))

    # --- slot filling -----------------------------------------------------------------------------------
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

    # --- composition ------------------------------------------------------------------------------------
    def compose(
        self, template: str, lang: str, obf_p: float, harmful: bool, platform: str, long_tail: str | None = None
    ) -> Text:
        self.ctx = {k: v for k, v in self.ctx.items() if k in ("old_handle", "compound_style")}
        raw = self.fill(template, lang)
        if long_tail and platform != "x" and self.rng.random() < 0.35:
            raw += "\n\n" + self.fill(self.word(long_tail, lang), lang)
        obf = "none"
        if self.rng.random() < obf_p:
            raw, obf = self._obfuscate(raw, harmful)  # "none" when nothing could be touched (emoji, other scripts)
        text = self._noise(raw, platform)
        text = _MARKS.sub("", text).strip()
        urls = [u for u in self.ctx.get("urls", []) if u in text]
        return Text(text, obf, self.ctx.get("link_style", "none"), urls)

    def _obfuscate(self, raw: str, harmful: bool) -> tuple[str, str]:
        if _CYRILLIC.search(raw) and self.rng.random() < 0.6:
            names = [self.rng.choice(_ANY_SCRIPT)]
        else:
            names = [self.rng.choice([n for n in self.obf_names if n not in _CYRILLIC_ONLY])]
        if harmful and self.rng.random() < 0.25:
            second = self.rng.choice(
                [
                    "zero_width",
                    "leetspeak",
                    "case_mixing",
                    "bidi_marks",
                    "invisible_chars",
                    "homoglyph_cyrillic",
                    "separators",
                ]
            )
            if second not in names:
                names.append(second)
        self._effective = set()
        whole = names[0] in _WHOLE and self.rng.random() < 0.3
        segs = _split(raw)
        keys = [i for i, (k, _) in enumerate(segs) if k == "key"]
        if not keys and not whole:
            # no marked indicator: disguise one or two of the longest words
            out = []
            for kind, s in segs:
                if kind == "plain":
                    words = re.split(r"(\s+)", s)
                    longest = sorted(range(0, len(words), 2), key=lambda i: -len(words[i]))[: self.rng.randint(1, 2)]
                    for i in longest:
                        if len(words[i]) > 3 and not words[i].startswith("#"):
                            words[i] = self._apply(names, words[i])
                    s = "".join(words)
                    kind = "done"
                out.append((kind, s))
            segs = out
        out2 = []
        for kind, s in segs:
            if kind == "key" or (whole and kind == "plain"):
                s = (
                    self._apply(names, s)
                    if kind == "key"
                    else "\n".join(self._apply(names[:1], ln) for ln in s.split("\n"))
                )
                kind = "done"
            out2.append((kind, s))
        return _join(out2), "+".join(n for n in names if n in self._effective) or "none"

    def _apply(self, names: list[str], s: str) -> str:
        for name in names:
            out = self.ob.apply(name, s, self.rng)
            if out != s:
                self._effective.add(name)
            s = out
        return s

    def _noise(self, raw: str, platform: str) -> str:
        segs = _split(raw)
        r = self.rng.random()
        out = []
        for kind, s in segs:
            if kind == "plain":
                if r < 0.08:
                    s = s.lower()
                elif r < 0.11:
                    s = s.upper()
                if self.rng.random() < 0.12:
                    s = self._typo(s)
            out.append((kind, s))
        text = _join(out)
        if self.rng.random() < 0.15:
            text += self.rng.choice([" ", "  ", "\n"]) + self.word("noise_emoji", "any")
        if platform == "x" and self.rng.random() < 0.06:
            text = self.s_handle("en") + " " + text
        elif platform == "mastodon" and len(text) > 60 and self.rng.random() < 0.06:
            text = "CW: " + self.word("cw_topics", "any") + "\n\n" + text
        elif platform == "bluesky" and "\n\n" in text and self.rng.random() < 0.3:
            text = self.word("thread_marks", "any") + " " + text
        return text

    def _typo(self, s: str) -> str:
        idx = [i for i in range(1, len(s) - 1) if s[i].isalpha() and s[i - 1].isalpha() and s[i + 1].isalpha()]
        if not idx:
            return s
        i = self.rng.choice(idx)
        op = self.rng.randrange(3)
        if op == 0:
            return s[:i] + s[i + 1] + s[i] + s[i + 2 :]
        if op == 1:
            return s[:i] + s[i + 1 :]
        return s[:i] + s[i] + s[i:]

    # --- accounts ---------------------------------------------------------------------------------------
    def make_account(
        self, role: str, kind: str, created: int | None = None, platform: str | None = None, lang: str | None = None
    ) -> Account:
        platform = platform or self.rng.choices(PLATFORMS, PLATFORM_WEIGHTS)[0]
        lang = lang or self._pick_lang(list(self.lang_weights))
        shady = role in ("advertiser", "bot", "evader", "commenter")
        base = self._handle_base(shady)
        if platform == "bluesky":
            handle = f"{base.replace('_', '-').lower()}.{self.word('bsky_domains', 'any')}"
        elif platform == "mastodon":
            handle = f"{base}@{self.word('instances', 'any')}"
        else:
            handle = base
        self.ctx = {}
        lang_key = lang if lang != "mix" else "en"
        display = self.fill(self.word(f"display_{kind}", lang_key), lang_key).replace(KO, "").replace(KC, "")
        bio = self.fill(self.word(f"bio_{kind}", lang_key), lang_key)
        bio = _MARKS.sub("", self._maybe_obf_bio(bio, shady))
        if created is None:
            created = (
                T0 - self.rng.randint(3 * 86400, 8 * 365 * 86400) if not shady else T0 - self.rng.randint(0, 40 * 86400)
            )
        followers = self.rng.randint(0, 400) if shady else int(self.rng.paretovariate(1.2) * 40)
        acct = Account(
            platform,
            self._new_id(platform, "account"),
            handle,
            _MARKS.sub("", display),
            bio,
            created,
            role,
            followers,
            self.rng.randint(0, 900),
            lang,
        )
        self.accounts.append(acct)
        self._emit(created, self._account_obj(acct))
        return acct

    def _maybe_obf_bio(self, bio: str, shady: bool) -> str:
        if shady and self.rng.random() < 0.3:
            bio, _ = self._obfuscate(bio, True)
        return bio

    @staticmethod
    def _account_obj(a: Account) -> dict:
        return {
            "type": "account",
            "id": a.id,
            "platform": a.platform,
            "handle": a.handle,
            "display_name": a.display_name,
            "bio": a.bio,
            "created_at": a.created_at,
            "followers": a.followers,
            "following": a.following,
        }

    def evader_for(self, old: Account) -> Account:
        created = (old.suspended_at or T0) + self.rng.randint(300, 36 * 3600)
        base = old.handle.split("@")[0].split(".")[0]
        variant = (
            self.word("evader_handle_patterns", "any").replace("<h>", base).replace("<n>", str(self.rng.randint(2, 9)))
        )
        if old.platform == "bluesky":
            handle = f"{variant.replace('_', '-').lower()}.{old.handle.split('.', 1)[1]}"
        elif old.platform == "mastodon":
            handle = f"{variant}@{self.word('instances', 'any')}"
        else:
            handle = variant
        display = (
            old.display_name
            if self.rng.random() < 0.5
            else self.word("evader_display_patterns", "any").replace("<d>", old.display_name)
        )
        bio = (
            old.bio
            if self.rng.random() < 0.4
            else self.word("evader_bio_prefix", old.lang if old.lang != "mix" else "en") + " " + old.bio
        )
        acct = Account(
            old.platform,
            self._new_id(old.platform, "account"),
            handle,
            display,
            bio[:600],
            created,
            "evader",
            self.rng.randint(0, 60),
            self.rng.randint(0, 300),
            old.lang,
            window=(created + 60, created + self.rng.randint(3600, 3 * 86400)),
            predecessor=old.id,
        )
        self.accounts.append(acct)
        self._emit(created, self._account_obj(acct))
        return acct

    # --- posts ------------------------------------------------------------------------------------------
    def post(
        self,
        acct: Account,
        t: float,
        txt: Text,
        label: str,
        family: str,
        sub: str,
        lang: str,
        media: int = 0,
        **rel: str | None,
    ) -> str:
        pid = self._new_id(acct.platform, "post")
        t = int(t)
        obj: dict = {
            "type": "post",
            "id": pid,
            "platform": acct.platform,
            "author_id": acct.id,
            "text": txt.text,
            "created_at": t,
            "hashtags": _hashtags(txt.text),
            "urls": txt.urls,
            "media": [{"id": f"m{self._rand(_ALNUM, 12)}", "kind": "image"} for _ in range(media)],
        }
        for k, v in rel.items():
            if v is not None:
                obj[k] = v
        post_lang = "mul" if lang == "mix" else lang
        if lang != "mix" and self.rng.random() < 0.9:
            obj["lang"] = post_lang
        self._emit(t, obj)
        self.labels.append(
            {
                "platform": acct.platform,
                "id": pid,
                "label": label,
                "family": family,
                "subfamily": sub,
                "lang": post_lang,
                "obfuscation": txt.obfuscation,
                "link_style": txt.link_style,
            }
        )
        self.post_count += 1
        return pid

    def templates(self, file: str, family: str, sub: str | None = None) -> tuple[str, dict[str, list[str]]]:
        fam = self.v[file]["templates"][family]
        sub = sub or self.rng.choice(sorted(fam))
        return sub, fam[sub]

    def tpl_text(
        self,
        file: str,
        family: str,
        sub: str | None,
        obf_p: float,
        harmful: bool,
        platform: str,
        lang: str | None = None,
        tail: str | None = None,
    ) -> tuple[str, str, Text]:
        sub, by_lang = self.templates(file, family, sub)
        langs = sorted(by_lang)
        if lang is None or lang not in by_lang:
            lang = self._pick_lang(langs)
        template = self.rng.choice(by_lang[lang])
        if lang != "mix" and len(langs) > 2 and self.rng.random() < 0.07:
            # a mixed-language post: this template's frame, slot words drawn from several languages
            other = self.rng.choice([x for x in langs if x != lang])
            template += self.rng.choice([" ", "\n", " / "]) + self.rng.choice(by_lang[other])
            lang = "mix"
        cap = _CAPS[platform]
        if platform != "x" and family not in _SHORT and self.rng.random() < 0.3:
            # Bluesky/Mastodon-style longer post: more paragraphs of the same family and language
            fam = self.v[file]["templates"][family]
            extra = [t for s2 in sorted(fam) for t in fam[s2].get(lang, []) if t != template]
            parts = [template] + self.rng.sample(extra, k=min(len(extra), self.rng.randint(1, 3)))
            while len(parts) > 1:
                saved = self.rng.getstate()
                txt = self.compose("\n\n".join(parts), lang, obf_p, harmful, platform, tail)
                if len(txt.text) <= cap:
                    return sub, lang, txt
                self.rng.setstate(saved)
                parts.pop()
        txt = self.compose(template, lang, obf_p, harmful, platform, tail)
        return sub, lang, txt

    # --- families ---------------------------------------------------------------------------------------
    def run(self) -> None:
        n = self.n
        n_adv = round(0.14 * n)
        n_ctx = round(0.07 * n)
        n_root = max(1, round(0.025 * n))
        n_eva = round(0.03 * n)
        n_hard = round(0.40 * n)
        n_brep = round(0.06 * n)
        n_ord = n - n_adv - n_ctx - n_root - n_eva - n_hard - n_brep
        benign = [self.make_account("benign", "benign") for _ in range(max(5, n // 25))]
        parents = [
            self.make_account("benign", self.rng.choice(["parent", "school", "team"])) for _ in range(max(3, n // 120))
        ]
        commenters = [self.make_account("commenter", "commenter") for _ in range(max(3, n // 150))]
        self.ordinary(benign, n_ord)
        self.hard_negatives(benign, n_hard)
        self.threads(parents, commenters, benign, n_root, n_ctx, n_brep)
        self.adverts_and_evasion(benign, n_adv, n_eva)
        self.follows(benign, parents, commenters)

    def _time(self, acct: Account, lo: int | None = None) -> int:
        a, b = acct.window
        a = max(a, lo or a, acct.created_at + 60)
        return self.rng.randint(a, max(a, b))

    def ordinary(self, benign: list[Account], count: int) -> None:
        n_pet_roots = max(1, count // 12)
        for i in range(count):
            acct = self.rng.choice(benign)
            t = self._time(acct)
            if i < n_pet_roots:
                sub, lang, txt = self.tpl_text("ordinary", "nonhuman_photo", None, 0.03, False, acct.platform)
                pid = self.post(acct, t, txt, "ordinary", "nonhuman_photo", sub, lang, media=self.rng.randint(1, 3))
                self.targets[acct.platform].append((pid, t))
                self.ctx_pet = getattr(self, "ctx_pet", [])
                self.ctx_pet.append((acct, pid, t, sub, lang))
                continue
            gid = self.rng.choice(self.communities[acct.platform]) if self.rng.random() < 0.05 else None
            sub, lang, txt = self.tpl_text(
                "ordinary", "ordinary", None, 0.03, False, acct.platform, tail="ordinary_tail"
            )
            pid = self.post(
                acct, t, txt, "ordinary", "ordinary", sub, lang, media=int(self.rng.random() < 0.2), group_id=gid
            )
            self.targets[acct.platform].append((pid, t))

    def hard_negatives(self, benign: list[Account], count: int) -> None:
        fams = sorted(self.v["negatives"]["templates"])
        fam_w: dict[str, float] = self.v["negatives"]["family_weights"]
        pets = getattr(self, "ctx_pet", [])
        n_pet_q = min(count // 10, len(pets) * 4)
        for i in range(count):
            if i < n_pet_q:
                root_acct, root, rt, sub, _ = self.rng.choice(pets)
                acct = self.rng.choice([a for a in benign[:60] if a.platform == root_acct.platform] or [root_acct])
                _, lang, txt = self.tpl_text("negatives", "nonhuman_age_question", sub, 0.05, False, acct.platform)
                t = rt + self.rng.randint(60, 2 * 86400)
                self.post(
                    acct, t, txt, "hard_negative", "nonhuman_age_question", sub, lang, reply_to=root, reply_root=root
                )
                continue
            fam = self.rng.choices(fams, [fam_w.get(f, 1.0) if f != "nonhuman_age_question" else 0.0 for f in fams])[0]
            acct = self.rng.choice(benign)
            sub, lang, txt = self.tpl_text("negatives", fam, None, 0.115, False, acct.platform, tail="negative_tail")
            media = int(
                fam in ("kids_items_sale", "food_deal", "trading_cards", "ordinary_sale") and self.rng.random() < 0.6
            )
            gid = self.rng.choice(self.communities[acct.platform]) if self.rng.random() < 0.06 else None
            t = self._time(acct)
            pid = self.post(acct, t, txt, "hard_negative", fam, sub, lang, media=media, group_id=gid)
            self.targets[acct.platform].append((pid, t))

    def threads(
        self,
        parents: list[Account],
        commenters: list[Account],
        benign: list[Account],
        n_root: int,
        n_ctx: int,
        n_brep: int,
    ) -> None:
        roots = []
        for _ in range(n_root):
            acct = self.rng.choice(parents)
            sub, lang, txt = self.tpl_text("context", "root", None, 0.0, False, acct.platform)
            t = self._time(acct)
            pid = self.post(
                acct, t, txt, "thread_root_innocent", "child_photo_root", sub, lang, media=self.rng.randint(1, 4)
            )
            roots.append((acct, pid, t, lang))
        # benign replies: most to roots, some to ordinary posts
        for i in range(n_brep):
            if i < len(roots) or self.rng.random() < 0.75:
                racct, root, rt, rlang = roots[i % len(roots)] if i < len(roots) else self.rng.choice(roots)
                family = "child_photo_benign"
            else:
                plat = self.rng.choice(PLATFORMS)
                if not self.targets[plat]:
                    plat = next(p for p in PLATFORMS if self.targets[p])
                root, rt = self.rng.choice(self.targets[plat])
                racct = (
                    next(a for a in benign if a.platform == plat)
                    if any(a.platform == plat for a in benign)
                    else benign[0]
                )
                rlang = None
                family = "general_benign"
            pool = [a for a in benign if a.platform == racct.platform] or benign
            acct = self.rng.choice(pool[:80])
            lang = rlang if rlang and self.rng.random() < 0.8 else None
            sub, lang, txt = self.tpl_text(
                "context",
                "benign_reply" if family == "child_photo_benign" else "general_reply",
                None,
                0.02,
                False,
                acct.platform,
                lang=lang,
            )
            self.post(
                acct,
                rt + self.rng.randint(30, 86400),
                txt,
                "benign_reply",
                family,
                sub,
                lang,
                reply_to=root,
                reply_root=root,
            )
        # context replies
        ctx_subs = sorted(self.v["context"]["templates"]["context_reply"])
        made: list[tuple[Account, str, str, int, str]] = []  # (author, post id, root id, time, lang)
        hit_roots = self.rng.sample(roots, k=max(1, int(len(roots) * 0.8)))
        for i in range(n_ctx):
            racct, root, rt, rlang = hit_roots[i % len(hit_roots)] if i < len(hit_roots) else self.rng.choice(hit_roots)
            pool = [a for a in commenters if a.platform == racct.platform]
            if not pool:
                pool = [self.make_account("commenter", "commenter", platform=racct.platform)]
                commenters.extend(pool)
            acct = self.rng.choice(pool)
            sub = self.rng.choice(ctx_subs)
            same_root = [m for m in made if m[2] == root]
            lang = rlang if self.rng.random() < 0.6 else None
            if sub == "nested_followup" and same_root:
                parent = self.rng.choice(same_root)
                _, lang, txt = self.tpl_text("context", "context_reply", sub, 0.48, True, acct.platform, lang=lang)
                t = parent[3] + self.rng.randint(20, 6 * 3600)
                pid = self.post(
                    acct, t, txt, "context_reply", "context_reply", sub, lang, reply_to=parent[1], reply_root=root
                )
            elif sub == "quote_post":
                _, lang, txt = self.tpl_text("context", "context_reply", sub, 0.48, True, acct.platform, lang=lang)
                t = rt + self.rng.randint(60, 2 * 86400)
                pid = self.post(acct, t, txt, "context_reply", "context_reply", sub, lang, quote_of=root)
            else:
                if sub == "nested_followup":
                    sub = "age_question"
                _, lang, txt = self.tpl_text("context", "context_reply", sub, 0.48, True, acct.platform, lang=lang)
                t = rt + self.rng.randint(60, 2 * 86400)
                pid = self.post(
                    acct, t, txt, "context_reply", "context_reply", sub, lang, reply_to=root, reply_root=root
                )
            made.append((acct, pid, root, t, lang))

    def adverts_and_evasion(self, benign: list[Account], n_adv: int, n_eva: int) -> None:
        fam_w: dict[str, float] = self.v["adverts"]["family_weights"]
        fams = sorted(fam_w)
        advertisers = []
        for _ in range(max(4, n_adv // 7)):
            a = self.make_account("advertiser", "advertiser")
            start = T0 + self.rng.randint(0, int(SPAN * 0.7))
            a.window = (max(start, a.created_at + 60), min(T0 + SPAN, start + self.rng.randint(6 * 3600, 4 * 86400)))
            advertisers.append(a)
        bio_accts = []
        for _ in range(max(2, n_adv // 40)):
            a = self.make_account("advertiser", "bio_offer")
            start = T0 + self.rng.randint(0, int(SPAN * 0.7))
            a.window = (max(start, a.created_at + 60), min(T0 + SPAN, start + self.rng.randint(6 * 3600, 4 * 86400)))
            bio_accts.append(a)
        # suspensions and evaders first, so evaders can also advertise
        n_evaders = max(1, n_eva // 3)
        evaders: list[Account] = []
        for old in self.rng.sample(advertisers + bio_accts, k=min(n_evaders, len(advertisers) + len(bio_accts))):
            old.suspended_at = old.window[1] + self.rng.randint(600, 6 * 3600)
            self._emit(
                old.suspended_at,
                {
                    "type": "account",
                    "id": old.id,
                    "platform": old.platform,
                    "status": "suspended",
                    "status_at": old.suspended_at,
                },
            )
            evaders.append(self.evader_for(old))
        for i in range(n_eva):
            acct = evaders[i % len(evaders)]
            old = next(a for a in self.accounts if a.id == acct.predecessor and a.platform == acct.platform)
            self.ctx = {"old_handle": old.handle.split("@")[0]}
            sub, lang, txt = self.tpl_text(
                "evasion",
                "evasion",
                None,
                0.35,
                True,
                acct.platform,
                lang=old.lang if old.lang in ("en", "ru", "id", "de", "fr", "it", "tl", "es", "pt", "mix") else None,
            )
            t = acct.created_at + self.rng.randint(60, 20 * 3600)
            self.post(acct, t, txt, "evasion_announcement", "evasion", sub, lang)
            self.ctx = {}
        made = 0
        seller_pool = advertisers + evaders
        while made < n_adv:
            # weights are per post; one bot_flood pick writes about ten posts
            fam = self.rng.choices(fams, [fam_w[f] / (10.5 if f == "bot_flood" else 1.0) for f in fams])[0]
            if fam == "bot_flood":
                made += self.bot_flood(n_adv - made)
                continue
            acct = self.rng.choice(bio_accts if fam == "bio_only" else seller_pool)
            if fam == "placement":
                self.placement(acct)
            else:
                self.ctx = {}
                if fam == "compound":
                    self.ctx["compound_style"] = self.rng.choice(["token", "camel", "hashtag", "neighbours", "hyphen"])
                sub, lang, txt = self.tpl_text("adverts", fam, None, 0.39, True, acct.platform, tail="adv_tail")
                if fam == "compound":
                    sub = self.ctx.get("compound_style", sub)
                gid = self.rng.choice(self.communities[acct.platform]) if self.rng.random() < 0.04 else None
                t = self._time(acct)
                pid = self.post(
                    acct, t, txt, "advert", fam, sub, lang, media=int(self.rng.random() < 0.25), group_id=gid
                )
                self.adverts_by_platform[acct.platform].append((pid, t, acct.handle, txt.text))
            self.ctx = {}
            made += 1

    def placement(self, acct: Account) -> None:
        sub = self.rng.choice(["reply", "quote", "repost", "community"])
        src = self.rng.choice(["compound", "euphemism", "emoji_code", "age_goods", "trade", "coded_hashtag"])
        if src == "compound":
            self.ctx["compound_style"] = None
        earlier = [a for a in self.adverts_by_platform[acct.platform] if a[1] < acct.window[1] - 60]
        if sub == "repost" and earlier:
            opid, ot, ohandle, otext = self.rng.choice(earlier)
            prefix = f"RT @{ohandle.split('@')[0]}: " if acct.platform == "x" else self.word("repost_prefix", "any")
            txt = Text(prefix + otext, "none", "none", _urls_in(otext))
            lab = next(
                (lb for lb in reversed(self.labels) if lb["id"] == opid and lb["platform"] == acct.platform), None
            )
            lang = lab["lang"] if lab else "en"
            lo = max(ot + 30, acct.created_at + 60, acct.window[0])
            self.post(
                acct,
                self.rng.randint(lo, max(lo, min(acct.window[1], ot + 6 * 3600))),
                txt,
                "advert",
                "placement",
                "repost",
                "mix" if lang == "mul" else lang,
                repost_of=opid,
            )
            return
        if sub == "repost":
            sub = "reply"
        _, lang, txt = self.tpl_text("adverts", src, None, 0.39, True, acct.platform)
        lo, hi = max(acct.window[0], acct.created_at + 60), acct.window[1]
        targets = [x for x in self.targets[acct.platform] if lo - 2 * 86400 < x[1] < hi - 60]
        if sub == "community" or not targets:
            self.post(
                acct,
                self._time(acct),
                txt,
                "advert",
                "placement",
                "community",
                lang,
                group_id=self.rng.choice(self.communities[acct.platform]),
            )
            return
        tid, tt = self.rng.choice(targets)
        t = self.rng.randint(max(lo, tt + 20), max(lo, tt + 20, min(hi, tt + 3 * 3600)))
        if sub == "reply":
            self.post(acct, t, txt, "advert", "placement", "reply", lang, reply_to=tid, reply_root=tid)
        else:
            self.post(acct, t, txt, "advert", "placement", "quote", lang, quote_of=tid)

    def bot_flood(self, budget: int) -> int:
        bot = self.make_account("bot", "advertiser")
        k = min(budget, self.rng.randint(5, 16))
        self.ctx = {}
        src = self.rng.choice(["compound", "euphemism", "emoji_code", "menu", "age_goods", "coded_hashtag"])
        sub, by_lang = self.templates("adverts", src)
        lang = self._pick_lang(sorted(by_lang))
        template = self.rng.choice(by_lang[lang])
        tags = self.v["adverts"]["slots"]["adv_tags"]
        tags = tags.get(lang) or tags["en"]
        t = max(T0 + self.rng.randint(0, SPAN - 86400), bot.created_at + 60)
        obf = self.rng.random() < 0.38
        for _ in range(k):
            variant = template + " " + " ".join("#" + self.rng.choice(tags) for _ in range(self.rng.randint(1, 3)))
            if self.rng.random() < 0.6:
                variant += " " + self._rand(_ALNUM, self.rng.randint(3, 6))
            if self.rng.random() < 0.5:
                variant += " " + self.word("noise_emoji", "any")
            txt = self.compose(variant, lang, 1.0 if obf else 0.0, True, bot.platform)
            self.post(bot, t, txt, "advert", "bot_flood", src, lang)
            t += self.rng.randint(5, 240)
        return k

    def follows(self, benign: list[Account], parents: list[Account], commenters: list[Account]) -> None:
        by_plat: dict[str, list[Account]] = {p: [a for a in self.accounts if a.platform == p] for p in PLATFORMS}
        pairs: list[tuple[Account, Account]] = []
        for _ in range(self.n // 8):
            plat = self.rng.choice(PLATFORMS)
            if len(by_plat[plat]) > 1:
                a, b = self.rng.sample(by_plat[plat], 2)
                pairs.append((a, b))
        for c in commenters:
            for p in [x for x in parents if x.platform == c.platform][:4]:
                pairs.append((c, p))
        for ev in [a for a in self.accounts if a.predecessor]:
            same = [a for a in by_plat[ev.platform] if a.role in ("advertiser", "bot", "commenter") and a.id != ev.id]
            for f in self.rng.sample(same, k=min(4, len(same))):
                pairs.append((f, ev))
        for src, dst in pairs:
            t = max(src.created_at, dst.created_at) + self.rng.randint(60, 5 * 86400)
            self._emit(
                t,
                {
                    "type": "edge",
                    "platform": src.platform,
                    "kind": "follow",
                    "src": src.id,
                    "dst": dst.id,
                    "created_at": t,
                },
            )


def _split(raw: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    for m in _SEG.finditer(raw):
        if m.start() > pos:
            out.append(("plain", raw[pos : m.start()]))
        out.append(("key", m.group(1)) if m.group(1) is not None else ("prot", m.group(2)))
        pos = m.end()
    if pos < len(raw):
        out.append(("plain", raw[pos:]))
    return out


def _join(segs: list[tuple[str, str]]) -> str:
    parts = []
    for kind, s in segs:
        # obfuscated ("done") text is protected from the later noise pass, like links
        parts.append(KO + s + KC if kind == "key" else PO + s + PC if kind in ("prot", "done") else s)
    return "".join(parts)


def _hashtags(text: str) -> list[str]:
    out: list[str] = []
    for tag in _TAG.findall(text):
        if tag not in out:
            out.append(tag)
    return out


def _urls_in(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


def generate(out: Path, posts: int = 20000, seed: int = 0) -> dict:
    """Write stream.jsonl, labels.jsonl and accounts.jsonl under ``out``; return counts per label and totals."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    b = Birch(posts, seed)
    b.run()
    b.records.sort(key=lambda r: (r[0], r[1]))
    with open(out / "stream.jsonl", "w", encoding="utf-8") as fh:
        for _, _, obj in b.records:
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
    with open(out / "labels.jsonl", "w", encoding="utf-8") as fh:
        for lab in b.labels:
            fh.write(json.dumps(lab, ensure_ascii=False) + "\n")
    with open(out / "accounts.jsonl", "w", encoding="utf-8") as fh:
        for a in b.accounts:
            row = {"platform": a.platform, "id": a.id, "role": a.role}
            if a.predecessor:
                row["predecessor"] = a.predecessor
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    counts: dict = {
        "posts": len(b.labels),
        "accounts": len(b.accounts),
        "edges": sum(1 for r in b.records if r[2]["type"] == "edge"),
    }
    for lab in b.labels:
        counts[lab["label"]] = counts.get(lab["label"], 0) + 1
    return counts
