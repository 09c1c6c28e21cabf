"""dogwood: one independent synthetic-data author for csewatch's learned text model.

Writes a time-ordered native JSONL stream (accounts, posts, follow edges, suspensions) with labels
for every post and roles for every account. All words, templates and phrasings live in
``vocab/*.yaml``; this module holds the grammar: slot expansion, contact-route styles, prices, ages,
coded hashtags, obfuscation, noise, threads, bot floods and ban evasion. Text is clinical: indicator
words of the kind quoted in public reporting, never descriptions.
"""

from __future__ import annotations

import json
import pathlib
import random
import re
import string
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from csewatch.synth.authors.dogwood.obfuscate import Obfuscator

T0 = 1_764_547_200  # 2025-12-01 00:00 UTC
SPAN = 6 * 86_400
PLATFORMS = ["x", "bluesky", "mastodon"]
PLATFORM_W = [0.4, 0.3, 0.3]
LANGS = ["en", "es", "pt", "it", "fr", "de", "ru", "id", "tl", "mul"]
HARM_LANG_W = [0.30, 0.14, 0.15, 0.08, 0.08, 0.05, 0.06, 0.07, 0.05, 0.02]
BENIGN_LANG_W = [0.34, 0.14, 0.14, 0.09, 0.09, 0.05, 0.05, 0.05, 0.04, 0.01]
OBF_SLOTS = ("minor", "material", "euph", "sale", "buy_verb", "trade_phrase", "ev_ban", "ev_new", "ev_same", "bio",
             "dm")
LINK_STYLES = ["full_url", "bare_host", "written_dots", "spaced_slash", "dropped_dots", "messenger_id", "onion",
               "dm", "bio", "none"]
LINK_W = [0.24, 0.12, 0.14, 0.06, 0.05, 0.1, 0.04, 0.13, 0.1, 0.02]
ADVERT_FAMILIES = ["compound", "age_goods", "menu", "euphemism", "emoji_code", "buy_request", "trade",
                   "coded_hashtags"]
ADVERT_W = [0.22, 0.12, 0.1, 0.16, 0.1, 0.11, 0.1, 0.09]
S_OPEN, S_CLOSE = "\x01", "\x02"
_SLOT = re.compile(r"\{([a-z_0-9]+)(?::([a-z_]+))?\}")
_TAG = re.compile(r"#(\w+)")
_URL = re.compile(r"https?://\S+")


def _load() -> dict[str, Any]:
    base = resources.files("csewatch.synth.authors.dogwood").joinpath("vocab")
    out: dict[str, Any] = {}
    for name in ("slots", "compose", "adverts", "formats", "threads", "negatives", "ordinary", "profiles",
                 "obfuscation"):
        out[name] = yaml.safe_load(base.joinpath(f"{name}.yaml").read_text(encoding="utf-8"))
    out["slots"].update(out.pop("compose"))
    return out


@dataclass
class _Ctx:
    lang: str
    link_style: str = "none"
    urls: list[str] = field(default_factory=list)
    old: str = ""
    routes: list[str] = field(default_factory=list)
    benign: bool = False

    def route(self) -> str:
        """The link style the text actually carries: its contact route, else a dm/bio pointer, else none."""
        for style in self.routes:
            if style not in ("dm", "bio", "none"):
                return style
        return self.routes[0] if self.routes else "none"


@dataclass
class _Acct:
    id: str
    platform: str
    handle: str
    display_name: str
    bio: str
    created_at: int
    role: str
    lang: str
    followers: int
    following: int
    predecessor: str | None = None
    handle_raw: str = ""


