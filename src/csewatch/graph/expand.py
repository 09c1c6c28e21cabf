"""Expansion from seeds ("the rabbit hole"): from confirmed or suspended accounts, rank the other
accounts by personalized PageRank over the weighted account graph, and explain each by the
shortest path from its nearest seed, hop by hop with the kind of link."""

from __future__ import annotations

from dataclasses import dataclass

from scipy.sparse.csgraph import dijkstra

from csewatch.detect.evasion_scoring import SUSPENDED
from csewatch.graph.build import AccountGraph
from csewatch.store import Store

SEED_CASE_STATES = ("open", "in_review", "actioned", "escalated")


@dataclass
class ExpansionHit:
    account: str
    score: float
    seed: str
    path: list[tuple[str, str]]  # (account, how it links to the previous hop)

    def explanation(self) -> str:
        hops = " -> ".join(f"{acc} [{kinds}]" for acc, kinds in self.path[1:])
        return f"{len(self.path) - 1} hop(s) from {self.seed}: {hops}"


def default_seeds(store: Store, min_case_score: float = 0.9) -> list[str]:
    """Suspended or taken-down accounts, and accounts whose own case scores at least ``min_case_score``."""
    return store.graph.seed_accounts(SUSPENDED, min_case_score, SEED_CASE_STATES)


def expand(
    g: AccountGraph, seeds: list[str], top: int = 50, damping: float = 0.85, exclude: set[str] | None = None
) -> list[ExpansionHit]:
    seed_ids = [g.index[s] for s in seeds if s in g.index]
    if not seed_ids or g.graph.ecount() == 0:
        return []
    pr = g.graph.personalized_pagerank(reset_vertices=seed_ids, weights="weight", damping=damping, directed=False)
    base = g.graph.pagerank(weights="weight", damping=damping, directed=False)
    skip = set(seed_ids) | {g.index[e] for e in (exclude or ()) if e in g.index}
    # rank by lift over global PageRank: accounts tied to the seeds, not merely popular ones
    floor = 1.0 / max(len(pr), 1)
    ranked = sorted(
        (v for v in range(len(pr)) if v not in skip and pr[v] > floor * 0.1),
        key=lambda v: -(pr[v] / max(base[v], 1e-12)),
    )[:top]
    if not ranked:
        return []
    # one multi-source breadth-first search from all seeds gives every account its nearest seed and path
    adj = g.adjacency()
    _dist, pred, sources = dijkstra(adj, unweighted=True, indices=seed_ids, min_only=True, return_predecessors=True)
    out = []
    for v in ranked:
        if sources[v] < 0:
            continue
        vpath = [v]
        while vpath[-1] != sources[v]:
            vpath.append(int(pred[vpath[-1]]))
        vpath.reverse()
        path = [(g.names[vpath[0]], "seed")]
        for a, b in zip(vpath, vpath[1:], strict=False):
            path.append((g.names[b], "+".join(g.edge_kinds(a, b))))
        out.append(ExpansionHit(g.names[v], float(pr[v] / max(base[v], 1e-12)), g.names[vpath[0]], path))
    return out
