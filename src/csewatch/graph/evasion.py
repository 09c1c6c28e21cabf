"""Ban-evasion linking: for each recent account, the suspended account it most likely replaces.

Candidates come from blocking keys (handle stem, display name, invite links, avatar hash, shared
follows), so an account is never compared with every suspended one. Each pair is scored on handle
and display-name similarity (rapidfuzz), bio overlap, shared off-platform links, avatar hash,
follow-set overlap and an evasion announcement by the new account; the score is a noisy-OR of the
weighted features, and every feature that contributed is kept as evidence.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field

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
}
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


@dataclass
class EvasionLink:
    account: str
    predecessor: str
    score: float
    evidence: dict[str, str] = field(default_factory=dict)

    def explanation(self) -> str:
        parts = "; ".join(f"{k}: {v}" for k, v in self.evidence.items())
        return f"likely the returning account of suspended {self.predecessor} (score {self.score:.2f}): {parts}"


def handle_stem(norm: Normalizer, handle: str) -> str:
    h = handle.lower().split("@", 1)[0].split(".bsky.")[0]
    h = _SUFFIX.sub("", h)
    return re.sub(r"[^a-z]", "", norm.fold_term(h))


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
        for row in conn.execute(
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
            )
        ):
            platform, aid, handle, name, bio, acc_links, avatar, created, status = row
            key = f"{platform}:{aid}"
            texts = [bio or ""] + list(acc_links or [])
            found = {lk for t in texts for _s, _e, _svc, lk in links.find(norm.plain(t))}
            prof = Profile(
                key,
                handle or "",
                handle_stem(norm, handle or ""),
                norm.fold_term(name or ""),
                set(_WORD.findall(norm.fold_term(bio or ""))),
                found,
                avatar,
                created,
                key in announced,
            )
            (suspended if status in SUSPENDED else others).append(prof)
    return suspended, others


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


def score_pair(
    new: Profile, old: Profile, g: AccountGraph | None, commonness: dict[str, int] | None = None
) -> tuple[float, dict[str, str]]:
    """Score and evidence of "new is old, back". ``commonness`` counts accounts per handle stem and
    display name: a stem many accounts share (``noahart``) says little, so it is discounted."""
    feats: dict[str, float] = {}
    ev: dict[str, str] = {}
    common = commonness or {}
    if new.stem and old.stem and len(new.stem) >= 3:
        sim = fuzz.ratio(new.stem, old.stem) / 100
        n = max(common.get("h:" + new.stem, 1), common.get("h:" + old.stem, 1))
        if sim >= 0.75:
            feats["handle"] = sim / n
            ev["handle"] = f"{new.handle!r} ~ {old.handle!r} ({sim:.2f}" + (
                f", stem used by {n} accounts)" if n > 1 else ")"
            )
    if new.name and old.name and len(new.name) >= 3:
        sim = fuzz.ratio(new.name, old.name) / 100
        n = max(common.get("n:" + new.name, 1), 1)
        if sim >= 0.85:
            feats["display_name"] = sim / n
            ev["display_name"] = f"{new.name!r} ~ {old.name!r} ({sim:.2f}" + (
                f", name used by {n} accounts)" if n > 1 else ")"
            )
    bj = _jaccard(new.bio_tokens, old.bio_tokens)
    if bj >= 0.5 and len(new.bio_tokens | old.bio_tokens) >= 3:
        feats["bio"] = bj
        ev["bio"] = f"{bj:.2f} of bio words shared"
    shared_links = new.links & old.links
    if g is not None:
        nv, ov = g.vertex(new.key), g.vertex(old.key)
        if nv is not None and ov is not None:
            for key, members in g.shared.items():
                if key.startswith("link:") and nv in members and ov in members:
                    shared_links.add(key[5:])
            fj = _jaccard(g.follows_of(nv), g.follows_of(ov))
            if fj >= 0.3:
                feats["follows"] = fj
                ev["follows"] = f"{fj:.2f} of followed accounts shared"
    if shared_links:
        feats["links"] = 1.0
        ev["links"] = ", ".join(sorted(shared_links)[:3])
    if new.avatar and new.avatar == old.avatar:
        feats["avatar"] = 1.0
        ev["avatar"] = "same avatar hash"
    if new.announced and feats:
        feats["announcement"] = 1.0
        ev["announcement"] = "posted a ban-evasion announcement"
    p_not = 1.0
    for k, v in feats.items():
        p_not *= 1 - WEIGHTS[k] * v
    return 1 - p_not, ev


def link_evaders(
    store: Store,
    policy: Policy,
    g: AccountGraph | None = None,
    threshold: float = 0.6,
    window_days: float = 60,
    margin: float = 0.05,
) -> list[EvasionLink]:
    """The best-scoring suspended predecessor of each account created within ``window_days`` of the
    newest account (or that announced its return), when the score reaches ``threshold`` and beats the
    next candidate by ``margin``: when two suspended accounts fit as well, no link is drawn."""
    suspended, others = _profiles(store, policy)
    return link_profiles(suspended, others, g, threshold, window_days, margin)


def link_profiles(
    suspended: list[Profile],
    others: list[Profile],
    g: AccountGraph | None = None,
    threshold: float = 0.6,
    window_days: float = 60,
    margin: float = 0.05,
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
    newest = max((p.created_at or 0) for p in others + suspended)
    recent = [p for p in others if p.announced or (p.created_at and p.created_at >= newest - window_days * 86400)]
    blocks: dict[str, list[Profile]] = defaultdict(list)
    for old in suspended:
        for k in _keys(old):
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
        for k in _keys(new):
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
            ((*score_pair(new, old, g, commonness), old) for old in cands.values() if old.key != new.key),
            key=lambda t: -t[0],
        )
        if not scored or scored[0][0] < threshold:
            continue
        best_score, ev, old = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        if best_score - runner_up < margin:
            continue  # two suspended accounts fit about as well: which one is back is not known
        out.append(
            EvasionLink(
                new.key,
                old.key,
                round(best_score, 4),
                {**ev, "margin": f"{best_score - runner_up:.2f} over the next candidate"},
            )
        )
    return sorted(out, key=lambda e: -e.score)


def _keys(p: Profile) -> list[str]:
    keys = []
    if len(p.stem) >= 3:
        keys.append("h:" + p.stem[:5])
    if len(p.name) >= 3:
        keys.append("n:" + p.name)
    keys += ["l:" + lk for lk in p.links]
    if p.avatar:
        keys.append("a:" + p.avatar)
    return keys