class _Author:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.v = _load()
        self.obf = Obfuscator(self.v["obfuscation"])
        self.lines: list[tuple[int, int, dict]] = []
        self.labels: list[dict] = []
        self.accounts: list[_Acct] = []
        self.seq = 0
        self.post_counter = {p: 0 for p in PLATFORMS}
        self.media_counter = 0
        self.acct_ids: dict[tuple[str, str], int] = {}
        self.handles: dict[tuple[str, str], int] = {}
        self.counts: dict[str, int] = {}
        self.stream_tags = self._invent_tags(self.rng.randint(6, 10))
        self.groups = {p: [f"{p[:2]}-grp-{self.rng.randint(1000, 9999)}{i}" for i in range(6)] for p in PLATFORMS}

    # ------------------------------------------------------------------ words
    def _invent_tags(self, n: int) -> list[str]:
        f = self.v["formats"]
        out: list[str] = []
        while len(out) < n:
            a, b, c = (self.rng.choice(f["tag_syll"]) for _ in range(3))
            shape = self.rng.choice(f["tag_shapes"])
            tag = shape.format(a=a, b=b, c=c, A=a.capitalize(), B=b.capitalize(), n=self.rng.randint(1, 99))
            if tag not in out and len(tag) >= 4:
                out.append(tag)
        return out

    def _slot_list(self, name: str, lang: str) -> list[str] | None:
        s = self.v["slots"]
        return s.get(f"{name}_{lang}") or s.get(name)

    def _lang_pick(self, table: dict, lang: str) -> tuple[str, str]:
        """A template from table[lang] (falling back to en); returns (template, lang used)."""
        if lang in table:
            return self.rng.choice(table[lang]), lang
        if "any" in table:
            return self.rng.choice(table["any"]), lang
        fallback = "en" if "en" in table else next(iter(table))
        return self.rng.choice(table[fallback]), fallback

    def _num(self, kind: str) -> str:
        r = self.rng
        if kind == "nn":
            return str(r.randrange(50, 950, 25))
        if kind == "nk":
            return str(r.randrange(300, 5000, 100))
        return str(r.choice([5, 9, 10, 12, 15, 19, 20, 25, 29, 30, 35, 40, 45, 50, 60, 75, 80, 99, 100, 150]))

    def _rand_id(self, lo: int = 2, hi: int = 3) -> str:
        syl = self.v["formats"]["id_syll"]
        s = "".join(self.rng.choice(syl) for _ in range(self.rng.randint(lo, hi)))
        if self.rng.random() < 0.6:
            s += str(self.rng.randint(1, 999))
        return s

    def _code(self, n: int | None = None) -> str:
        n = n or self.rng.randint(6, 10)
        return "".join(self.rng.choice(string.ascii_letters + string.digits) for _ in range(n))

    def _expand(self, tpl: str, ctx: _Ctx, depth: int = 0) -> str:
        def sub(m: re.Match) -> str:
            return self._fill(m.group(1), m.group(2), ctx, depth)

        return _SLOT.sub(sub, tpl)

    def _fill(self, name: str, arg: str | None, ctx: _Ctx, depth: int) -> str:
        r, f = self.rng, self.v["formats"]
        lang = ctx.lang if ctx.lang != "mul" else r.choice(["en", "es", "pt"])
        if name == "compound":
            return self._compound(lang)
        if name == "age":
            tpl = r.choice(f["age"].get(lang, f["age"]["en"]))
            a = r.randint(6, 13)
            return tpl.format(a=a, b=a + r.randint(2, 4))
        if name == "price":
            prices = f["price"].get(lang, f["price"]["en"])
            if ctx.benign:
                prices = [p for p in prices if not any(w in p.lower() for w in ("crypto", "usdt", "btc", "krypto"))]
            tpl = r.choice(prices)
            return tpl.replace("{nn}", self._num("nn")).replace("{nk}", self._num("nk")).replace("{n}", self._num("n"))
        if name == "contact":
            return self._contact(ctx, lang)
        if name == "tag":
            return "#" + r.choice(self.stream_tags)
        if name == "n":
            return str(r.randint(2, 60))
        if name == "k":
            return str(r.randint(6, 12))
        if name == "k2":
            return str(r.choice([8, 10, 11, 12, 13, 14]))
        if name == "sid":
            return self._rand_id()
        if name == "handle":
            return self._rand_id()
        if name == "old":
            return ctx.old or self._rand_id()
        if name in ("dm", "bio"):
            ctx.routes.append(name)
        if name == "url":
            return self._benign_url(arg or "shop", ctx)
        if name == "grade":
            return r.choice(self.v["threads"]["grade"])
        pool = self._slot_list(name, lang)
        if pool is None:
            return name
        val = r.choice(pool)
        if depth < 4 and "{" in val:
            val = self._expand(val, ctx, depth + 1)
        if name in OBF_SLOTS and val:
            return S_OPEN + val + S_CLOSE
        return val

    def _compound(self, lang: str) -> str:
        r = self.rng
        a = r.choice(self._slot_list("minor", lang) or [])
        b = r.choice(self._slot_list("material", lang) or [])
        j = r.choice(self.v["formats"]["joiners"])
        if j == "camel":
            return S_OPEN + a.capitalize() + b.capitalize() + S_CLOSE
        if j == "hashtag":
            return "#" + (a + b).replace(" ", "").replace("-", "")
        if j == "upper":
            return S_OPEN + (a + b).upper() + S_CLOSE
        if j == "dot":
            return S_OPEN + a + "." + b + S_CLOSE
        return S_OPEN + a + j + b + S_CLOSE

    def _id_fill(self, pat: str) -> str:
        r = self.rng
        return (pat.replace("{id}", self._rand_id()).replace("{code}", self._code())
                .replace("{hex}", "".join(r.choice("0123456789abcdef") for _ in range(32)))
                .replace("{threema}", "".join(r.choice(string.ascii_uppercase + string.digits) for _ in range(8)))
                .replace("{n2}", f"{r.randint(1, 99):02d}")
                .replace("{onion}", "".join(r.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(56))))

    def _contact(self, ctx: _Ctx, lang: str) -> str:
        r, f = self.rng, self.v["formats"]
        style = ctx.link_style
        ctx.routes.append(style)
        lead = r.choice(f["contact_lead"])
        if style == "dm":
            return self._fill("dm", None, ctx, 5)
        if style == "bio":
            return self._fill("bio", None, ctx, 5)
        if style == "none":
            return ""
        if style == "messenger_id":
            return lead + self._id_fill(r.choice(f["messenger_ids"]))
        if style == "onion":
            s = self._id_fill(r.choice(f["onion"]))
            if s.startswith("http"):
                ctx.urls.append(s)
            return lead + s
        svc = f["services"][r.choice(list(f["services"]))]
        host, path = svc["host"], self._id_fill(svc["path"])
        if style == "full_url":
            url = f"https://{host}/{path}"
            ctx.urls.append(url)
            return lead + url
        if style == "bare_host":
            return lead + f"{host.removeprefix('www.')}/{path}"
        if style == "written_dots":
            dot = r.choice(f["dot_words"])
            return lead + host.removeprefix("www.").replace(".", dot) + r.choice(f["slash_words"]) + path
        if style == "spaced_slash":
            return lead + host.removeprefix("www.") + "/ " + path
        return lead + host.removeprefix("www.").replace(".", "") + "/" + path  # dropped_dots

    def _benign_url(self, kind: str, ctx: _Ctx) -> str:
        f = self.v["formats"]
        if kind == "shop":
            url = f"https://{self._rand_id(1, 2)}.{self.rng.choice(['com', 'shop', 'store', 'com.br', 'es', 'it'])}/" \
                  f"{self.rng.choice(['order', 'menu', 'p', 'sponsor', 'shop'])}"
        else:
            svc = f["services"].get(kind) or f["services"]["mega"]
            url = f"https://{svc['host']}/{self._id_fill(svc['path'])}"
        ctx.urls.append(url)
        return url

    # ------------------------------------------------------------------ text finishing
    def _finish(self, raw: str, obfuscate: bool) -> tuple[str, str]:
        """Apply obfuscation to marked spans (or a random word), strip markers; returns (text, technique)."""
        tech = "none"
        if obfuscate:
            tech = self.rng.choice(self.obf.techniques)
            spans = [m for m in re.finditer(S_OPEN + "([^" + S_CLOSE + "]*)" + S_CLOSE, raw)]
            if spans:
                chosen = spans if self.rng.random() < 0.4 else [self.rng.choice(spans)]
                ids = {id(m) for m in chosen}
                parts, last = [], 0
                for m in spans:
                    parts.append(raw[last:m.start()])
                    parts.append(self.obf.apply(self.rng, tech, m.group(1)) if id(m) in ids else m.group(1))
                    last = m.end()
                parts.append(raw[last:])
                raw = "".join(parts)
            else:
                raw = raw.replace(S_OPEN, "").replace(S_CLOSE, "")
                words = [m for m in re.finditer(r"[^\s#@/:.]{3,}", raw) if not m.group(0).startswith("http")]
                if words:
                    m = self.rng.choice(words)
                    raw = raw[:m.start()] + self.obf.apply(self.rng, tech, m.group(0)) + raw[m.end():]
                else:
                    tech = "none"
        raw = raw.replace(S_OPEN, "").replace(S_CLOSE, "")
        return self._noise(raw), tech

    def _noise(self, text: str) -> str:
        r = self.rng
        text = re.sub(r"[ \t]{2,}", " ", text).strip()
        x = r.random()
        if x < 0.06:
            text = text.lower()
        elif x < 0.09:
            text = text.upper() if not _URL.search(text) else text
        if r.random() < 0.05:
            words = text.split(" ")
            i = r.randrange(len(words))
            w = words[i]
            if len(w) > 4 and w.isalpha():
                j = r.randrange(len(w) - 1)
                words[i] = w[:j] + w[j + 1] + w[j] + w[j + 2:]
            text = " ".join(words)
        if r.random() < 0.07:
            text += " " + r.choice(["🙏", "😅", "!!", "...", "✨", "lol", "👀", "💯", "🔥"])
        return text or "…"

    # ------------------------------------------------------------------ records
    def _emit(self, t: int, obj: dict) -> None:
        self.seq += 1
        self.lines.append((t, self.seq, obj))

    def _new_account(self, role: str, lang: str, created_at: int, platform: str | None = None, bio: str = "",
                     name: str | None = None, handle: str | None = None, followers: int | None = None) -> _Acct:
        r = self.rng
        platform = platform or r.choices(PLATFORMS, PLATFORM_W)[0]
        while True:
            if platform == "x":
                aid = str(r.randint(10**15, 10**18))
            elif platform == "bluesky":
                aid = "did:plc:" + "".join(r.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(24))
            else:
                aid = str(r.randint(10**5, 10**17))
            if (platform, aid) not in self.acct_ids:
                break
        self.acct_ids[(platform, aid)] = 1
        p = self.v["profiles"]
        if handle is None:
            handle = r.choice(p["handle_parts"]) + r.choice(p["handle_parts"]) + r.choice(p["handle_suffix"])
        base = handle
        k = 1
        while (platform, handle) in self.handles:
            k += 1
            handle = f"{base}{k}"
        self.handles[(platform, handle)] = 1
        shown = handle
        if platform == "bluesky":
            shown = handle.replace("_", "-").lower() + ".bsky.social"
        elif platform == "mastodon":
            shown = handle + "@" + r.choice(p["instances"])
        acct = _Acct(aid, platform, shown, name if name is not None else r.choice(p["display_names"]), bio,
                     created_at, role, lang, followers if followers is not None else int(r.paretovariate(1.2) * 40),
                     r.randint(5, 900))
        acct.handle_raw = handle
        self.accounts.append(acct)
        self._emit(created_at, {"type": "account", "id": aid, "platform": platform, "handle": shown,
                                "display_name": acct.display_name, "bio": bio, "created_at": created_at,
                                "followers": acct.followers, "following": acct.following})
        return acct

    def _bio(self, key: str, lang: str, ctx: _Ctx | None = None) -> str:
        table = self.v["profiles"][key]
        tpl, used = self._lang_pick(table, lang)
        c = ctx or _Ctx(used, link_style=self.rng.choices(LINK_STYLES[:7], LINK_W[:7])[0])
        text, _ = self._finish(self._expand(tpl, c), self.rng.random() < 0.3 and key == "advertiser_bio")
        return text

    def _post_id(self, platform: str) -> str:
        self.post_counter[platform] += 1
        n = self.post_counter[platform]
        if platform == "x":
            return str(1_860_000_000_000_000_000 + n * 4096 + self.rng.randint(0, 4095))
        if platform == "mastodon":
            return str(113_500_000_000_000_000 + n * 65536 + self.rng.randint(0, 65535))
        alphabet = "234567abcdefghijklmnopqrstuvwxyz"
        s = ""
        while n:
            n, d = divmod(n, 32)
            s = alphabet[d] + s
        return "3l" + s.rjust(6, "2") + "".join(self.rng.choice(alphabet) for _ in range(5))

    def _post(self, acct: _Acct, t: int, text: str, label: str, family: str, sub: str, lang: str,
              obf: str = "none", link_style: str = "none", urls: list[str] | None = None, media: bool = False,
              reply_to: dict | None = None, quote_of: dict | None = None, repost_of: dict | None = None,
              group_id: str | None = None) -> dict:
        pid = self._post_id(acct.platform)
        if acct.platform == "mastodon" and repost_of is None and reply_to is None and label != "context_reply" \
                and not text.lower().startswith("cw"):
            harmful = label in ("advert", "evasion_announcement")
            if self.rng.random() < (0.15 if harmful else 0.06):
                text = self.rng.choice(self.v["slots"]["cw_harm" if harmful else "cw_benign"]) + "\n\n" + text
        obj: dict[str, Any] = {"type": "post", "id": pid, "platform": acct.platform, "author_id": acct.id,
                               "text": text, "created_at": int(t)}
        tags = []
        for tg in _TAG.findall(text):
            if tg not in tags:
                tags.append(tg)
        obj["hashtags"] = tags
        obj["urls"] = [u for u in dict.fromkeys(urls or []) if u in text]
        if media:
            self.media_counter += 1
            obj["media"] = [{"id": f"md{self.media_counter:07d}", "kind": "image"}]
        else:
            obj["media"] = []
        if reply_to is not None:
            obj["reply_to"] = reply_to["id"]
            obj["reply_root"] = reply_to.get("reply_root", reply_to["id"])
        if quote_of is not None:
            obj["quote_of"] = quote_of["id"]
        if repost_of is not None:
            obj["repost_of"] = repost_of["id"]
        if group_id:
            obj["group_id"] = group_id
        if lang != "mul":
            obj["lang"] = lang
        self._emit(int(t), obj)
        self.labels.append({"platform": acct.platform, "id": pid, "label": label, "family": family,
                            "subfamily": sub, "lang": lang, "obfuscation": obf, "link_style": link_style})
        self.counts[label] = self.counts.get(label, 0) + 1
        return obj

    def _t(self, lo: int = 0, hi: int = SPAN) -> int:
        return T0 + self.rng.randint(lo, hi)

    def _lang(self, harmful: bool) -> str:
        return self.rng.choices(LANGS, HARM_LANG_W if harmful else BENIGN_LANG_W)[0]

    def _ctx(self, lang: str, harmful: bool = True) -> _Ctx:
        return _Ctx(lang, link_style=self.rng.choices(LINK_STYLES, LINK_W)[0] if harmful else "none")

    def _same(self, pool: list[_Acct], platform: str) -> _Acct:
        """A random account of the pool on the given platform (the pool holds every platform)."""
        for _ in range(50):
            a = self.rng.choice(pool)
            if a.platform == platform:
                return a
        return next(a for a in pool if a.platform == platform)

    def _mention(self, text: str, parent_author: _Acct, p: float = 0.35) -> str:
        if parent_author.platform != "bluesky" and self.rng.random() < p:
            return "@" + parent_author.handle.split("@")[0] + " " + text
        return text

    # ------------------------------------------------------------------ families
    def advert_text(self, family: str, lang: str, ctx: _Ctx) -> tuple[str, str, str]:
        """(text, obfuscation, lang used) for one advert of the given family."""
        tpl, used = self._lang_pick(self.v["adverts"][family], lang)
        ctx.lang = used
        text, obf = self._finish(self._expand(tpl, ctx), self.rng.random() < 0.35)
        return text, obf, used

    def _advertiser(self, lang: str, bio_offer: bool, t_max: int) -> _Acct:
        created = self._t(-400 * 86_400, max(-86_400, t_max - T0 - 3600))
        bio = self._bio("advertiser_bio", lang) if bio_offer or self.rng.random() < 0.5 else \
            self._bio("commenter_bio", lang)
        name = self._expand(self.rng.choice(self.v["profiles"]["advertiser_name"]), _Ctx(lang if lang in (
            "en", "es", "pt") else "en")).replace(S_OPEN, "").replace(S_CLOSE, "") if bio_offer else None
        return self._new_account("advertiser", lang, created, bio=bio, name=name)

    def build(self, posts: int) -> None:
        r = self.rng
        n_adv, n_ctx, n_root = round(posts * 0.14), round(posts * 0.07), round(posts * 0.028)
        n_eva, n_hn = round(posts * 0.03), round(posts * 0.40)

        # benign population
        benign = [self._new_account("benign", lg, self._t(-1500 * 86_400, -86_400) if r.random() < 0.85 else
                                    self._t(-20 * 86_400, 0),
                                    bio=self._bio("benign_bio", lg)) for lg in
                  (self._lang(False) for _ in range(max(40, posts // 10)))]
        popular = [self._new_account("benign", self._lang(False), self._t(-2000 * 86_400, -86_400),
                                     bio=self._bio("benign_bio", "en"), followers=r.randint(50_000, 3_000_000))
                   for _ in range(max(5, posts // 600))]
        pop_posts = []
        for _ in range(max(5, posts // 100)):
            a = r.choice(popular)
            tpl, used = self._lang_pick(self.v["ordinary"]["popular"], a.lang)
            pop_posts.append((a, self._post(a, self._t(0, SPAN - 7200), self._noise(tpl), "ordinary", "ordinary",
                                            "popular", used, media=r.random() < 0.5)))
        commenters = [self._new_account("commenter", self._lang(True), self._t(-300 * 86_400, 0),
                                        bio=self._bio("commenter_bio", "en"))
                      for _ in range(max(10, n_ctx // 4))]

        # child-photo threads
        th = self.v["threads"]
        ctx_left = n_ctx
        for i in range(n_root):
            kind = r.choices(["parent", "composed", "school", "team"], [0.3, 0.35, 0.15, 0.2])[0]
            lg = self._lang(False)
            owner = self._new_account("benign", lg, self._t(-900 * 86_400, -86_400),
                                      bio=self._bio(f"{kind.replace('composed', 'parent')}_bio", lg))
            tpl, used = self._lang_pick(th["child_root"][kind], lg)
            t = self._t(0, SPAN - 86_400)
            root = self._post(owner, t, self._noise(self._expand(tpl, _Ctx(used))), "thread_root_innocent",
                              "child_photo", kind, used, media=True)
            k = min(ctx_left, max(0, round(r.gauss(n_ctx / max(1, n_root), 1.2))) if i < n_root - 1 else ctx_left)
            ctx_left -= k
            last_ctx: dict | None = None
            for _ in range(k):
                c = self._same(commenters, owner.platform)
                sub = r.choices(list(th["context"]), [0.15, 0.15, 0.08, 0.14, 0.07, 0.14, 0.09, 0.1, 0.08])[0]
                if sub == "nested_followup" and last_ctx is None:
                    sub = "age_question"
                lang = c.lang if r.random() < 0.5 else used
                tpl, lang = self._lang_pick(th["context"][sub], lang)
                ctx = _Ctx(lang, link_style="dm")
                text, obf = self._finish(self._expand(tpl, ctx), r.random() < 0.35)
                t += r.randint(30, 5400)
                if sub == "quote_photo":
                    self._post(c, t, text, "context_reply", "context", sub, lang, obf, "none", quote_of=root)
                elif sub == "nested_followup":
                    last_ctx = self._post(c, t, self._mention(text, owner, 0.5), "context_reply", "context", sub,
                                          lang, obf, "none", reply_to=last_ctx)
                else:
                    last_ctx = self._post(c, t, self._mention(text, owner), "context_reply", "context", sub, lang,
                                          obf, "dm" if "{dm}" in tpl else "none", reply_to=root)
                if r.random() < 0.3:
                    self._emit(t, {"type": "edge", "platform": c.platform, "kind": "follow", "src": c.id,
                                   "dst": owner.id, "created_at": t})
            for _ in range(r.randint(1, 4)):
                a = self._same(benign, owner.platform)
                table = th["benign_reply_composed" if r.random() < 0.5 else "benign_reply"]
                tpl, lang = self._lang_pick(table, used if r.random() < 0.8 else a.lang)
                text = self._expand(tpl, _Ctx(lang)).replace(S_OPEN, "").replace(S_CLOSE, "")
                self._post(a, t + r.randint(60, 20_000), self._mention(self._noise(text), owner), "benign_reply",
                           "child_photo_benign", "family_friend", lang, reply_to=root)

        # non-human photo threads (harmless age questions)
        hn_left = n_hn
        for _ in range(max(3, posts // 120)):
            kind = r.choice(list(th["nonhuman_root"]))
            a = r.choice(benign)
            tpl, used = self._lang_pick(th["nonhuman_root"][kind], a.lang)
            t = self._t(0, SPAN - 86_400)
            root = self._post(a, t, self._noise(tpl), "ordinary", "nonhuman_photo", kind, used, media=True)
            for _ in range(r.randint(1, 3)):
                b = self._same(benign, a.platform)
                q, lang = self._lang_pick(th["nonhuman_question"][kind], used)
                text, obf = self._finish(q, r.random() < 0.1)
                self._post(b, t + r.randint(60, 30_000), self._mention(text, a), "hard_negative",
                           "nonhuman_age_question", kind, lang, obf, reply_to=root)
                hn_left -= 1

        # adverts
        adv_left = n_adv
        # bot floods
        while adv_left > n_adv * 0.85:
            lg = r.choice(["en", "en", "es", "pt", "id"])
            bot = self._new_account("bot", lg, self._t(-30 * 86_400, SPAN // 2),
                                    bio=self._bio("bot_bio", "en"), followers=r.randint(0, 30))
            ctx = self._ctx(lg)
            if ctx.link_style in ("none", "bio"):
                ctx.link_style = "full_url"
            base, obf, used = self.advert_text("bot_flood", lg, ctx)
            t = max(bot.created_at + 60, self._t(0, SPAN - 7200))
            for _ in range(min(adv_left, r.randint(8, 25))):
                text = base
                for tg in _TAG.findall(text):
                    if r.random() < 0.5:
                        text = text.replace("#" + tg, "#" + r.choice(self.stream_tags), 1)
                text += r.choice(["", " " + self._code(4), " " + r.choice(["🔥", "✅", "💯", "⚡", "🆕"]),
                                  " #" + r.choice(self.stream_tags)])
                t += r.randint(3, 240)
                self._post(bot, t, text, "advert", "bot_flood", "near_duplicate", used, obf, ctx.route(),
                           ctx.urls)
                adv_left -= 1
        # bio-only advertisers
        while adv_left > n_adv * 0.75:
            lg = self._lang(True)
            acct = self._advertiser(lg, True, T0 + SPAN)
            for _ in range(min(adv_left, r.randint(1, 4))):
                ctx = self._ctx(lg)
                if ctx.link_style not in ("full_url", "bare_host", "written_dots", "bio"):
                    ctx.link_style = "bio"
                text, obf, used = self.advert_text("bio_only", lg, ctx)
                self._post(acct, max(acct.created_at + 60, self._t()), text, "advert", "bio_only", "post_pointer",
                           used, obf, ctx.route(), ctx.urls, media=r.random() < 0.3)
                adv_left -= 1
        # evasion: predecessor adverts, suspension, new account
        eva_left = n_eva
        while eva_left > 0:
            lg = self._lang(True)
            old = self._advertiser(lg, True, T0 + SPAN // 2)
            t = max(old.created_at + 600, self._t(0, SPAN // 2))
            for _ in range(r.randint(1, 3)):
                fam = r.choices(ADVERT_FAMILIES, ADVERT_W)[0]
                ctx = self._ctx(lg)
                text, obf, used = self.advert_text(fam, lg, ctx)
                t += r.randint(60, 7200)
                self._post(old, t, text, "advert", fam, "pre_suspension", used, obf, ctx.route(), ctx.urls)
                adv_left -= 1
            ts = t + r.randint(600, 86_400)
            self._emit(ts, {"type": "account", "id": old.id, "platform": old.platform, "status": "suspended",
                            "status_at": ts})
            raw = old.handle_raw
            new_handle = raw + r.choice(["2", "_back", "v2", "_new", "_", "x", "3", "_bkp", "reborn"])
            new = self._new_account("evader", lg, ts + r.randint(300, 2 * 86_400), platform=old.platform,
                                    bio=old.bio if r.random() < 0.6 else self._bio("advertiser_bio", lg),
                                    name=old.display_name, handle=new_handle)
            new.predecessor = old.id
            t2 = new.created_at
            for _ in range(min(eva_left, r.randint(1, 3))):
                sub = r.choices(list(th["evasion"]), [0.45, 0.25, 0.12, 0.18])[0]
                tpl, used = self._lang_pick(th["evasion"][sub], lg)
                ctx = self._ctx(used)
                ctx.old = raw
                text, obf = self._finish(self._expand(tpl, ctx), r.random() < 0.35)
                t2 += r.randint(60, 10_000)
                self._post(new, t2, text, "evasion_announcement", "evasion", sub, used, obf, ctx.route(),
                           ctx.urls)
                eva_left -= 1
        # general advertisers, with placement variants
        pool: list[_Acct] = []
        while adv_left > 0:
            if not pool or r.random() < 0.3:
                pool.append(self._advertiser(self._lang(True), r.random() < 0.3, T0 + SPAN))
            acct = r.choice(pool)
            lg = acct.lang if r.random() < 0.85 else self._lang(True)
            fam = r.choices(ADVERT_FAMILIES, ADVERT_W)[0]
            ctx = self._ctx(lg)
            text, obf, used = self.advert_text(fam, lg, ctx)
            t = max(acct.created_at + 60, self._t())
            place = r.choices(["plain", "reply", "quote", "repost", "community"], [0.7, 0.1, 0.06, 0.04, 0.1])[0]
            if place == "plain":
                self._post(acct, t, text, "advert", fam, "plain", used, obf, ctx.route(), ctx.urls,
                           media=r.random() < 0.15)
            elif place in ("reply", "quote"):
                pa, pp = r.choice(pop_posts)
                t = max(t, pp["created_at"] + 30)
                if place == "reply" and pa.platform == acct.platform:
                    self._post(acct, t, self._mention(text, pa), "advert", "reply", fam, used, obf,
                               ctx.route(), ctx.urls, reply_to=pp)
                elif pa.platform == acct.platform:
                    self._post(acct, t, text, "advert", "quote", fam, used, obf, ctx.route(), ctx.urls,
                               quote_of=pp)
                else:
                    self._post(acct, t, text, "advert", fam, "plain", used, obf, ctx.route(), ctx.urls)
            elif place == "repost":
                orig = self._post(acct, t, text, "advert", fam, "plain", used, obf, ctx.route(), ctx.urls)
                adv_left -= 1
                if adv_left <= 0:
                    break
                same = [p for p in pool if p.platform == acct.platform and p is not acct]
                reposter = r.choice(same) if same else acct
                if reposter.platform == "x" or r.random() < 0.5:
                    rt = f"RT @{acct.handle.split('@')[0]}: {text}"
                else:
                    ql, _ = self._lang_pick(self.v["adverts"]["quote_lines"], used)
                    rt = self._finish(self._expand(ql, self._ctx(used)), False)[0]
                self._post(reposter, max(t + r.randint(20, 3600), reposter.created_at + 60), rt, "advert",
                           "repost", fam, used, obf, ctx.route(), ctx.urls, repost_of=orig)
            else:
                if r.random() < 0.5:
                    fam = "community_long"
                    ctx = self._ctx(lg)
                    text, obf, used = self.advert_text(fam, lg, ctx)
                self._post(acct, t, text, "advert", "community", fam, used, obf, ctx.route(), ctx.urls,
                           group_id=r.choice(self.groups[acct.platform]))
            adv_left -= 1
            if r.random() < 0.2:
                fan = r.choice(commenters)
                if fan.platform == acct.platform:
                    self._emit(t, {"type": "edge", "platform": acct.platform, "kind": "follow", "src": fan.id,
                                   "dst": acct.id, "created_at": t})
        for a in pool:
            if r.random() < 0.25:
                ts = self._t(SPAN // 2, SPAN)
                self._emit(ts, {"type": "account", "id": a.id, "platform": a.platform, "status": "suspended",
                                "status_at": ts})

        # hard negatives
        neg = self.v["negatives"]
        fams = list(neg)
        weights = [3 if f in ("cp_benign", "csam_news_advocacy", "file_sharing_legit", "trading_cards",
                              "kids_items_sale", "food_deal") else 1.5 for f in fams]
        while hn_left > 0:
            fam = r.choices(fams, weights)[0]
            sub = r.choice(list(neg[fam]))
            a = r.choice(benign)
            tpl, used = self._lang_pick(neg[fam][sub], a.lang if r.random() < 0.7 else self._lang(False))
            ctx = _Ctx(used, benign=True)
            if r.random() < 0.4:
                tpl = ("{hn_pre} " if r.random() < 0.5 else "") + tpl + (" {hn_post}" if r.random() < 0.6 else "")
            text, obf = self._finish(self._expand(tpl, ctx), r.random() < 0.1)
            base = fam.removesuffix("2").removesuffix("_composed")
            label_fam = {"csam_news": "csam_news_advocacy", "file_sharing": "file_sharing_legit"}.get(base, base)
            group = r.choice(self.groups[a.platform]) if label_fam in (
                "file_sharing_legit", "trading_cards", "parenting_safety") and r.random() < 0.4 else None
            if label_fam == "forum_long":
                group = r.choice(self.groups[a.platform])
            self._post(a, self._t(), text, "hard_negative", label_fam, sub, used, obf,
                       "full_url" if ctx.urls else "none", ctx.urls,
                       media=fam in ("kids_items_sale", "trading_cards", "food_deal", "lolita_fashion")
                       and r.random() < 0.5, group_id=group)
            hn_left -= 1

        # ordinary posts fill the rest
        while len(self.labels) < posts:
            a = r.choice(benign)
            table = self.v["ordinary"]["composed" if r.random() < 0.6 else "posts"]
            tpl, used = self._lang_pick(table, a.lang)
            tpl = self._expand(tpl, _Ctx(used)).replace(S_OPEN, "").replace(S_CLOSE, "")
            if r.random() < 0.15 and len(self.labels) > 0:
                pa, pp = r.choice(pop_posts)
                if pa.platform == a.platform:
                    self._post(a, pp["created_at"] + r.randint(30, 40_000), self._mention(self._noise(tpl), pa),
                               "benign_reply", "reply", "popular", used, reply_to=pp)
                    continue
            self._post(a, self._t(), self._noise(tpl), "ordinary", "ordinary", "everyday", used,
                       media=r.random() < 0.2)

        # follow edges among benign accounts
        for _ in range(posts // 5):
            a, b = r.choice(benign), r.choice(benign)
            if a is not b and a.platform == b.platform:
                t = self._t()
                self._emit(t, {"type": "edge", "platform": a.platform, "kind": "follow", "src": a.id, "dst": b.id,
                               "created_at": t})

    def write(self, out: pathlib.Path) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        self.lines.sort(key=lambda x: (x[0], x[1]))
        with open(out / "stream.jsonl", "w", encoding="utf-8") as fh:
            for _, _, obj in self.lines:
                fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
        with open(out / "labels.jsonl", "w", encoding="utf-8") as fh:
            for row in self.labels:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        with open(out / "accounts.jsonl", "w", encoding="utf-8") as fh:
            for a in self.accounts:
                row: dict[str, Any] = {"platform": a.platform, "id": a.id, "role": a.role}
                if a.predecessor:
                    row["predecessor"] = a.predecessor
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        counts = dict(sorted(self.counts.items()))
        counts["posts"] = len(self.labels)
        counts["accounts"] = len(self.accounts)
        counts["lines"] = len(self.lines)
        return counts


def generate(out: pathlib.Path, posts: int = 20000, seed: int = 0) -> dict:
    """Write stream.jsonl, labels.jsonl and accounts.jsonl under ``out``; return counts per label."""
    author = _Author(seed)
    author.build(posts)
    return author.write(pathlib.Path(out))
