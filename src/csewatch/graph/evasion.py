"""Ban-evasion linking, the batch job over the store: for each recent account, the suspended account it
most likely replaces.

Candidates come from blocking keys (handle stem, display name, invite links, avatar hash, shared
follows), so an account is never compared with every suspended one. Pairs are scored by
``csewatch.detect.evasion_scoring`` (the leaf shared with the scan's per-post watch,
``csewatch.detect.evasion``, which draws the same links post by post as accounts appear); here the
account graph adds follow sets and the channels both accounts posted.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from csewatch.detect.evasion_scoring import (
    SUSPENDED,
    WEIGHTS,
    Profile,
    block_keys,
    build_profile,
    clear_winner,
    explanation,
    margin_text,
    score_pair,
)
from csewatch.detect.links import LinkMatcher
from csewatch.graph.build import AccountGraph
from csewatch.keys import platform_of
from csewatch.normalize import Normalizer
from csewatch.policy import Policy
from csewatch.store import Store

# what graph code and benchmarks import from here (the scoring itself lives in the leaf)
__all__ = ["SUSPENDED", "WEIGHTS", "EvasionLink", "Profile", "link_evaders", "link_profiles", "suspended_accounts"]


@dataclass
class EvasionLink:
    account: str
    predecessor: str
    score: float
    evidence: dict[str, str] = field(default_factory=dict)

    def explanation(self) -> str:
        return explanation(self.predecessor, self.score, self.evidence)


def _profiles(store: Store, policy: Policy) -> tuple[list[Profile], list[Profile]]:
    norm = Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)
    links = LinkMatcher(policy)
    suspended, others = [], []
    # accounts, announcers, and what the scan's evasion watch recorded: suspension times, first posts,
    # @names, posted links
    rows = store.graph.evasion_profile_rows()
    for key, handle, name, bio, acc_links, avatar, created, status in rows.accounts:
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
            key in rows.announced,
            rows.posted_links.get(key) or (),
        )
        if (d := rows.at_suspension.get(key)) is not None:
            prof.suspended_at = d.get("suspended_at")
        if (seen := rows.first_seen.get(key)) is not None and len(seen) >= 7:
            prof.first_post_at, prof.mentioned = seen[5], set(seen[6])
        (suspended if status in SUSPENDED else others).append(prof)
    return suspended, others


def suspended_accounts(store: Store) -> set[str]:
    """Keys of the suspended or taken-down accounts."""
    return store.graph.accounts_with_status(SUSPENDED)


def _score_in_graph(
    new: Profile, old: Profile, g: AccountGraph | None, commonness: dict[str, int]
) -> tuple[float, dict[str, str]]:
    """``score_pair`` with the follow sets and the channels both accounts posted taken from the graph."""
    follows, shared = None, set()
    if g is not None:
        nv, ov = g.vertex(new.key), g.vertex(old.key)
        if nv is not None and ov is not None:
            for key, members in g.shared.items():
                if key.startswith("link:") and nv in members and ov in members:
                    shared.add(key[5:])
            follows = (g.follows_of(nv), g.follows_of(ov))
    return score_pair(new, old, commonness, follows=follows, shared_links=shared)


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
                (*_score_in_graph(new, old, g, commonness), old)
                for old in cands.values()
                if old.key != new.key
                and platform_of(old.key) == platform_of(new.key)
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
