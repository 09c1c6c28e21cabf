"""Ban-evasion linking: for each recent account, the suspended account it most likely replaces.

Candidates come from blocking keys (handle stem, display name, invite links, avatar hash, shared
follows), so an account is never compared with every suspended one. Each pair is scored on handle
and display-name similarity (rapidfuzz), bio overlap, shared off-platform links, avatar hash,
follow-set overlap and an evasion announcement by the new account; the score is a noisy-OR of the
weighted features, and every feature that contributed is kept as evidence. A shared invite link is
discounted by how many accounts post it; a link or @mention alone counts only from an account that
appeared within a day of the suspension; an announcement that keeps nothing of the old profile links
only an account made within the hour after a single suspension (hour blocking keys).

``score_pair`` is shared with the scan's incremental linking (``csewatch.detect.evasion``), which
draws the same links post by post as accounts appear; this module is the batch job over the store.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

import msgspec
from rapidfuzz import fuzz
from sqlalchemy import select

from csewatch.detect.links import LinkMatcher
from csewatch.graph.build import AccountGraph
from csewatch.normalize import Normalizer
from csewatch.policy import Policy
from csewatch.store import Store
from csewatch.store import schema as S

SUSPENDED = ("suspended", "takendown")
WEIGHTS = {
    "handle": 0.6,
    "display_name": 0.35,
    "bio": 0.55,
    "links": 0.7,
    "avatar": 0.85,
    "follows": 0.75,
    "announcement": 0.3,
    "timing": 0.5,
    "names_predecessor": 0.8,
}
IDENTITY = ("handle", "bio", "links", "avatar", "names_predecessor")


def evidence_nats(score: float) -> float:
    """The noisy-OR score as additive evidence, -ln(1 - score): features add up on this scale, so
    the margin between two candidates is measured here rather than on the compressed score."""
    return -math.log(max(1.0 - score, 1e-9))


def clear_winner(scored: list[tuple[float, str]], threshold: float, margin: float) -> bool:
    """``scored``: (score, candidate) best first. The best links when it reaches ``threshold`` and has
    ``margin`` more evidence (nats) than the runner-up; otherwise which account is back is unknown."""
    if not scored or scored[0][0] < threshold:
        return False
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    return evidence_nats(scored[0][0]) - evidence_nats(runner_up) >= margin


# one channel, several spellings of its host: an evader posting t.me/x after telegram.me/x shares it
_LINK_ALIASES = (
    ("telegram.me/", "t.me/"),
    ("telegram.dog/", "t.me/"),
    ("discord.com/invite/", "discord.gg/"),
    ("discordapp.com/invite/", "discord.gg/"),
    ("mega.io/", "mega.nz/"),
)


def canon_link(link: str) -> str:
    """An invite link as the links detector spells it (``host/path``), with host aliases folded to one."""
    link = link.lower().rstrip("/")
    for alias, host in _LINK_ALIASES:
        if link.startswith(alias):
            return host + link[len(alias) :]
    return link


_SUFFIX = re.compile(r"(?:[_.\-]?(?:new|back|backup|bkp|alt|official|real|again|v?\d+))+$")
_WORD = re.compile(r"[a-z0-9]{2,}")


@dataclass
class Profile:
    key: str
    handle: str
    stem: str
    name: str
    bio_tokens: set[str]
    links: set[str]
    avatar: str | None
    created_at: float | None
    announced: bool = False
    suspended_at: float | None = None
    first_post_at: float | None = None  # when the account was first seen posting
    mentioned: set[str] = field(default_factory=set)  # @handles its posts named (folded)


@dataclass
class EvasionLink:
    account: str
    predecessor: str
    score: float
    evidence: dict[str, str] = field(default_factory=dict)

    def explanation(self) -> str:
        parts = "; ".join(f"{k}: {v}" for k, v in self.evidence.items())
        return f"likely the returning account of suspended {self.predecessor} (score {self.score:.2f}): {parts}"


def _local_handle(handle: str) -> str:
    """``name@instance`` / ``name.bsky.social`` / ``@name`` -> ``name``, lower-cased."""
    return handle.lower().lstrip("@").split("@", 1)[0].split(".bsky.")[0]


def handle_core(handle: str) -> str:
    """The handle as spelled, separators kept, without its domain and "_new2"-style suffixes."""
    return _SUFFIX.sub("", _local_handle(handle).rstrip("_.-"))


_PREFIX = re.compile(r"^(?:(?:the|real|its|im|new|x)[_.\-]?)(?=[a-z0-9]{4})")


def _same_spelling(a: str, b: str) -> bool:
    """Two handle cores spelled alike: equal once a "the_"/"real_" prefix is dropped, or one the other
    with a few characters added before or after ("k1dxx" -> "k1dxxh", "mega-drops" -> "mega-dropsbackup")."""
    a, b = _PREFIX.sub("", a).strip("_.-"), _PREFIX.sub("", b).strip("_.-")
    if a == b:
        return True
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 5 and len(long_) - len(short) <= 6 and (long_.startswith(short) or long_.endswith(short))


def _distinct(new: str, old: str) -> bool:
    """The new handle keeps the old one's run of digits ("links_0241985" -> "links_0241985_bkp"): the
    spelling with its number, unlike the letters alone, is rare."""
    runs = re.findall(r"\d{3,}", _local_handle(old))
    return bool(runs) and max(runs, key=len) in _local_handle(new)


def _other_number(new: str, old: str) -> bool:
    """Both handles carry a number and the new one's keeps none of the old one's ("vault_477" after
    "vault_276"): two accounts of a naming scheme, not one account back with a suffix."""
    runs_old = re.findall(r"\d{2,}", _local_handle(old))
    runs_new = re.findall(r"\d{2,}", _local_handle(new))
    return bool(runs_old and runs_new) and not any(r in n or n in r for r in runs_old for n in runs_new)


def handle_stem(norm: Normalizer, handle: str) -> str:
    """Letters of the handle's core, without a "the_"/"real_"/"x"-style prefix evaders put before the old name."""
    return re.sub(r"[^a-z]", "", _PREFIX.sub("", norm.fold_term(handle_core(handle))))


