"""Seeded, labelled synthetic stream (``csewatch synth``): benign posts in several languages, hard
negatives, adverts, sexualising reply threads under innocent media posts, solicitation, evasion
announcements after suspensions, bot accounts posting several times a minute, and groups.

Texts are assembled combinatorially from slots (offer, term, transaction, contact, price, link,
hashtag) in random order and joiners, and every indicator word passes through random obfuscators
(separators, leetspeak, look-alike letters, full-width and mathematical letters, repeated letters,
zero-width characters, emoji, jumbled and camel-case hashtags), so evaluation does not test a fixed
list of strings. Fixture text is clinical: indicators, never descriptions.

Labels go to a separate file: one JSON line per post with its category and kind.
"""

from __future__ import annotations

import functools
import importlib.resources
import random
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
import yaml

from csewatch.synth import writers

START = 1_793_577_600.0  # 2026-11-02T00:00:00Z
PLATFORMS = ("x", "bluesky", "mastodon", "native")

# ---------------------------------------------------------------------------------------------
# vocabularies: data files of their own (csewatch/synth/vocab/*.yaml, one per family), separate from the
# policy pack; public indicator classes, variants deliberately wider than the default pack.

VOCAB_FILES = ("adverts", "evasion", "context", "benign", "hard_negatives", "accounts", "obfuscation")


@functools.cache
def vocab(name: str) -> dict[str, Any]:
    """One vocabulary file of ``csewatch synth`` (``csewatch/synth/vocab/<name>.yaml``), parsed once."""
    if name not in VOCAB_FILES:
        raise KeyError(f"no synth vocabulary {name!r}; known: {', '.join(VOCAB_FILES)}")
    res = importlib.resources.files("csewatch.synth").joinpath("vocab", f"{name}.yaml")
    return yaml.safe_load(res.read_text(encoding="utf-8"))


_ADV, _EVA, _CTX, _BEN, _HN, _ACC, _OBF = (vocab(n) for n in VOCAB_FILES)
ABUSE_STRONG: list[str] = _ADV["abuse_strong"]
ABUSE_AMBIG: list[str] = _ADV["abuse_ambig"]
OFFER: list[str] = _ADV["offer"]
TRANSACTION: list[str] = _ADV["transaction"]
CONTACT: list[str] = _ADV["contact"]
PAYMENT: list[str] = _ADV["payment"]
MINOR: list[str] = _ADV["minor"]
INVITE_HOSTS: list[str] = _ADV["invite_hosts"]
PRICE_FORMS: list[str] = _ADV["price_forms"]
EVASION: list[str] = _EVA["evasion"]
EVASION_TAIL: list[str] = _EVA["evasion_tail"]
AGE_QUESTIONS: list[str] = _CTX["age_questions"]
TRADE_REQ: list[str] = _CTX["trade_requests"]
REPLY_BENIGN: list[str] = _CTX["reply_benign"]
PARENT_MEDIA: list[str] = _CTX["parent_media"]
BENIGN: dict[str, list[str]] = _BEN["templates"]
FILL: dict[str, list[str]] = _BEN["fill"]
BENIGN_TAGS: list[str] = _BEN["tags"]
HARD_NEGATIVES: dict[str, list[str]] = _HN["families"]
HN_SLOTS: dict[str, list] = _HN["slots"]
CONFUSABLE: dict[str, str] = _OBF["confusable"]
LEET: dict[str, str] = _OBF["leet"]
SEPS: list[str] = _OBF["separators"]


@dataclass
class SynthAccount:
    platform: str
    id: str
    handle: str
    display_name: str
    bio: str
    created_at: float
    followers: int
    kind: str = "benign"
    status: str | None = None
    channels: list[str] = field(default_factory=list)  # an advertiser's own off-platform channels, reused
    suspended_at: float | None = None
    active_from: float | None = None  # an evader posts only once its predecessor is suspended

    def alive(self, t: float) -> bool:
        """Whether the account exists, posts, and is not suspended at time ``t``."""
        start = max(self.created_at, self.active_from or self.created_at)
        return start <= t and (self.suspended_at is None or t < self.suspended_at)


