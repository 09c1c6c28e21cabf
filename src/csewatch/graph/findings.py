"""Graph results as Signals and Cases in the store: each evasion link or expansion hit becomes an
account signal carrying its evidence and feeds the account's case, like the per-post detectors."""

from __future__ import annotations

import hashlib
import math
import time

from csewatch.graph.activity import Burst
from csewatch.graph.build import AccountGraph
from csewatch.graph.clusters import Cluster
from csewatch.graph.coordination import CoordinationGroup
from csewatch.graph.evasion import SUSPENDED, EvasionLink
from csewatch.graph.expand import ExpansionHit
from csewatch.keys import parse_entity_key, platform_of
from csewatch.model import Case, Evidence, Signal
from csewatch.store import Store
from csewatch.triage import Triage, case_id, merge_cases


def _case(
    triage: Triage,
    platform: str,
    subject_type: str,
    subject_id: str,
    category: str,
    score: float,
    n_posts: int = 0,
    reach: int = 0,
    first_seen: float | None = None,
    last_seen: float | None = None,
) -> Case:
    """A case for a graph finding; priority is set by the store when the case is merged in."""
    now = time.time()
    return Case(
        id=case_id(platform, subject_type, subject_id),
        platform=platform,
        subject_type=subject_type,
        subject_id=subject_id,
        category=category,
        severity=triage.severity.get(category, 3),
        score=score,
        priority=0.0,
        n_posts=n_posts,
        reach=reach,
        first_seen=first_seen or now,
        last_seen=last_seen or now,
    )


def save_evasion(store: Store, triage: Triage, links: list[EvasionLink]) -> int:
    signals, cases = [], {}
    for link in links:
        platform, account = parse_entity_key(link.account)
        evidence = [Evidence(k, 0, 0, v, f"evasion:{k}") for k, v in link.evidence.items()]
        evidence.append(Evidence("predecessor", 0, 0, link.predecessor, "evasion:predecessor"))
        signals.append(
            (
                platform,
                Signal(
                    "graph.evasion", "1", "account", account, "ban_evasion", link.score, link.explanation(), evidence
                ),
            )
        )
        c = _case(triage, platform, "account", account, "ban_evasion", link.score)
        cases[c.id] = c
    store.write_findings(signals, cases, triage)
    return len(links)


def save_expansion(store: Store, triage: Triage, hits: list[ExpansionHit], score: float = 0.6) -> int:
    signals, cases = [], {}
    for hit in hits:
        platform, account = parse_entity_key(hit.account)
        evidence = [Evidence("path", i, i, f"{acc} [{how}]", "expand:hop") for i, (acc, how) in enumerate(hit.path)]
        signals.append(
            (
                platform,
                Signal(
                    "graph.expand",
                    "1",
                    "account",
                    account,
                    "network_expansion",
                    score,
                    f"lift {hit.score:.1f} over global PageRank; " + hit.explanation(),
                    evidence,
                ),
            )
        )
        c = _case(triage, platform, "account", account, "network_expansion", score)
        cases[c.id] = c
    store.write_findings(signals, cases, triage)
    return len(hits)


def flagged_accounts(store: Store) -> set[str]:
    """Accounts with a case of their own or a suspension."""
    return store.graph.flagged_accounts(SUSPENDED)


def save_clusters(store: Store, triage: Triage, g: AccountGraph, clusters: list[Cluster], min_flagged: int = 1) -> int:
    """One case per cluster with at least ``min_flagged`` flagged members, for a bulk decision."""
    flagged = flagged_accounts(store)
    signals, cases = [], {}
    for c in clusters:
        names = [g.names[m] for m in c.members]
        n_flagged = sum(1 for n in names if n in flagged)
        if n_flagged < min_flagged:
            continue
        platform = platform_of(names[0])
        key = c.key(g)
        evidence = [
            Evidence("member", i, i, n, "cluster:flagged" if n in flagged else "cluster:member")
            for i, n in enumerate(names[:500])
        ]
        score = min(0.95, 0.5 + 0.45 * n_flagged / len(names))
        signals.append(
            (
                platform,
                Signal(
                    "graph.clusters",
                    "1",
                    "cluster",
                    key,
                    "network_cluster",
                    score,
                    f"{n_flagged} of them flagged or suspended; " + c.explanation(g),
                    evidence,
                ),
            )
        )
        case = _case(triage, platform, "cluster", key, "network_cluster", score, reach=len(names))
        cases[case.id] = case
    store.write_findings(signals, cases, triage)
    return len(cases)


def save_bursts(store: Store, triage: Triage, bursts: list[Burst]) -> int:
    """A hashtag case per bursting tag, its burst hours as evidence."""
    signals, cases = [], {}
    for b in bursts:
        score = min(0.9, 0.5 + 0.05 * math.log10(1 / max(b.p_value, 1e-300)))
        signals.append(
            (
                "any",
                Signal(
                    "graph.bursts",
                    "1",
                    "hashtag",
                    b.tag,
                    "hashtag_burst",
                    score,
                    b.explanation(),
                    [Evidence("hashtag", 0, 0, f"#{b.tag}", "bursts:poisson")],
                ),
            )
        )
        c = _case(
            triage,
            "any",
            "hashtag",
            b.tag,
            "hashtag_burst",
            score,
            n_posts=b.count,
            first_seen=b.hour_start,
            last_seen=b.hour_start + 3600,
        )
        cases[c.id] = merge_cases(cases[c.id], c) if c.id in cases else c
    store.write_findings(signals, cases, triage)
    return len(cases)


def save_coordination(store: Store, triage: Triage, groups: list[CoordinationGroup], min_flagged: int = 1) -> int:
    """A cluster case per coordinated group with flagged members."""
    flagged = flagged_accounts(store)
    signals, cases = [], {}
    for grp in groups:
        n_flagged = sum(1 for a in grp.accounts if a in flagged)
        if n_flagged < min_flagged:
            continue
        platform = platform_of(grp.accounts[0])
        key = "co-" + hashlib.sha1(f"{grp.kind}|{grp.item}|{grp.start}".encode()).hexdigest()[:16]
        score = min(0.95, 0.5 + 0.45 * n_flagged / len(grp.accounts))
        evidence = [
            Evidence("account", i, i, a, "coordination:flagged" if a in flagged else "coordination:member")
            for i, a in enumerate(grp.accounts[:500])
        ]
        signals.append(
            (
                platform,
                Signal(
                    "graph.coordination",
                    "1",
                    "cluster",
                    key,
                    "coordination",
                    score,
                    f"{n_flagged} flagged; " + grp.explanation(),
                    evidence,
                ),
            )
        )
        c = _case(
            triage,
            platform,
            "cluster",
            key,
            "coordination",
            score,
            n_posts=grp.posts,
            reach=len(grp.accounts),
            first_seen=grp.start,
            last_seen=grp.end,
        )
        cases[c.id] = c
    store.write_findings(signals, cases, triage)
    return len(cases)