def build_profile(
    norm: Normalizer,
    links: LinkMatcher,
    key: str,
    handle: str | None,
    name: str | None,
    bio: str | None,
    link_texts: list[str],
    avatar: str | None,
    created_at: float | None,
    announced: bool = False,
    posted_links: list[str] | tuple = (),
) -> Profile:
    """One account's profile for scoring, from its fields (the batch job and the scan's watch)."""
    found = {canon_link(lk) for t in [bio or "", *link_texts] if t for _s, _e, _svc, lk in links.find(norm.plain(t))}
    found.update(canon_link(lk) for lk in posted_links)
    return Profile(
        key,
        handle or "",
        handle_stem(norm, handle or ""),
        norm.fold_term(name or ""),
        set(_WORD.findall(norm.fold_term(bio or ""))),
        found,
        avatar,
        created_at,
        announced,
    )


def _profiles(store: Store, policy: Policy) -> tuple[list[Profile], list[Profile]]:
    norm = Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)
    links = LinkMatcher(policy)
    a = S.accounts
    suspended, others = [], []
    with store.engine.connect() as conn:
        announced = {
            f"{p}:{i}"
            for p, i in conn.execute(
                select(S.verdicts.c.platform, S.verdicts.c.author_id).where(
                    S.verdicts.c.category == "evasion_announcement"
                )
            )
        }
        # what the scan's evasion watch recorded: suspension times, first posts, @names, posted links
        at_suspension = _state(conn, "evasion_suspended")
        first_seen = _state(conn, "evasion_seen")
        posted = _state(conn, "author_links")
        for row in sorted(
            conn.execute(
                select(
                    a.c.platform,
                    a.c.id,
                    a.c.handle,
                    a.c.display_name,
                    a.c.bio,
                    a.c.links,
                    a.c.avatar_hash,
                    a.c.created_at,
                    a.c.status,
                ).order_by(a.c.platform, a.c.id)
            ),
            key=lambda r: (r[0], r[1]),
        ):
            platform, aid, handle, name, bio, acc_links, avatar, created, status = row
            key = f"{platform}:{aid}"
            prof = build_profile(
                norm,
                links,
                key,
                handle,
                name,
                bio,
                list(acc_links or []),
                avatar,
                created,
                key in announced,
                posted.get(key) or (),
            )
            if (d := at_suspension.get(key)) is not None:
                prof.suspended_at = d.get("suspended_at")
            if (seen := first_seen.get(key)) is not None and len(seen) >= 7:
                prof.first_post_at, prof.mentioned = seen[5], set(seen[6])
            (suspended if status in SUSPENDED else others).append(prof)
    return suspended, others


