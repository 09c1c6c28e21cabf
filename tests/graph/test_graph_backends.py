"""Every graph job gives the same answer on SQLite and PostgreSQL from the same scanned stream (a small
seeded synthetic one): the graph, co-follow clusters and Leiden communities, expansion, ban-evasion
links, coordination, activity and bursts, hashtag discovery, and the cases each job saves. Runs only
when CSEWATCH_TEST_PG_URL names a scratch PostgreSQL database; otherwise skipped with the reason."""

from __future__ import annotations

import dataclasses

import pytest

from csewatch.graph import findings
from csewatch.graph.activity import activity_from_store
from csewatch.graph.build import build_graph
from csewatch.graph.clusters import cofollow_clusters, leiden_communities
from csewatch.graph.coordination import coordination
from csewatch.graph.discovery import discover
from csewatch.graph.evasion import link_evaders
from csewatch.graph.expand import default_seeds, expand
from csewatch.pipeline import Scanner
from csewatch.store import Store
from csewatch.synth import generate
from csewatch.triage import Triage
from tests.conftest import pg_schema_url


def _plain(x):
    if dataclasses.is_dataclass(x):
        return {k: _plain(v) for k, v in dataclasses.asdict(x).items()}
    if isinstance(x, (list, tuple)):
        return [_plain(v) for v in x]
    if isinstance(x, set):
        return sorted(x)
    if isinstance(x, dict):
        return {k: _plain(v) for k, v in x.items()}
    return x


def _jobs(store: Store, policy) -> dict:
    """Each job's output, with vertex ids turned into account keys, then each job's saved cases."""
    triage = Triage(policy)
    g = build_graph(store, policy)
    clusters = cofollow_clusters(g, threshold=0.3, min_size=2)
    communities = leiden_communities(g) if g.graph.ecount() else []
    seeds = default_seeds(store)
    hits = expand(g, seeds, top=30)
    links = link_evaders(store, policy, g)
    groups = coordination(store, policy)
    activity, bursts = activity_from_store(store)
    _disc, proposals = discover(store, policy)
    out = {
        "graph": (g.names, sorted(g.graph.get_edgelist()), g.graph.es["weight"] if g.graph.ecount() else []),
        "clusters": [([g.names[m] for m in c.members], c.mean_jaccard, c.explanation(g)) for c in clusters],
        "leiden": sorted(zip(g.names, communities, strict=False)),
        "expand": _plain(hits),
        "evasion": _plain(links),
        "coordination": _plain(groups),
        "activity": _plain(activity[:50]),
        "bursts": _plain(bursts),
        "hashtags": _plain(proposals),
    }
    out["saved"] = [
        findings.save_clusters(store, triage, g, clusters),
        findings.save_expansion(store, triage, hits),
        findings.save_evasion(store, triage, links),
        findings.save_coordination(store, triage, groups),
        findings.save_bursts(store, triage, bursts),
    ]
    out["cases"] = [
        (c.id, c.category, c.score, c.priority, c.n_posts, c.reach, c.state)
        for c in sorted(store.top_cases(limit=10_000), key=lambda c: c.id)
    ]
    return out


# it compares the two backends itself: on the PostgreSQL run its SQLite side would be PostgreSQL too
pytestmark = pytest.mark.sqlite_only("compares SQLite with PostgreSQL itself (in the SQLite run)")


@pytest.fixture(scope="module")
def both(tmp_path_factory, policy):
    with pg_schema_url() as pg:
        d = tmp_path_factory.mktemp("graph_backends")
        generate(d / "synth", n_posts=1500, seed=11, fmt="native")
        results = {}
        for name, url in (("sqlite", f"sqlite:///{d / 'g.db'}"), ("postgresql", pg)):
            store = Store(url, policy.version)
            Scanner(policy, store, batch_size=300).scan([str(d / "synth" / "stream")])
            results[name] = _jobs(store, policy)
            store.close()
        yield results


@pytest.mark.parametrize(
    "job", ["graph", "clusters", "leiden", "expand", "evasion", "coordination", "activity", "bursts", "hashtags"]
)
def test_graph_job_is_the_same_on_both_backends(both, job):
    assert both["postgresql"][job] == both["sqlite"][job]


def test_saved_findings_are_the_same_on_both_backends(both):
    lite, pg = both["sqlite"], both["postgresql"]
    assert pg["saved"] == lite["saved"] and pg["cases"] == lite["cases"]
    # every job found something on this stream, so the equalities above compare real answers
    assert all(lite[j] for j in ("clusters", "expand", "evasion", "coordination", "bursts", "hashtags"))
    assert len(lite["graph"][0]) > 10 and min(lite["saved"]) >= 1
