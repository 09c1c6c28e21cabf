"""Graph results as Signals and Cases in the store: each evasion link or expansion hit becomes an
account signal carrying its evidence and feeds the account's case, like the per-post detectors."""

from __future__ import annotations

import time

from csewatch.graph.evasion import EvasionLink
from csewatch.graph.expand import ExpansionHit
from csewatch.model import Case, Evidence, Signal
from csewatch.store import Store
from csewatch.triage import Triage, case_id


def _case(triage: Triage, platform: str, account: str, category: str, score: float) -> Case:
    now = time.time()
    return Case(
        id=case_id(platform, "account", account),
        platform=platform,
        subject_type="account",
        subject_id=account,
        category=category,
        severity=triage.severity.get(category, 3),
        score=score,
        priority=0.0,
        n_posts=0,
        first_seen=now,
        last_seen=now,
    )


def save_evasion(store: Store, triage: Triage, links: list[EvasionLink]) -> int:
    signals, cases = [], {}
    for link in links:
        platform, _, account = link.account.partition(":")
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
        c = _case(triage, platform, account, "ban_evasion", link.score)
        cases[c.id] = c
    store.write_findings(signals, cases, triage)
    return len(links)


def save_expansion(store: Store, triage: Triage, hits: list[ExpansionHit], score: float = 0.6) -> int:
    signals, cases = [], {}
    for hit in hits:
        platform, _, account = hit.account.partition(":")
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
        c = _case(triage, platform, account, "network_expansion", score)
        cases[c.id] = c
    store.write_findings(signals, cases, triage)
    return len(hits)