def _state(conn, namespace: str) -> dict:
    ds = S.detector_state
    q = select(ds.c.key, ds.c.value).where(ds.c.namespace == namespace).order_by(ds.c.key)
    return {k: msgspec.msgpack.decode(v) for k, v in conn.execute(q)}


def suspended_accounts(store: Store) -> set[str]:
    with store.engine.connect() as conn:
        return {
            f"{p}:{i}"
            for p, i in conn.execute(
                select(S.accounts.c.platform, S.accounts.c.id).where(S.accounts.c.status.in_(SUSPENDED))
            )
        }


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _others(common: dict[str, int], prefix: str, a: str, b: str) -> int:
    """1 + how many accounts besides the pair use the stem or name (``common`` counts the pair too)."""
    if a == b:
        return max(common.get(prefix + a, 2) - 1, 1)
    return max(common.get(prefix + a, 1), common.get(prefix + b, 1))


def margin_text(best: float, runner_up: float) -> str:
    return f"{evidence_nats(best) - evidence_nats(runner_up):.2f} nats more evidence than the next candidate"


def _ago(seconds: float) -> str:
    s = abs(seconds)
    return f"{s / 60:.0f} min" if s < 5400 else f"{s / 3600:.1f} h"


def score_pair(
    new: Profile,
    old: Profile,
    g: AccountGraph | None,
    commonness: dict[str, int] | None = None,
    follows: tuple[set, set] | None = None,
    weights: dict[str, float] | None = None,
) -> tuple[float, dict[str, str]]:
    """Score and evidence of "new is old, back". ``commonness`` counts accounts per handle stem and
    display name: a stem many accounts share (``noahart``) says little, so it is discounted.
    Follow sets come from the graph ``g`` or, in the scan, as ``follows`` (new's, old's)."""
    w = WEIGHTS if not weights else {**WEIGHTS, **weights}
    feats: dict[str, float] = {}
    ev: dict[str, str] = {}
    common = commonness or {}
    close_handle = False
    if new.stem and old.stem and len(new.stem) >= 3:
        sim = fuzz.ratio(new.stem, old.stem) / 100
        n = _others(common, "h:", new.stem, old.stem)
        if sim >= 0.75:  # 0.75 -> nothing, 1.0 -> full weight: near misses of short stems are common
            # evaders keep their spelling; "cp.vids" and "cpvids" share a stem but are told apart
            renumbered = _other_number(new.handle, old.handle)
            spelled = _same_spelling(handle_core(new.handle), handle_core(old.handle)) and not renumbered
            close_handle = sim >= 0.9 and not renumbered
            if spelled and _distinct(new.handle, old.handle):
                n = 1  # its spelling with its digits kept: not just a common stem
            feats["handle"] = (sim - 0.75) / 0.25 / n * (1.0 if spelled else 0.6)
            ev["handle"] = f"{new.handle!r} ~ {old.handle!r} ({sim:.2f}" + (
                f", stem used by {n - 1} other accounts)" if n > 1 else ")"
            )
    if new.name and old.name and len(new.name) >= 3:
        sim = fuzz.ratio(new.name, old.name) / 100
        if len(old.name) >= 4 and new.name.startswith(old.name):
            sim = 1.0  # the old name with a "(backup)" / "v2" / emoji added
        n = _others(common, "n:", new.name, old.name)
        if sim >= 0.9:  # "omar w." and "omar l." are two people
            feats["display_name"] = (sim - 0.8) / 0.2 / n
            ev["display_name"] = f"{new.name!r} ~ {old.name!r} ({sim:.2f}" + (
                f", name used by {n - 1} other accounts)" if n > 1 else ")"
            )
    bj = _jaccard(new.bio_tokens, old.bio_tokens)
    if len(old.bio_tokens) >= 2 and old.bio_tokens <= new.bio_tokens and len(new.bio_tokens - old.bio_tokens) <= 4:
        bj = max(bj, 0.9)  # the old bio kept whole, a few words ("old one banned") added
    if bj >= 0.75 and len(new.bio_tokens | old.bio_tokens) >= 3:  # evaders copy bios; templates overlap
        feats["bio"] = (bj - 0.5) / 0.5
        ev["bio"] = f"{bj:.2f} of bio words shared"
    shared_links = new.links & old.links
    if g is not None:
        nv, ov = g.vertex(new.key), g.vertex(old.key)
        if nv is not None and ov is not None:
            for key, members in g.shared.items():
                if key.startswith("link:") and nv in members and ov in members:
                    shared_links.add(key[5:])
            follows = (g.follows_of(nv), g.follows_of(ov))
    if follows is not None:
        fj = _jaccard(*follows)
        if fj >= 0.3:
            feats["follows"] = fj
            ev["follows"] = f"{fj:.2f} of followed accounts shared"
    if shared_links:
        # a channel several accounts post (advertisers share them) says little about which one is back:
        # discounted by the posters besides the pair, as a common handle stem is
        n = min(_others(common, "l:", lk, lk) for lk in shared_links)
        feats["links"] = 1.0 / n
        ev["links"] = ", ".join(sorted(shared_links)[:3]) + (f" (posted by {n - 1} other accounts)" if n > 1 else "")
    if new.avatar and new.avatar == old.avatar:
        feats["avatar"] = 1.0
        ev["avatar"] = "same avatar hash"
    old_local = _local_handle(old.handle)
    # an account that posted before the other was suspended, or was made days before it and went live
    # hours after, is its replacement on a shared channel or an @mention alone only as a backup kept
    # ready, live within the hour after the suspension (advertisers there all along share channels)
    stale = bool(
        old.suspended_at
        and new.first_post_at is not None
        and (
            new.first_post_at < old.suspended_at
            or (
                (new.created_at is None or new.created_at < old.suspended_at - 86400)
                and new.first_post_at - old.suspended_at > 3600
            )
        )
    )
    if old_local and old_local in new.mentioned:
        feats["names_predecessor"] = 1.0
        ev["names_predecessor"] = f"its posts name @{old_local}"
    # display names, follows (a network shares them), announcements and timing say "one of them",
    # not "this one": they count only beside a feature of the account's own identity
    # (a handle only 75-90% like the other's, "tomart" ~ "omar", adds to a score but is no identity)
    weak = ("links", "names_predecessor") if stale else ()
    core = close_handle or any(k in feats for k in IDENTITY if k != "handle" and k not in weak)
    # an announcement with nothing of the old profile kept: only "back within the hour" after a
    # suspension says which account; two suspensions that close leave a tie, and no link
    announce_only = not core and new.announced and not stale
    if (core or announce_only) and new.announced:
        feats["announcement"] = 1.0
        ev["announcement"] = "posted a ban-evasion announcement"
    if (core or announce_only) and old.suspended_at:
        # "back within minutes": created, or first seen posting, about when the other was suspended
        moments = []
        if new.created_at:
            moments.append((abs(new.created_at - old.suspended_at), new.created_at - old.suspended_at, "created"))
        if new.first_post_at and new.first_post_at >= old.suspended_at:
            moments.append((new.first_post_at - old.suspended_at, new.first_post_at - old.suspended_at, "first post"))
        if moments:
            gap, dt, what = min(moments)
            if announce_only and not (what == "created" and 0 <= dt <= 3600):
                return 0.0, {}  # made within the hour after it: an older account's first post says less
            if gap <= 86400:
                feats["timing"] = 1.0 if gap <= 3600 else 0.6 if gap <= 6 * 3600 else 0.3
                ev["timing"] = f"{what} {_ago(dt)} {'after' if dt >= 0 else 'before'} the suspension"
    if not core and not (announce_only and "timing" in feats):
        return 0.0, {}
    if len(feats) == 1 and set(feats) <= {"links", "names_predecessor"}:
        return 0.0, {}  # a channel or an @mention alone, from an account that came long after: not its return
    p_not = 1.0
    for k, v in feats.items():
        p_not *= 1 - w[k] * v
    return 1 - p_not, ev


