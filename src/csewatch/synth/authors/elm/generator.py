"""elm author: writes a labelled synthetic stream (native csewatch JSONL) of CSAM-advert indicators,
sexualising context replies, ban-evasion announcements, many hard negatives and ordinary posts.
Words, templates and character data are in vocab/*.yaml; this module is the grammar: accounts, threads,
bot floods, evasion chains, contact-route and price styles, noise and obfuscation, and the labels."""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from csewatch.synth.authors.elm.obfuscate import Obfuscator

START = 1_772_323_200  # 2026-03-01T00:00:00Z
SPAN = 8 * 86_400
PLATFORMS = ["x", "bluesky", "mastodon"]
LANGS = ["en", "id", "tl", "ru", "de", "es", "pt", "fr", "it"]
LANG_W = [30, 13, 11, 11, 11, 7, 7, 5, 5]
SLOT_RE = re.compile(r"\{(\w+)(\?)?\}")
ALT_RE = re.compile(r"\[([^\[\]{}]*\|[^\[\]{}]*)\]")
TAG_RE = re.compile(r"#(\w+)")
URL_RE = re.compile(r"https?://[^\s]+")
LINK_STYLES = ["url", "url", "url", "bare_host", "bare_host", "written_dots", "spaced", "dropped_dot",
               "slash_space", "app_id", "onion", "dm", "bio", "dm"]


def _load(name: str) -> dict:
    text = resources.files("csewatch.synth.authors.elm").joinpath("vocab", name).read_text("utf-8")
    return yaml.safe_load(text)


@dataclass
class Acct:
    platform: str
    id: str
    handle: str
    display_name: str
    bio: str
    created_at: int
    lang: str
    role: str
    predecessor: str | None = None
    window: tuple[int, int] = (START, START + SPAN)
    extra: dict = field(default_factory=dict)


@dataclass
class PostRef:
    platform: str
    id: str
    t: int
    author: Acct
    text: str