@dataclass
class SynthPost:
    platform: str
    id: str
    author: SynthAccount
    text: str
    created_at: float
    label: str
    kind: str
    subtype: str = ""
    hashtags: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    media: int = 0
    reply_to: str | None = None
    group_id: str | None = None


class Obfuscator:
    """Random, composable spelling changes of one indicator word."""

    def __init__(self, rng: random.Random, rate: float = 0.6):
        self.rng = rng
        self.rate = rate

    def __call__(self, word: str) -> str:
        r = self.rng
        if r.random() > self.rate:
            return r.choice([word, word, word.upper(), word.title()])
        ops = r.sample(
            [self.sep, self.leet, self.confuse, self.width, self.repeat, self.zw, self.case], k=r.choice([1, 1, 2])
        )
        for op in ops:
            word = op(word)
        return word

    def sep(self, w: str) -> str:
        s = self.rng.choice(SEPS)
        if " " in w:
            return w
        if len(w) <= 4:
            return s.join(w)
        i = self.rng.randrange(1, len(w))
        return w[:i] + s + w[i:]

    def leet(self, w: str) -> str:
        chars = list(w)
        idx = [i for i, c in enumerate(chars) if c in LEET and 0 < i]
        for i in self.rng.sample(idx, k=min(len(idx), self.rng.choice([1, 2]))):
            chars[i] = self.rng.choice(LEET[chars[i]])
        return "".join(chars)

    def confuse(self, w: str) -> str:
        chars = list(w)
        idx = [i for i, c in enumerate(chars) if c in CONFUSABLE]
        for i in self.rng.sample(idx, k=min(len(idx), self.rng.choice([1, 2, 3]))):
            chars[i] = self.rng.choice(CONFUSABLE[chars[i]])
        return "".join(chars)

    def width(self, w: str) -> str:
        style = self.rng.choice(["full", "bold", "italic"])
        out = []
        for c in w:
            if "a" <= c <= "z":
                base = {"full": 0xFF41, "bold": 0x1D41A, "italic": 0x1D44E}[style]
                if style == "italic" and c == "h":
                    out.append("ℎ")
                else:
                    out.append(chr(base + ord(c) - 97))
            else:
                out.append(c)
        return "".join(out)

    def repeat(self, w: str) -> str:
        idx = [i for i, c in enumerate(w) if c.isalpha()]
        if not idx:
            return w
        i = self.rng.choice(idx)
        return w[:i] + w[i] * self.rng.randint(2, 4) + w[i + 1 :]

    def zw(self, w: str) -> str:
        if len(w) < 2:
            return w
        i = self.rng.randrange(1, len(w))
        return w[:i] + self.rng.choice(["\u200b", "\u200c", "\u2060"]) + w[i:]

    def case(self, w: str) -> str:
        return "".join(c.upper() if self.rng.random() < 0.5 else c for c in w)