def link_evaders(
    store: Store,
    policy: Policy,
    g: AccountGraph | None = None,
    threshold: float = 0.6,
    window_days: float = 60,
    margin: float = 0.3,
) -> list[EvasionLink]:
    """The best-scoring suspended predecessor of each account created within ``window_days`` of the
    newest account (or that announced its return), when the score reaches ``threshold`` and beats the
    next candidate by ``margin`` (nats, see ``clear_winner``): when two suspended accounts fit as well,
    no link is drawn."""
    suspended, others = _profiles(store, policy)
    return link_profiles(suspended, others, g, threshold, window_days, margin)


def link_profiles(
    suspended: list[Profile],
    others: list[Profile],
    g: AccountGraph | None = None,
    threshold: float = 0.6,
    window_days: float = 60,
    margin: float = 0.3,
) -> list[EvasionLink]:
    """The linking itself, over profiles already loaded (the store-free core, used by benchmarks)."""
    if not suspended:
        return []
    commonness: dict[str, int] = defaultdict(int)
    for p in suspended + others:
        if p.stem:
            commonness["h:" + p.stem] += 1
        if p.name:
            commonness["n:" + p.name] += 1
        for lk in p.links:
            commonness["l:" + lk] += 1
    # the discount is bounded as in the scan (which counts at most 20 accounts per stem or name)
    commonness = {k: min(v, 20) for k, v in commonness.items()}
    newest = max((p.created_at or 0) for p in others + suspended)
    # an evader may itself have been suspended since (the next one in its chain then replaces it)
    suspended_keys = {p.key for p in suspended}
    recent = [
        p for p in others + suspended if p.announced or (p.created_at and p.created_at >= newest - window_days * 86400)
    ]
    blocks: dict[str, list[Profile]] = defaultdict(list)
    for old in suspended:
        for k in block_keys(old):
            blocks[k].append(old)
    followed_by_suspended: dict[int, list[Profile]] = defaultdict(list)
    if g is not None:
        for old in suspended:
            v = g.vertex(old.key)
            for f in g.follows_of(v) if v is not None else ():
                followed_by_suspended[f].append(old)
    out = []
    for new in recent:
        cands: dict[str, Profile] = {}
        for k in block_keys(new):
            for old in blocks.get(k, ()):
                cands[old.key] = old
        if g is not None and (v := g.vertex(new.key)) is not None:
            counts: dict[str, int] = defaultdict(int)
            for f in g.follows_of(v):
                for old in followed_by_suspended.get(f, ()):
                    counts[old.key] += 1
                    if counts[old.key] >= 2:
                        cands[old.key] = old
        scored = sorted(
            (
                (*score_pair(new, old, g, commonness), old)
                for old in cands.values()
                if old.key != new.key
                and _platform(old.key) == _platform(new.key)
                and not _cannot_precede(old, new, suspended_keys)
            ),
            key=lambda t: -t[0],
        )
        if not clear_winner([(t[0], t[2].key) for t in scored], threshold, margin):
            continue  # too weak, or two suspended accounts fit about as well: which one is back is unknown
        best_score, ev, old = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        out.append(
            EvasionLink(new.key, old.key, round(best_score, 4), {**ev, "margin": margin_text(best_score, runner_up)})
        )
    return sorted(out, key=lambda e: -e.score)


