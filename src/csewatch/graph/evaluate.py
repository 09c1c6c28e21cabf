"""Scores of the graph jobs against ``graph_labels.jsonl`` from ``csewatch synth``: evasion links,
expansion, co-follow clusters and hashtag discovery (lead time, benign trends proposed)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import orjson

from csewatch.detect.hashtags import fold_tag
from csewatch.graph.build import AccountGraph
from csewatch.graph.clusters import Cluster
from csewatch.graph.discovery import HashtagDiscovery
from csewatch.graph.evasion import EvasionLink
from csewatch.graph.expand import ExpansionHit
from csewatch.normalize import Normalizer
from csewatch.store import Store


@dataclass
class GraphLabels:
    evaders: dict[str, str] = field(default_factory=dict)  # new account -> suspended predecessor
    network: set[str] = field(default_factory=set)
    new_tags: dict[str, str] = field(default_factory=dict)  # folded tag -> advert | benign_trend

    def chain(self, account: str) -> list[str]:
        """The suspended accounts an evader descends from: predecessor, its predecessor, ..."""
        out: list[str] = []
        cur = self.evaders.get(account)
        while cur is not None and cur not in out:
            out.append(cur)
            cur = self.evaders.get(cur)
        return out

    @property
    def members(self) -> set[str]:
        return self.network | set(self.evaders)


def read_graph_labels(path: str | Path) -> GraphLabels:
    labels = GraphLabels()
    norm = Normalizer()
    for line in Path(path).read_bytes().splitlines():
        if not line.strip():
            continue
        row = orjson.loads(line)
        if row["type"] == "evader":
            labels.evaders[row["account"]] = row["predecessor"]
        elif row["type"] == "network":
            labels.network.add(row["account"])
        elif row["type"] == "new_tag":
            labels.new_tags[fold_tag(norm, row["tag"])] = row["kind"]
    return labels


def evasion_metrics(links: list[EvasionLink], labels: GraphLabels, suspended: set[str]) -> dict:
    """Recall over all evaders and over those whose predecessor's suspension the stream showed."""
    truth = labels.evaders
    observable = {a for a, p in truth.items() if p in suspended}
    correct = sum(1 for x in links if truth.get(x.account) == x.predecessor)
    # as in the scan's figures: a link to an earlier account of the same chain is counted apart
    same_operator = sum(
        1 for x in links if truth.get(x.account) != x.predecessor and x.predecessor in labels.chain(x.account)
    )
    return {
        "evaders": len(truth),
        "with_observed_suspension": len(observable),
        "linked": len(links),
        "correct": correct,
        "recall": round(correct / max(len(truth), 1), 4),
        "recall_observed": round(correct / max(len(observable), 1), 4),
        "precision": round(correct / max(len(links), 1), 4),
        "earlier_account_of_same_operator": same_operator,
        "false_links": len(links) - correct - same_operator,
    }


def stream_evasion_links(store: Store) -> dict[str, tuple[str, int]]:
    """Links the scan drew, from its ``ban_evasion_link`` signals: account key -> (predecessor, the
    1-based number of the account's post that first carried the link)."""
    return store.graph.first_evasion_links()


def stream_evasion_metrics(links: dict[str, tuple[str, int]], labels: GraphLabels, within: int = 5) -> dict:
    """The scan's links against the labels: evaders linked to their predecessor by their ``within``-th
    post, and false links (an account linked to anything but its true predecessor)."""
    truth = labels.evaders
    correct_by = sum(1 for a, (p, n) in links.items() if truth.get(a) == p and n <= within)
    correct = sum(1 for a, (p, _n) in links.items() if truth.get(a) == p)
    # a link to an earlier suspended account of the same chain (the predecessor's own predecessor...)
    # names the right operator but not the immediate predecessor: counted apart, not as correct
    same_operator = sum(1 for a, (p, _n) in links.items() if truth.get(a) != p and p in labels.chain(a))
    false = len(links) - correct - same_operator
    return {
        "evaders": len(truth),
        "linked": len(links),
        f"correct_within_{within}_posts": correct_by,
        "correct_later": correct - correct_by,
        "recall_within": round(correct_by / max(len(truth), 1), 4),
        "earlier_account_of_same_operator": same_operator,
        "false_links": false,
        "false_link_rate": round(false / max(len(links), 1), 4),
        "precision": round(correct / max(len(links), 1), 4),
    }


def expansion_metrics(hits: list[ExpansionHit], labels: GraphLabels) -> dict:
    return {"top": len(hits), "in_network": sum(1 for h in hits if h.account in labels.members)}


def cluster_metrics(clusters: list[Cluster], g: AccountGraph, labels: GraphLabels) -> dict:
    clustered = {g.names[m] for c in clusters for m in c.members}
    members = labels.members
    return {
        "network_members": len(members),
        "clustered": len(clustered),
        "precision": round(len(clustered & members) / max(len(clustered), 1), 4),
        "recall": round(len(clustered & members) / max(len(members), 1), 4),
    }


def discovery_metrics(disc: HashtagDiscovery, labels: GraphLabels) -> dict:
    """Lead time: flagged posts a new advert tag carried when it was proposed (None: never)."""
    adverts = {
        t: (disc.proposals[t].flagged if t in disc.proposals else None)
        for t, k in labels.new_tags.items()
        if k == "advert"
    }
    trends = [t for t, k in labels.new_tags.items() if k == "benign_trend"]
    return {
        "new_advert_tags_lead_time": adverts,
        "benign_trends": len(trends),
        "benign_trends_proposed": sum(1 for t in trends if t in disc.proposals),
        "proposals": len(disc.proposals),
    }