class Author:
    """One generation run: holds the vocab, the rng, the accounts and the output rows."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.common = _load("common.yaml")
        self.adv = _load("adverts.yaml")
        self.ctx = _load("context.yaml")
        self.eva = _load("evasion.yaml")
        self.neg = _load("negatives.yaml")
        self.ordn = _load("ordinary.yaml")
        self.obf = Obfuscator(_load("obfuscation.yaml"))
        self.table: dict[str, dict[str, list]] = {}
        self._build_table()
        self.counter = {p: 0 for p in PLATFORMS}
        self.events: list[tuple[int, int, dict]] = []
        self.labels: list[dict] = []
        self.accounts: list[Acct] = []
        self.seq = 0
        self.newtags = [self._invent_tag() for _ in range(self.rng.randint(8, 14))]
        self.groups = [f"grp{self.rng.randint(10000, 99999)}{i}" for i in range(6)]
        self.popular: dict[str, list[PostRef]] = {p: [] for p in PLATFORMS}
        self._pools: dict[str, list[Acct]] = {}
        self._lang_of: dict[str, str] = {}
        self._benign_by_root: dict[str, list[PostRef]] = {}
        self.count: dict[str, int] = {}
        self.root_of: dict[str, str] = {}
        self.obf_slots = set(self.adv["obfuscate_slots"])
        self.cur_lang = "en"
        self.cur_obf: str | None = None
        self.obf_done = False
        self.cur_style = "none"
        self.old_handle = "old_acc"

    # --- vocabulary table ---------------------------------------------------------------------------
    def _add(self, lang: str, name: str, values: list) -> None:
        self.table.setdefault(lang, {}).setdefault(name, []).extend(values)

    def _build_table(self) -> None:
        for lang, slots in self.adv["slots"].items():
            for name, vals in slots.items():
                self._add(lang, name, vals)
        for lang, slots in self.ordn["slots"].items():
            for name, vals in slots.items():
                self._add(lang, name, vals)
        for src in (self.common, self.ctx, self.neg):
            for key, val in src.items():
                if key in ("roots", "replies", "benign_replies", "hard_negative", "ordinary", "nonhuman_roots",
                           "pushback"):
                    continue
                if isinstance(val, list):
                    self._add("*", key, val)
                elif isinstance(val, dict) and all(isinstance(v, list) for v in val.values()):
                    for lang, vals in val.items():
                        self._add(lang, key, vals)
        self._add("*", "kidname", self.ctx["kidnames"])
        self._add("*", "grade", self.ctx["grades"])
        self._add("*", "kidthing", self.ctx["kidthings"])
        for lang, vals in self.ctx["admire"].items():
            self._add(lang, "adm", vals)
        self._add("*", "month", self.neg["months"])

    def lookup(self, name: str) -> list:
        for lang in (self.cur_lang, "*", "en"):
            vals = self.table.get(lang, {}).get(name)
            if vals:
                return vals
        raise KeyError(name)

    # --- rendering ------------------------------------------------------------------------------------
    def expand(self, text: str, depth: int = 0) -> str:
        rng = self.rng
        text = ALT_RE.sub(lambda m: rng.choice(m.group(1).split("|")), text)

        def rep(m: re.Match) -> str:
            name, opt = m.group(1), m.group(2)
            if opt and rng.random() < 0.5:
                return ""
            special = getattr(self, "s_" + name, None)
            if special is not None:
                return special()
            key = name.lower() if name[0].isupper() else name
            v = self.expand(rng.choice(self.lookup(key)), depth + 1) if depth < 6 else key
            if name[0].isupper():
                v = v[:1].upper() + v[1:]
            if key in self.obf_slots and self.cur_obf and rng.random() < 0.75:
                v = self.obf.apply(self.cur_obf, v, rng)
                self.obf_done = True
            return v

        return SLOT_RE.sub(rep, text)

    def render(self, template: str, lang: str, obf: str | None) -> str:
        self.cur_lang, self.cur_obf, self.obf_done = lang, obf, False
        self.cur_style = "none"
        text = self.expand(template)
        if obf and not self.obf_done:
            text = self._obf_word(text, obf)
        return re.sub(r"[ \t]{2,}", " ", text).strip() if not obf or "spac" not in obf else text.strip()

    def _obf_word(self, text: str, obf: str) -> str:
        words = text.split(" ")
        prefer = {"cp", "pizza", "cheese", "leak", "leaks", "folder", "collection", "young", "teen", "minor", "pack",
                  "cp2077", "ЦП", "цп", "link", "links", "old", "age", "how"}
        idx = [i for i, w in enumerate(words) if w.lower().strip("?!.,#") in prefer]
        if not idx:
            idx = [i for i, w in enumerate(words) if len(w) >= 3 and "/" not in w and "." not in w[1:-1]]
        if not idx:
            return text
        i = self.rng.choice(idx)
        words[i] = self.obf.apply(obf, words[i], self.rng)
        return " ".join(words)

    def pick_template(self, family_tpls: dict, lang: str) -> tuple[str, str]:
        """(template, lang actually used)."""
        pool = family_tpls.get(lang) or []
        star = family_tpls.get("*") or []
        if pool and star:
            return (self.rng.choice(pool), lang) if self.rng.random() < 0.6 else (self.rng.choice(star), lang)
        if pool:
            return self.rng.choice(pool), lang
        if star:
            return self.rng.choice(star), lang
        return self.rng.choice(family_tpls["en"]), "en"

    # --- code-made slots -------------------------------------------------------------------------------
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

    # --- accounts and posts -----------------------------------------------------------------------------
    def _handle_base(self, lang: str) -> str:
        rng = self.rng
        names = self.common["first_names"].get(lang) or self.common["first_names"]["en"]
        bits = self.common["handle_bits"]
        base = rng.choice(names)
        r = rng.random()
        if r < 0.4:
            base += rng.choice(bits)
        elif r < 0.7:
            base = rng.choice(bits) + base
        if rng.random() < 0.5:
            base += str(rng.randint(1, 999))
        return base.replace("__", "_")

    def _new_id(self, platform: str, kind: str) -> str:
        self.counter[platform] += 1
        c = self.counter[platform]
        if platform == "x":
            base = 1_900_000_000_000_000_000 if kind == "post" else 1_500_000_000
            return str(base + c * 7919 + self.rng.randint(0, 7000))
        if platform == "bluesky":
            if kind == "account":
                return f"did:plc:{c:06x}{self._rid(18, 'abcdefghijklmnopqrstuvwxyz234567')}"
            return f"3l{c:07x}{self._rid(6, 'abcdefghijklmnopqrstuvwxyz234567')}"
        return str((113_000_000_000_000_000 if kind == "post" else 109_000_000_000_000_000) + c * 4099)

    def _emit(self, t: int, obj: dict) -> None:
        self.seq += 1
        self.events.append((t, self.seq, obj))

    def make_account(self, role: str, lang: str | None = None, platform: str | None = None, created: int | None = None,
                     bio: str | None = None, handle: str | None = None, display: str | None = None,
                     predecessor: str | None = None) -> Acct:
        rng = self.rng
        lang = lang or rng.choices(LANGS, LANG_W)[0]
        platform = platform or rng.choice(PLATFORMS)
        base = handle or self._handle_base(lang)
        hd = base
        if platform == "bluesky":
            hd = f"{base.replace('_', '-').lower()}.bsky.social"
        elif platform == "mastodon":
            hd = f"{base}@{rng.choice(['mastodon.social', 'mstdn.jp', 'chaos.social', 'mas.to', 'sakurajima.moe'])}"
        if created is None:
            created = START - rng.randint(86_400, 4 * 365 * 86_400)
        if bio is None:
            self.cur_lang = lang
            bio = rng.choice(self.common["benign_bios"].get(lang, self.common["benign_bios"]["en"]))
        display = display or base.replace("_", " ").title()
        acct = Acct(platform, self._new_id(platform, "account"), hd, display, bio, created, lang, role, predecessor)
        acct.extra["base"] = base
        self.accounts.append(acct)
        followers = rng.randint(0, 40) if role in ("advertiser", "bot", "evader") else int(rng.paretovariate(1.2) * 30)
        obj = {"type": "account", "id": acct.id, "platform": platform, "handle": hd, "display_name": display,
               "bio": bio, "created_at": created, "followers": min(followers, 2_000_000),
               "following": rng.randint(0, 900)}
        self._emit(created, obj)
        return acct

    def suspend(self, acct: Acct, t: int) -> None:
        self._emit(t, {"type": "account", "id": acct.id, "platform": acct.platform, "status": "suspended",
                       "status_at": t})

    def noise(self, text: str) -> str:
        rng = self.rng
        r = rng.random()
        if "://" in text and r < 0.16:
            return text
        if r < 0.06:
            return text.upper()
        if r < 0.16:
            return text.lower()
        if r < 0.26:
            words = text.split(" ")
            i = rng.randrange(len(words))
            w = words[i]
            if len(w) > 3 and w.isalpha():
                j = rng.randrange(len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:] if rng.random() < 0.6 else w[:j] + w[j + 1:]
            return " ".join(words)
        if r < 0.3:
            return text + rng.choice([" lol", " !!", " ...", " 🙏", " pls", " wkwk", " haha", " 😅", " ya"])
        return text

    def post(self, author: Acct, text: str, t: int, label: str, family: str, subfamily: str, lang: str,
             obf: str | None = None, link_style: str = "none", reply_to: PostRef | None = None,
             quote_of: PostRef | None = None, repost_of: PostRef | None = None, group: str | None = None,
             media: bool = False, mixed: bool = False) -> PostRef:
        rng = self.rng
        pid = self._new_id(author.platform, "post")
        obj: dict[str, Any] = {"type": "post", "id": pid, "platform": author.platform, "author_id": author.id,
                               "text": text, "created_at": t,
                               "hashtags": list(dict.fromkeys(TAG_RE.findall(text))),
                               "urls": list(dict.fromkeys(u.rstrip(".,)") for u in URL_RE.findall(text))),
                               "media": [{"id": f"m{pid[-10:]}{rng.randint(0, 9)}", "kind": "image"}] if media else []}
        if reply_to is not None:
            if reply_to.platform != author.platform:
                raise ValueError("cross-platform reply")
            obj["reply_to"] = reply_to.id
            obj["reply_root"] = self.root_of.get(reply_to.id, reply_to.id)
        if quote_of is not None:
            obj["quote_of"] = quote_of.id
        if repost_of is not None:
            obj["repost_of"] = repost_of.id
        if group:
            obj["group_id"] = group
        if not mixed and rng.random() < 0.88:
            obj["lang"] = lang
        self._emit(t, obj)
        self._lang_of[pid] = lang
        ref = PostRef(author.platform, pid, t, author, text)
        if reply_to is not None:
            self.root_of[pid] = obj["reply_root"]
        self.count[label] = self.count.get(label, 0) + 1
        self.labels.append({"platform": author.platform, "id": pid, "label": label, "family": family,
                            "subfamily": subfamily, "lang": "mixed" if mixed else lang, "obfuscation": obf or "none",
                            "link_style": link_style})
        return ref

    # --- pools ---------------------------------------------------------------------------------------------
    def pool(self, name: str, platform: str, lang: str | None = None, role: str = "benign", size: int = 3) -> Acct:
        """An account from a per-(name, platform, lang) pool, grown on demand up to `size`."""
        key = f"{name}|{platform}|{lang or '*'}"
        members = self._pools.setdefault(key, [])
        if len(members) < size and (not members or self.rng.random() < 0.5):
            members.append(self.make_account(role, lang=lang, platform=platform))
        return self.rng.choice(members)

    def _t(self, lo: int = START, hi: int = START + SPAN) -> int:
        return self.rng.randint(lo, max(lo, hi))

    def _harm_obf(self) -> str | None:
        return self.obf.pick(self.rng) if self.rng.random() < 0.35 else None

    def _mix(self, text: str, lang: str) -> tuple[str, bool]:
        if self.rng.random() >= 0.05:
            return text, False
        other = self.rng.choice([x for x in LANGS if x != lang])
        tail = self.rng.choice(self.common["contact_words"][other])
        return f"{text} {tail}", True

    # --- hard negatives and ordinary --------------------------------------------------------------------------
    def hard_negative(self) -> None:
        rng = self.rng
        fams = [f for f in self.neg["hard_negative"] if f != "nonhuman_age_question"]
        weights = [3 if f in ("cp_sense", "crypto_spam", "food_deal", "youth_sports", "leaks", "kids_items") else 1.5
                   for f in fams]
        fam = rng.choices(fams, weights)[0]
        sub = rng.choice(list(self.neg["hard_negative"][fam]))
        langs_avail = self.neg["hard_negative"][fam][sub]
        lang = rng.choices(LANGS, LANG_W)[0]
        if lang not in langs_avail:
            lang = rng.choice(list(langs_avail))
        obf = self.obf.pick(rng) if rng.random() < 0.1 else None
        platform = rng.choice(PLATFORMS)
        role_pool = "spam" if fam == "crypto_spam" else "hn"
        author = self.pool(role_pool, platform, lang, size=6 if fam == "crypto_spam" else 25)
        text = self.render(rng.choice(langs_avail[lang]), lang, obf)
        style = self.cur_style if fam == "crypto_spam" else ("url" if URL_RE.search(text) else "none")
        text, mixed = self._mix(self.noise(text), lang)
        t = self._t()
        parent = None
        if fam == "crypto_spam" and rng.random() < 0.2 and self.popular[platform]:
            parent = rng.choice(self.popular[platform])
            t = parent.t + rng.randint(20, 4000)
        group = rng.choice(self.groups) if fam == "file_sharing" and rng.random() < 0.5 else None
        ref = self.post(author, text, t, "hard_negative", fam, sub, lang, obf, style, reply_to=parent, group=group,
                        media=fam in ("kids_items", "youth_sports", "food_deal") and rng.random() < 0.5, mixed=mixed)
        self.popular[platform].append(ref)
        if fam == "crypto_spam" and rng.random() < 0.25:  # spam flood: near-identical copies minutes apart
            for _ in range(rng.randint(2, 6)):
                t += rng.randint(5, 300)
                variant = text + " " + rng.choice([self._rid(4), "💰📈", self.s_stags(), "🚀", "✅"])
                self.post(author, variant, t, "hard_negative", fam, sub + "_flood", lang, obf, style)

    def nonhuman_thread(self) -> None:
        rng = self.rng
        lang = rng.choice(list(self.neg["nonhuman_roots"]))
        platform = rng.choice(PLATFORMS)
        owner = self.pool("hn", platform, lang, size=25)
        root = self.post(owner, self.noise(self.render(rng.choice(self.neg["nonhuman_roots"][lang]), lang, None)),
                         self._t(hi=START + SPAN - 86_400), "ordinary", "pet_car_house_photo", "root", lang, media=True)
        qs = self.neg["hard_negative"]["nonhuman_age_question"]["pets_cars"]
        for _ in range(rng.randint(1, 3)):
            ql = lang if lang in qs and rng.random() < 0.8 else rng.choice(list(qs))
            obf = self.obf.pick(rng) if rng.random() < 0.1 else None
            who = self.pool("hn", platform, ql, size=25)
            self.post(who, self.render(rng.choice(qs[ql]), ql, obf), root.t + rng.randint(60, 50_000), "hard_negative",
                      "nonhuman_age_question", "pets_cars", ql, obf, reply_to=root)

    def ordinary(self) -> None:
        rng = self.rng
        daily = self.neg["ordinary"]["daily"]
        lang = rng.choices(LANGS, LANG_W)[0]
        platform = rng.choice(PLATFORMS)
        author = self.pool("ord", platform, lang, size=40)
        sub = "daily"
        tpl = rng.choice(daily[lang])
        if rng.random() < 0.7:
            sub, tpl = "composed", rng.choice(self.ordn["templates"])
        text, mixed = self._mix(self.noise(self.render(tpl, lang, None)), lang)
        ref = self.post(author, text, self._t(), "ordinary", "everyday", sub, lang, mixed=mixed,
                        media=rng.random() < 0.15)
        self.popular[platform].append(ref)

    # --- child-photo threads -------------------------------------------------------------------------------------
    def child_root(self) -> PostRef:
        rng = self.rng
        lang = rng.choices(LANGS, LANG_W)[0]
        platform = rng.choice(PLATFORMS)
        owner = self.pool("parent", platform, lang, size=20)
        text = self.noise(self.render(rng.choice(self.ctx["roots"][lang]), lang, None))
        return self.post(owner, text, self._t(hi=START + SPAN - 2 * 86_400), "thread_root_innocent", "child_photo",
                         "root", lang, media=True)

    def context_reply(self, root: PostRef, done: list[tuple[PostRef, PostRef]]) -> None:
        rng = self.rng
        kinds = list(self.ctx["replies"])
        w = {"age_question": 4, "stated_age": 2, "more_photos": 3, "trade_request": 1.5, "offplatform_contact": 3,
             "emoji_only": 3, "nested_followup": 2, "quote_post": 1.2}
        kind = rng.choices(kinds, [w[k] for k in kinds])[0]
        prev = [c for r, c in done if r.id == root.id]
        if kind == "nested_followup" and not prev:
            kind = "age_question"
        tpls = self.ctx["replies"][kind]
        lang = root_lang = self._lang_of[root.id]
        if rng.random() < 0.25:
            lang = rng.choices(LANGS, LANG_W)[0]
        if lang not in tpls and "*" not in tpls:
            lang = root_lang if root_lang in tpls else "en"
        obf = self._harm_obf() if kind != "emoji_only" else None
        tpl, lang = self.pick_template(tpls, lang)
        text = self.noise(self.render(tpl, lang, obf)) if kind != "emoji_only" else self.render(tpl, lang, None)
        commenter = self.pool("commenter", root.platform, None, role="commenter", size=30)
        if kind == "nested_followup":
            parent = rng.choice(prev)
            if rng.random() < 0.6:
                commenter = parent.author
            ref = self.post(commenter, text, parent.t + rng.randint(30, 20_000), "context_reply", "context_reply",
                            kind, lang, obf, reply_to=parent)
        elif kind == "quote_post":
            ref = self.post(commenter, text, root.t + rng.randint(120, 90_000), "context_reply", "context_reply", kind,
                            lang, obf, quote_of=root)
        else:
            parent = root
            benign_here = self._benign_by_root.get(root.id)
            if benign_here and rng.random() < 0.2:
                parent, kind = rng.choice(benign_here), kind + "_under_reply"
            ref = self.post(commenter, text, parent.t + rng.randint(60, 100_000), "context_reply", "context_reply",
                            kind, lang, obf, reply_to=parent)
        done.append((root, ref))

    def benign_reply(self, root: PostRef, prior: list[tuple[PostRef, PostRef]]) -> None:
        rng = self.rng
        lang = self._lang_of[root.id]
        friend = self.pool("friend", root.platform, lang, size=25)
        text = self.noise(self.render(rng.choice(self.ctx["benign_replies"][lang]), lang, None))
        parent, sub = root, "family_friend"
        siblings = self._benign_by_root.get(root.id, [])
        creeps = [c for r, c in prior if r.id == root.id]
        if creeps and rng.random() < 0.2:  # the parent pushes back under a sexualising reply
            parent, sub, friend = rng.choice(creeps), "pushback", root.author
            text = self.render(rng.choice(self.ctx["pushback"][lang]), lang, None)
        elif siblings and rng.random() < 0.25:
            parent, sub = rng.choice(siblings), "reply_to_reply"
        ref = self.post(friend, text, parent.t + rng.randint(60, 80_000), "benign_reply", "benign_reply", sub, lang,
                        reply_to=parent)
        self._benign_by_root.setdefault(root.id, []).append(ref)

    # --- adverts and evasion ---
    def advertiser(self, bio_only: bool = False, lang: str | None = None, platform: str | None = None,
                   created: int | None = None) -> Acct:
        rng = self.rng
        lang = lang or rng.choices(LANGS, LANG_W)[0]
        self.cur_lang = lang
        if bio_only:
            tpl, lang_used = self.pick_template(self.adv["bio_offer"], lang)
            bio = self.render(tpl, lang_used, self._harm_obf())
        else:
            plain = ["{tags}", "{e} {contact}", "", "dm 📥", "{newtag} {e}", "🔞 {crypto}", "{e}"]
            bio = self.render(rng.choice(plain), lang, None)
        display = self.render(rng.choice(self.adv["advertiser_names"]), lang, None)
        base = self._handle_base(lang) if rng.random() < 0.5 else self._rid(rng.randint(6, 10))
        acct = self.make_account("advertiser", lang, platform, created, bio, base, display)
        acct.extra["bio_only"] = bio_only
        return acct

    def advert_text(self, family: str, lang: str) -> tuple[str, str, str | None, str]:
        """(text, lang used, obfuscation, link style) for one advert of `family`."""
        obf = self._harm_obf()
        tpl, lang = self.pick_template(self.adv["templates"][family], lang)
        text = self.render(tpl, lang, obf)
        style = self.cur_style
        if family == "bio_only" and style == "none":
            style = "bio"
        text = self.noise(text) if not obf else text
        if family != "menu" and self.rng.random() < 0.15:
            text = text.replace(" ", "\n", self.rng.randint(1, 3))
        return text, lang, obf, style

    def advert(self, acct: Acct) -> None:
        rng = self.rng
        fams = ["compound", "age_goods", "menu", "euphemism", "emoji_code", "buy_request", "trade", "coded_hashtag",
                "placement", "bot_flood"]
        w = [14, 8, 8, 10, 8, 8, 7, 6, 14, 0]
        fam = "bio_only" if acct.extra.get("bio_only") and rng.random() < 0.8 else rng.choices(fams, w)[0]
        lang = acct.lang
        t = self._t(*acct.window)
        if fam != "placement":
            text, lang, obf, style = self.advert_text(fam, lang)
            text, mixed = self._mix(text, lang)
            self.post(acct, text, t, "advert", fam, fam + "_" + lang, lang, obf, style, mixed=mixed,
                      media=rng.random() < 0.2)
            self._last_adv.setdefault(acct.platform, []).append(self.labels[-1]["id"])
            self._adv_refs.setdefault(acct.platform, []).append(PostRef(acct.platform, self.labels[-1]["id"], t, acct,
                                                                        text))
            return
        place = rng.choice(["reply", "reply", "quote", "repost", "community"])
        content = rng.choice(["compound", "euphemism", "emoji_code", "age_goods", "coded_hashtag", "buy_request"])
        text, lang, obf, style = self.advert_text(content, lang)
        pop = self.popular[acct.platform]
        if place in ("reply", "quote") and pop:
            parent = rng.choice(pop[-400:])
            t = max(t, parent.t + rng.randint(15, 3600))
            kw = {"reply_to": parent} if place == "reply" else {"quote_of": parent}
            self.post(acct, text, t, "advert", place, content, lang, obf, style, **kw)
        elif place == "repost" and self._adv_refs.get(acct.platform):
            src = rng.choice(self._adv_refs[acct.platform][-50:])
            t = max(t, src.t + rng.randint(30, 7200))
            self.post(acct, f"RT @{src.author.handle.split('@')[0]}: {src.text}", t, "advert", "repost", content, lang,
                      obf, style, repost_of=src)
        else:
            self.post(acct, text, t, "advert", "community", content, lang, obf, style, group=rng.choice(self.groups))

    def bot_flood(self, bot: Acct) -> int:
        rng = self.rng
        content = rng.choice(["compound", "euphemism", "emoji_code", "coded_hashtag", "age_goods", "menu"])
        text, lang, obf, style = self.advert_text(content, bot.lang)
        t = self._t(*bot.window)
        k = rng.randint(4, 14)
        for _ in range(k):
            variant = text
            r = rng.random()
            if r < 0.3:
                variant = re.sub(r"(#\w+\s*)+$", "", variant).rstrip() + " " + self.s_tags()
            elif r < 0.55:
                variant = f"{variant} {self._rid(rng.randint(3, 6))}"
            elif r < 0.8:
                variant = f"{self.s_e()} {variant} {self.s_e()}"
            self.post(bot, variant, t, "advert", "bot_flood", content, lang, obf, style)
            t += rng.randint(3, 240)
        return k

    def evader_pair(self, old: Acct) -> Acct:
        """Suspend `old` at the end of its window; a look-alike new account announces itself afterwards."""
        rng = self.rng
        ts = old.window[1]
        self.suspend(old, ts)
        created = ts + rng.randint(300, 86_400)
        suffix = rng.choice(self.eva["handle_suffix"]).replace("{n}", str(rng.randint(2, 9)))
        base = old.extra["base"] + suffix
        display = old.display_name if rng.random() < 0.6 else old.display_name + rng.choice([" 2", " backup", " (new)",
                                                                                            " 🔁", " v2"])
        bio = old.bio if rng.random() < 0.6 else old.bio + " " + rng.choice(["(new acc)", "backup", "🔁", "#2"])
        new = self.make_account("evader", old.lang, old.platform, created, bio, base, display, predecessor=old.id)
        new.extra["bio_only"] = old.extra.get("bio_only", False)
        new.window = (created + 60, START + SPAN)
        return new

    def evasion_post(self, new: Acct, old: Acct, t: int) -> None:
        rng = self.rng
        tpls = self.eva["templates"]
        lang = new.lang if new.lang in tpls else "en"
        self.old_handle = ("@" if rng.random() < 0.6 else "") + old.handle.split("@")[0].split(".bsky")[0]
        obf = self._harm_obf()
        text = self.noise(self.render(rng.choice(tpls[lang]), lang, obf))
        self.post(new, text, t, "evasion_announcement", "evasion", "named_old" if "{old}" in text or
                  self.old_handle in text else "announce", lang, obf, self.cur_style)

    # --- the run ---
    def run(self, posts: int) -> None:
        rng = self.rng
        n_adv, n_ctx, n_roots = round(0.14 * posts), round(0.07 * posts), max(1, round(0.03 * posts))
        n_eva, n_hn, n_ben = round(0.03 * posts), round(0.40 * posts), round(0.06 * posts)
        self._last_adv: dict[str, list[str]] = {}
        self._adv_refs: dict[str, list[PostRef]] = {}
        for _ in range(max(5, posts // 60)):
            self.ordinary()
        n_nonhuman = max(1, posts // 120)
        for _ in range(n_nonhuman):
            self.nonhuman_thread()
        while self.count.get("hard_negative", 0) < n_hn:
            self.hard_negative()
        roots = [self.child_root() for _ in range(n_roots)]
        done: list[tuple[PostRef, PostRef]] = []
        first = int(n_ben * 0.75)
        for i in range(first):
            self.benign_reply(roots[i % n_roots] if i < n_roots else rng.choice(roots), done)
        for _ in range(n_ctx):
            self.context_reply(rng.choice(roots[: max(1, int(n_roots * 0.85))]), done)
        for _ in range(n_ben - first):
            self.benign_reply(rng.choice(roots), done)
        # advertisers: some evade (suspended, then a look-alike announces), some are bots that flood
        n_pairs = max(1, (n_eva + 1) // 2)
        n_accts = max(n_pairs + 2, n_adv // 14)
        advs = [self.advertiser(bio_only=rng.random() < 0.18) for _ in range(n_accts)]
        for a in advs:
            a.window = (START, START + SPAN)
        eva_left = n_eva
        for old in advs[:n_pairs]:
            cut = self._t(START + SPAN // 6, START + SPAN * 2 // 3)
            old.window = (START, cut)
            new = self.evader_pair(old)
            k = min(eva_left, rng.randint(1, 3)) if old is not advs[n_pairs - 1] else eva_left
            for j in range(max(1, k)):
                self.evasion_post(new, old, new.window[0] + j * rng.randint(60, 20_000))
            eva_left -= max(1, k)
            advs.append(new)
        bots = [self.make_account("bot", rng.choices(LANGS, LANG_W)[0], bio=self.render("{tags}", "en", None))
                for _ in range(max(1, n_adv // 150))]
        n_done = self.count.get("advert", 0)
        flood_target = int(n_adv * 0.12)
        while n_done < flood_target:
            n_done += self.bot_flood(rng.choice(bots))
        while n_done < n_adv:
            self.advert(rng.choice(advs))
            n_done += 1
        for a in advs[n_pairs:]:
            if a.role == "advertiser" and rng.random() < 0.15:
                self.suspend(a, a.window[1] - rng.randint(0, 3600))
        while len(self.labels) < posts:
            self.ordinary()
        self.follows(posts // 5)

    def follows(self, n: int) -> None:
        rng = self.rng
        by_platform: dict[str, list[Acct]] = {}
        for a in self.accounts:
            by_platform.setdefault(a.platform, []).append(a)
        for _ in range(n):
            platform = rng.choice(PLATFORMS)
            members = by_platform.get(platform, [])
            if len(members) < 2:
                continue
            src = rng.choice(members)
            if src.role == "commenter":
                shady = [a for a in members if a.role in ("advertiser", "evader", "commenter", "bot") and a is not src]
                dst = rng.choice(shady) if shady else rng.choice(members)
            else:
                dst = rng.choice(members)
            if dst is src:
                continue
            t = max(src.created_at, dst.created_at, START) + rng.randint(60, SPAN // 2)
            self._emit(t, {"type": "edge", "platform": platform, "kind": "follow", "src": src.id, "dst": dst.id,
                           "created_at": t})

    def write(self, out: Path) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        self.events.sort(key=lambda e: (e[0], e[1]))
        with (out / "stream.jsonl").open("w", encoding="utf-8") as fh:
            for _, _, obj in self.events:
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        with (out / "labels.jsonl").open("w", encoding="utf-8") as fh:
            for row in self.labels:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        with (out / "accounts.jsonl").open("w", encoding="utf-8") as fh:
            for a in self.accounts:
                row = {"platform": a.platform, "id": a.id, "role": a.role}
                if a.predecessor:
                    row["predecessor"] = a.predecessor
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts: dict[str, int] = {}
        for row in self.labels:
            counts[row["label"]] = counts.get(row["label"], 0) + 1
        counts["posts"] = len(self.labels)
        counts["accounts"] = len(self.accounts)
        counts["edges"] = sum(1 for _, _, o in self.events if o["type"] == "edge")
        return counts


def generate(out: Path, posts: int = 20000, seed: int = 0) -> dict:
    """Write stream.jsonl, labels.jsonl and accounts.jsonl under `out`; return the counts per label."""
    author = Author(seed)
    author.run(posts)
    return author.write(Path(out))