def _cannot_precede(old: Profile, new: Profile, suspended: set[str]) -> bool:
    """``old`` cannot be the account ``new`` replaces: it was suspended after ``new`` was, or, where the
    stream did not show when (no scan state), both are suspended and ``old`` is the younger account."""
    if old.suspended_at is not None and new.suspended_at is not None:
        return old.suspended_at >= new.suspended_at
    if new.key in suspended and old.created_at and new.created_at:
        return old.created_at > new.created_at
    return False


def _platform(key: str) -> str:
    return key.partition(":")[0]


def block_keys(p: Profile) -> list[str]:
    """Blocking keys: only suspended accounts sharing one of these are compared with ``p``."""
    keys = []
    if len(p.stem) >= 3:
        keys.append("h:" + p.stem[:5])
    if len(p.name) >= 3:
        keys.append("n:" + p.name)
    keys += ["l:" + lk for lk in p.links]
    if p.avatar:
        keys.append("a:" + p.avatar)
    # the hour of a suspension, and for an account announcing its return the hours it appeared in
    # (and the one before): the candidates of an announcement that keeps nothing of the old profile
    if p.suspended_at:
        keys.append(f"t:{int(p.suspended_at // 3600)}")
    if p.announced:
        for t in (p.created_at, p.first_post_at):
            if t:
                keys += [k for b in (int(t // 3600), int(t // 3600) - 1) if (k := f"t:{b}") not in keys]
    return keys