class Generator:
    def __init__(
        self, seed: int, n_posts: int, platforms: tuple[str, ...] = PLATFORMS, prevalence: float | None = None
    ):
        self.rng = random.Random(seed)
        self.prevalence = prevalence
        self.n_posts = n_posts
        self.platforms = platforms
        self.obf = Obfuscator(self.rng)
        self.accounts: list[SynthAccount] = []
        self.posts: list[SynthPost] = []
        self.suspensions: list[tuple[float, SynthAccount]] = []
        self.follows: list[tuple[float, SynthAccount, SynthAccount]] = []
        self.evaders: list[tuple[SynthAccount, SynthAccount]] = []  # (new account, suspended predecessor)
        self.network: list[SynthAccount] = []  # the planted advert network
        # hashtags no list knows, appearing mid-stream: adverts move to some, benign trends use others
        letters = "abcdefghijklmnopqrstuvwxyz"
        self.new_tags: list[tuple[str, float, str]] = [
            ("".join(self.rng.choices(letters, k=7)), START + self.rng.uniform(0.25, 0.6) * 86400, "advert")
            for _ in range(3)
        ] + [
            (
                self.rng.choice(_BEN["trend_tags"]) + str(self.rng.randint(10, 99)),
                START + self.rng.uniform(0.2, 0.7) * 86400,
                "benign_trend",
            )
            for _ in range(3)
        ]
        self._ids = 0

    # -- identities ---------------------------------------------------------------------------
    def _new_id(self, platform: str) -> str:
        self._ids += 1
        r = self.rng
        if platform == "x":
            return str(1_850_000_000_000_000_000 + self._ids * 7919 + r.randrange(7919))
        if platform == "bluesky":
            return "did:plc:" + "".join(r.choices(string.ascii_lowercase + "234567", k=24))
        if platform == "mastodon":
            return str(113_000_000_000_000_000 + self._ids * 104729 + r.randrange(104729))
        return f"n{self._ids}"

    def _post_id(self, acc: SynthAccount) -> str:
        self._ids += 1
        if acc.platform == "bluesky":
            return f"{acc.id}/3l{self._ids:011d}"
        if acc.platform == "native":
            return f"p{self._ids}"
        return self._new_id(acc.platform)

    def account(self, kind: str, platform: str | None = None, young: bool = False) -> SynthAccount:
        r = self.rng
        platform = platform or r.choice(self.platforms)
        first = r.choice(_ACC["first_names"])
        topic = r.choice(_ACC["handle_topics"])
        handle = f"{first}{r.choice(['', '_', '.'])}{topic}{r.randint(1, 9999)}"
        name = first.title() + r.choice(["", " " + r.choice(string.ascii_uppercase) + "."])
        bio = r.choice(_ACC["bios"])
        channels: list[str] = []
        if kind in ("advertiser", "bot", "evader"):
            channels = [self._invite_raw() for _ in range(r.choice([1, 1, 2]))]
            handle, name, bio = self._advert_profile(handle, name, channels)
        created = START - (
            r.uniform(0, 5) * 86400
            if (young or kind in ("advertiser", "bot", "evader") and r.random() < 0.7)
            else r.uniform(60, 3000) * 86400
        )
        acc = SynthAccount(
            platform,
            self._new_id(platform),
            handle[:30],
            name,
            bio,
            created,
            int(r.paretovariate(1.2) * 20) if kind == "benign" else r.randint(0, 400),
            kind,
            channels=channels,
        )
        self.accounts.append(acc)
        return acc

    def _advert_profile(self, handle: str, name: str, channels: list[str]) -> tuple[str, str, str]:
        r = self.rng
        style = r.random()
        if style < 0.4:
            term = r.choice(_ADV["profile_terms"])
            word = r.choice(_ADV["profile_words"])
            handle = f"{term}{r.choice(['_', '', '.'])}{word}{r.randint(1, 999)}"
        if style < 0.25:
            name = f"{self.obf(r.choice(_ADV['display_terms']))} {r.choice(OFFER)}"
        bio_parts = []
        if r.random() < 0.5:
            bio_parts.append(self._price())
        if r.random() < 0.5:
            bio_parts.append(self._present_link(r.choice(channels)))
        if r.random() < 0.4:
            bio_parts.append(r.choice(CONTACT))
        bio = " | ".join(bio_parts)
        return handle, name, bio

    # -- pieces ---------------------------------------------------------------------------------
    def _price(self) -> str:
        r = self.rng
        return r.choice(PRICE_FORMS).format(n=r.choice(_ADV["price_amounts"]), d=r.randint(1, 9))

    def _invite_raw(self) -> str:
        r = self.rng
        host = r.choice(INVITE_HOSTS)
        code = "".join(r.choices(string.ascii_letters + string.digits, k=r.randint(6, 12)))
        return f"{host}/{code}"

    def _invite(self, acc: SynthAccount | None = None) -> str:
        """An invite link as posted: the account's own channel most of the time, else a fresh one."""
        r = self.rng
        if acc is not None and acc.channels and r.random() < 0.7:
            return self._present_link(r.choice(acc.channels))
        return self._present_link(self._invite_raw())

    def _present_link(self, link: str) -> str:
        r = self.rng
        if r.random() < 0.25:
            link = link.replace(".", r.choice(["[.]", "(dot)", " . ", "(.)"]), 1)
        if r.random() < 0.3:
            link = "https://" + link
        return link

    def _hashtag(self, words: list[str]) -> str:
        r = self.rng
        style = r.random()
        words = [w.replace(" ", "") for w in words]
        if style < 0.4:
            tag = "".join(w.title() for w in words)
        elif style < 0.7:
            tag = "".join(words)
        elif style < 0.85:
            tag = "".join(words).upper()
        else:
            letters = list("".join(words))
            r.shuffle(letters)  # a jumbled tag
            tag = "".join(letters)
        return "#" + tag

    def _join(self, parts: list[str]) -> str:
        return self.rng.choice([" ", " | ", " • ", "\n", ", ", " 👉 ", " ~ "]).join(p for p in parts if p)

    # -- post kinds -------------------------------------------------------------------------------
    def advert(self, acc: SynthAccount, t: float) -> SynthPost:
        r = self.rng
        strong = r.random() < 0.4
        term = r.choice(ABUSE_STRONG if strong else ABUSE_AMBIG)
        if term in ("cheese pizza",) and r.random() < 0.5:
            term_text = r.choice(_ADV["emoji_term"]) + (" cheese pizza" if r.random() < 0.3 else "")
            term = "cheese pizza"
        else:
            term_text = self.obf(term)
        offer = r.choice(OFFER)
        slots: list[str] = []
        hashtags: list[str] = []
        urls: list[str] = []
        n_support = r.choice([2, 2, 3, 3, 4]) if not strong else r.choice([1, 2, 3])
        support_kinds = r.sample(
            ["transaction", "contact", "price", "link", "payment", "minor", "hashtag"], k=n_support
        )
        core = f"{term_text} {self.obf(offer)}" if r.random() < 0.7 else term_text
        slots.append(core)
        for kind in support_kinds:
            if kind == "transaction":
                slots.append(self.obf(r.choice(TRANSACTION)))
            elif kind == "contact":
                slots.append(self.obf(r.choice(CONTACT)))
            elif kind == "price":
                slots.append(self._price())
            elif kind == "link":
                link = self._invite(acc)
                slots.append(link)
                if r.random() < 0.5 and "(" not in link and "[" not in link and " " not in link:
                    urls.append(link if link.startswith("http") else "https://" + link)
            elif kind == "payment":
                slots.append(self.obf(r.choice(PAYMENT)))
            elif kind == "minor":
                slots.append(self.obf(r.choice(MINOR)))
            elif kind == "hashtag":
                tag = self._hashtag([term.replace(" ", ""), r.choice(TRANSACTION + OFFER)])
                slots.append(tag)
                hashtags.append(tag[1:])
        if "contact" not in support_kinds and r.random() < 0.2 and n_support < 2:
            slots.append(r.choice(_ADV["envelope"]))
        r.shuffle(slots)
        if r.random() < 0.3:
            slots.append(self._hashtag([r.choice(BENIGN_TAGS)]))
        moved = [tag for tag, start, kind in self.new_tags if kind == "advert" and t >= start]
        if moved and r.random() < 0.5:
            tag = r.choice(moved)
            slots.append("#" + tag)
            hashtags.append(tag)
        return SynthPost(
            acc.platform,
            self._post_id(acc),
            acc,
            self._join(slots),
            t,
            "advert_sale_trade",
            "advert",
            "strong" if strong else "ambiguous",
            hashtags=hashtags,
            urls=urls,
            media=1 if r.random() < 0.3 else 0,
            group_id=f"g{r.randint(1, 20)}" if r.random() < 0.2 else None,
        )

    def benign(self, acc: SynthAccount, t: float, media: bool = False) -> SynthPost:
        r = self.rng
        lang = r.choice(["en", "en", "en", "en", "es", "de", "fr", "pt"])
        tpl = r.choice(BENIGN[lang])
        text = tpl.format(n=r.randint(1, 9), **{k: r.choice(v) for k, v in FILL.items()})
        if r.random() < 0.2:
            text += " " + " ".join("#" + r.choice(BENIGN_TAGS) for _ in range(r.randint(1, 3)))
        trending = [
            tag for tag, start, kind in self.new_tags if kind == "benign_trend" and start <= t < start + 3 * 3600
        ]
        if trending and r.random() < 0.3:
            text += " #" + r.choice(trending)
        if r.random() < 0.05:
            text += f" https://news.example.org/{r.randint(1000, 9999)}"
        if r.random() < 0.05:
            text += f" {r.choice(['$', '€'])}{r.randint(3, 300)}"
        return SynthPost(
            acc.platform,
            self._post_id(acc),
            acc,
            text,
            t,
            "benign",
            "benign",
            lang,
            media=1 if media or r.random() < 0.15 else 0,
            group_id=f"g{r.randint(1, 50)}" if r.random() < 0.1 else None,
        )

    def hard_negative(self, acc: SynthAccount, t: float) -> SynthPost:
        r = self.rng
        sub = r.choice(list(HARD_NEGATIVES))
        tpl = r.choice(HARD_NEGATIVES[sub])
        code = "".join(r.choices(string.ascii_letters + string.digits, k=8))
        text = tpl.format(
            a=r.choice(HN_SLOTS["a"]),
            b=r.choice(HN_SLOTS["b"]),
            n=r.randint(2, 3000),
            p=r.choice(HN_SLOTS["p"]),
            game=r.choice(HN_SLOTS["game"]),
            mon=r.choice(HN_SLOTS["mon"]),
            h=code,
            topic=r.choice(FILL["topic"]),
            age=r.randint(6, 15),
        )
        return SynthPost(
            acc.platform,
            self._post_id(acc),
            acc,
            text,
            t,
            "benign",
            "hard_negative",
            sub,
            media=1 if r.random() < 0.2 else 0,
        )

    def context_reply(self, acc: SynthAccount, parent: SynthPost, t: float) -> SynthPost:
        r = self.rng
        kind = r.random()
        if kind < 0.45:
            text = self.obf(r.choice(AGE_QUESTIONS))
        elif kind < 0.75:
            text = self.obf(r.choice(TRADE_REQ))
        else:
            text = r.choice(_CTX["age_claims"]).format(a=r.randint(8, 15))
        if r.random() < 0.4:
            text += " " + r.choice([*_CTX["reply_tails"], self._invite()])
        return SynthPost(
            acc.platform, self._post_id(acc), acc, text, t, "sexualising_context", "context", reply_to=parent.id
        )

    def benign_reply(self, acc: SynthAccount, parent: SynthPost, t: float) -> SynthPost:
        return SynthPost(
            acc.platform,
            self._post_id(acc),
            acc,
            self.rng.choice(REPLY_BENIGN),
            t,
            "benign",
            "benign_reply",
            reply_to=parent.id,
        )

    def solicitation(self, acc: SynthAccount, t: float) -> SynthPost:
        r = self.rng
        parts = [self.obf(r.choice(AGE_QUESTIONS)), self.obf(r.choice(CONTACT + MINOR))]
        if r.random() < 0.3:
            parts.append(self._invite())
        r.shuffle(parts)
        return SynthPost(acc.platform, self._post_id(acc), acc, self._join(parts), t, "solicitation", "solicitation")

    def evasion(self, acc: SynthAccount, t: float, old: SynthAccount | None = None) -> SynthPost:
        r = self.rng
        parts = [self.obf(r.choice(EVASION)), r.choice(EVASION_TAIL)]
        if old is not None and r.random() < 0.3:  # names the suspended account
            parts.append(r.choice(_EVA["predecessor_refs"]) + old.handle.split(".bsky.")[0])
        extra = r.choice(["term", "term", "tag", "offer"])
        if extra == "term":
            parts.append(self.obf(r.choice(ABUSE_STRONG + ABUSE_AMBIG)) + " " + r.choice(OFFER))
        elif extra == "tag":
            parts.append(self._hashtag(["cp", r.choice(_EVA["tag_words"])]))
        else:
            parts += [r.choice(OFFER), self._invite(acc), r.choice(CONTACT)]
        r.shuffle(parts)
        return SynthPost(
            acc.platform, self._post_id(acc), acc, self._join(parts), t, "evasion_announcement", "evasion", extra
        )

    # -- follow graph -------------------------------------------------------------------------------
    def _plant_follows(self, benign: list[SynthAccount], advertisers: list[SynthAccount]) -> None:
        """A benign population with a heavy-tailed degree distribution, and an advert network whose
        members follow much the same selection of hub accounts."""
        r = self.rng
        by_platform: dict[str, list[SynthAccount]] = {}
        for a in benign:
            by_platform.setdefault(a.platform, []).append(a)
        for a in benign:
            pool = by_platform[a.platform]
            k = min(len(pool) - 1, int(r.paretovariate(1.3) * 4))
            popular = pool[: max(5, len(pool) // 20)]  # early accounts attract more followers
            for _ in range(k):
                b = r.choice(popular) if r.random() < 0.5 else r.choice(pool)
                if b is not a:
                    self.follows.append((START - r.uniform(0, 30) * 86400, a, b))
        for plat in sorted({a.platform for a in advertisers}):
            members = [a for a in advertisers if a.platform == plat]
            hubs = members[: max(2, len(members) // 3)] + r.sample(
                by_platform.get(plat, members), k=min(6, len(by_platform.get(plat, [])))
            )
            # quiet members (buyers, reposters) post nothing themselves: only the graph shows them
            quiet = [self.account("quiet", plat) for _ in range(max(1, len(members) // 2))]
            for a in members + quiet:
                self.network.append(a)
                for b in r.sample(hubs, k=max(1, int(len(hubs) * r.uniform(0.6, 0.9)))):
                    if b is not a:
                        self.follows.append((START - r.uniform(0, 5) * 86400, a, b))
        self._follows_of: dict[str, list[SynthAccount]] = {}
        for _t, a, b in self.follows:
            self._follows_of.setdefault(a.id, []).append(b)

    def _follow_like(self, new: SynthAccount, old: SynthAccount, t: float) -> None:
        """An evader re-follows much of what its suspended predecessor followed."""
        for b in self._follows_of.get(old.id, []):
            if self.rng.random() < 0.7:
                self.follows.append((t, new, b))
                self._follows_of.setdefault(new.id, []).append(b)

    # -- the stream ---------------------------------------------------------------------------------
    def generate(self) -> None:
        r = self.rng
        n = self.n_posts
        n_benign_accounts = max(20, n // 25)
        benign_accounts = [self.account("benign") for _ in range(n_benign_accounts)]
        advertisers = [self.account(r.choice(["advertiser", "advertiser", "bot"])) for _ in range(max(4, n // 400))]
        repliers = [self.account("replier", young=r.random() < 0.5) for _ in range(max(4, n // 500))]
        span = 86400.0
        self._plant_follows(benign_accounts, advertisers)
        media_parents: dict[str, list[SynthPost]] = {p: [] for p in self.platforms}
        # shares of each kind; `prevalence` rescales everything that is not plain benign
        shares = [
            ("benign", 0.70),
            ("hard_negative", 0.08),
            ("advert", 0.08),
            ("reply", 0.06),
            ("solicitation", 0.03),
            ("evasion", 0.02),
            ("benign2", 0.03),
        ]
        if self.prevalence is not None:
            bad = sum(w for k, w in shares if k in ("advert", "reply", "solicitation", "evasion"))
            f = self.prevalence / bad
            shares = [(k, w * f if k in ("advert", "reply", "solicitation", "evasion") else w) for k, w in shares]
            shares[0] = ("benign", 1 - sum(w for k, w in shares[1:]))
        bounds = []
        acc_share = 0.0
        for _k, w in shares:
            acc_share += w
            bounds.append(acc_share)
        while len(self.posts) < n:
            t = START + r.uniform(0, span)
            roll = r.random()
            if roll < bounds[0]:
                acc = r.choice(benign_accounts)
                is_parent = r.random() < 0.06
                post = self.benign(acc, t, media=is_parent)
                if is_parent:
                    post.text = r.choice(PARENT_MEDIA)
                    post.media = 1
                    media_parents[acc.platform].append(post)
                self.posts.append(post)
            elif roll < bounds[1]:
                self.posts.append(self.hard_negative(r.choice(benign_accounts), t))
            elif roll < bounds[2]:
                alive = [a for a in advertisers if a.alive(t)]
                if not alive:
                    continue
                acc = r.choice(alive)
                if acc.kind == "bot":  # a burst: several posts a minute
                    for k in range(r.randint(3, 8)):
                        self.posts.append(self.advert(acc, t + k * r.uniform(4, 15)))
                else:
                    self.posts.append(self.advert(acc, t))
            elif roll < bounds[3]:
                plat = r.choice(self.platforms)
                if media_parents[plat]:
                    parent = r.choice(media_parents[plat][-50:])
                    pt = max(t, parent.created_at + r.uniform(30, 3600))
                    if r.random() < 0.55:
                        cands = [a for a in repliers if a.platform == plat] or [self.account("replier", plat)]
                        self.posts.append(self.context_reply(r.choice(cands), parent, pt))
                    else:
                        cands = [a for a in benign_accounts if a.platform == plat]
                        self.posts.append(self.benign_reply(r.choice(cands), parent, pt))
            elif roll < bounds[4]:
                self.posts.append(self.solicitation(r.choice(repliers), t))
            elif roll < bounds[5]:
                # a suspended advertiser stops posting and comes back as a new account, which
                # announces itself, then advertises like its predecessor (often the same channels)
                alive = [a for a in advertisers if a.alive(t - 3600) and a.suspended_at is None]
                if not alive:
                    continue
                old = r.choice(alive)
                old.status = "suspended"
                old.suspended_at = t
                self.suspensions.append((t, old))
                new = self.account("evader", old.platform, young=True)
                new.handle = (old.handle.rstrip("0123456789") + r.choice(_EVA["handle_suffixes"]))[:30]
                new.created_at = t + r.uniform(30, 1800) if r.random() < 0.7 else t - r.uniform(60, 3 * 86400)
                new.active_from = t
                if r.random() < 0.6:
                    new.bio = old.bio
                if r.random() < 0.5:
                    new.display_name = old.display_name
                if r.random() < 0.8:
                    new.channels = list(old.channels)
                self.evaders.append((new, old))
                advertisers.append(new)
                self._follow_like(new, old, max(t, new.created_at) + 10)
                self.posts.append(self.evasion(new, max(t, new.created_at) + r.uniform(20, 600), old))
            else:
                self.posts.append(self.benign(r.choice(benign_accounts), t))
            if len(self.posts) >= n:
                # posts drawn before an account's suspension was drawn may fall after it: drop them
                self.posts = [p for p in self.posts if p.author.alive(p.created_at)]
        self.posts = self.posts[:n]
        self.posts.sort(key=lambda p: (p.created_at, p.id))


def generate(
    out_dir: str | Path, n_posts: int = 20_000, seed: int = 1, fmt: str = "mixed", prevalence: float | None = None
) -> dict[str, int]:
    """Write ``stream/`` (one file per platform format, or one native file) and ``labels.jsonl``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    platforms = PLATFORMS if fmt == "mixed" else (fmt,)
    gen = Generator(seed, n_posts, platforms, prevalence)
    gen.generate()
    (out / "stream").mkdir(exist_ok=True)
    counts = writers.write_stream(gen, out / "stream")
    with open(out / "graph_labels.jsonl", "wb") as fh:
        for new, old in gen.evaders:
            fh.write(
                orjson.dumps(
                    {"type": "evader", "account": f"{new.platform}:{new.id}", "predecessor": f"{old.platform}:{old.id}"}
                )
                + b"\n"
            )
        for a in gen.network:
            fh.write(orjson.dumps({"type": "network", "account": f"{a.platform}:{a.id}"}) + b"\n")
        for tag, start, kind in gen.new_tags:
            fh.write(orjson.dumps({"type": "new_tag", "tag": tag, "kind": kind, "start": start}) + b"\n")
    with open(out / "labels.jsonl", "wb") as fh:
        for p in gen.posts:
            fh.write(
                orjson.dumps({"post": f"{p.platform}:{p.id}", "label": p.label, "kind": p.kind, "subtype": p.subtype})
                + b"\n"
            )
    return counts
