"""The graph jobs' reads through the store (``store.graph``): plain values, keys as ``platform:id``, sorted
where a job depends on order, the same on SQLite and PostgreSQL; and no graph module builds SQL itself."""

import re
from pathlib import Path

import csewatch.graph
from csewatch.keys import case_id
from csewatch.model import Account, Case, Edge, Evidence, Post, Signal, Verdict
from csewatch.store import Batch, Store
from csewatch.triage import Triage

SUSPENDED = ("suspended", "takendown")


def _store(db_url, policy) -> Store:
    store = Store(db_url, policy.version)
    accounts = [
        Account(id="b", platform="native", handle="vault_b", status="suspended"),
        Account(id="a", platform="native", handle="vault_a", created_at=50.0),
        Account(id="did:plc:z9", platform="bluesky", status="takendown"),
        Account(id="c", platform="native"),
    ]
    posts = [
        Post(id="p2", platform="native", author_id="a", text="t2", created_at=20.0, hashtags=["Tag2"]),
        Post(id="p1", platform="native", author_id="a", text="t1", created_at=10.0, hashtags=["tag1"]),
        Post(id="p0", platform="native", author_id="c", text="t0", created_at=20.0, urls=["https://t.me/x"]),
        Post(id="3l0", platform="bluesky", author_id="did:plc:z9", text="t3", created_at=5.0),
    ]
    edges = [Edge("native", "follow", "c", "a"), Edge("native", "follow", "a", "b"), Edge("native", "reply", "c", "p1")]
    verdicts = [Verdict("p2", "native", "a", 0.9, "evasion_announcement", 3, ["r1"], [])]
    cid = case_id("native", "account", "c")
    cases = {cid: Case(cid, "native", "account", "c", "advert_sale_trade", 5, 0.95, 0.0, first_seen=20.0)}
    link = [Evidence("predecessor", 0, 0, "native:b", "evasion:predecessor")]
    signals = [("native", Signal("evasion", "1", "account", "a", "ban_evasion_link", 0.8, "x", link, post_id="p2"))]
    batch = Batch("t", 1, 1, "native", posts, accounts, edges, signals, verdicts=verdicts, cases=cases)
    store.commit_batch(batch, Triage(policy))
    return store


def test_graph_rows_are_plain_and_sorted(db_url, policy) -> None:
    rows = _store(db_url, policy).graph.graph_rows()
    assert rows.accounts == [("bluesky", "did:plc:z9"), ("native", "a"), ("native", "b"), ("native", "c")]
    follows = [("native", "follow", "a", "b"), ("native", "follow", "c", "a")]
    assert rows.edges == [*follows, ("native", "reply", "c", "p1")]
    assert rows.authors[("native", "p1")] == "a" and rows.authors[("bluesky", "3l0")] == "did:plc:z9"
    assert [r[:3] for r in rows.posts] == [
        ("bluesky", "3l0", "did:plc:z9"),
        ("native", "p0", "c"),
        ("native", "p1", "a"),
        ("native", "p2", "a"),
    ]
    assert all(type(r) is tuple for r in rows.posts + rows.edges)
    assert _store(db_url, policy).graph.graph_rows(with_posts=False).posts == []


def test_posts_in_time_order_tie_broken_by_post_key(db_url, policy) -> None:
    reads = _store(db_url, policy).graph
    tagged = reads.tagged_posts_in_time_order()
    assert [(r[0], r[1]) for r in tagged] == [("bluesky", "3l0"), ("native", "p1"), ("native", "p0"), ("native", "p2")]
    assert tagged[3][4] == ["Tag2"]
    flagged, replay = reads.hashtag_replay()
    assert flagged == {("native", "p2")} and replay == tagged
    contents = reads.post_contents_in_time_order()
    assert [r[1] for r in contents] == ["3l0", "p1", "p0", "p2"] and contents[2][5] == ["https://t.me/x"]


def test_account_sets_use_entity_keys(db_url, policy) -> None:
    reads = _store(db_url, policy).graph
    assert reads.accounts_with_status(SUSPENDED) == {"native:b", "bluesky:did:plc:z9"}
    assert reads.accounts_with_status(["active"]) == set()
    assert reads.flagged_accounts(SUSPENDED) == {"native:b", "native:c", "bluesky:did:plc:z9"}
    assert reads.seed_accounts(SUSPENDED, 0.9, ("open",)) == ["bluesky:did:plc:z9", "native:b", "native:c"]
    assert reads.seed_accounts(SUSPENDED, 0.99, ("open",)) == ["bluesky:did:plc:z9", "native:b"]
    assert reads.seed_accounts(SUSPENDED, 0.9, ("actioned",)) == ["bluesky:did:plc:z9", "native:b"]


def test_evasion_profile_rows(db_url, policy) -> None:
    rows = _store(db_url, policy).graph.evasion_profile_rows()
    assert [r[0] for r in rows.accounts] == ["bluesky:did:plc:z9", "native:a", "native:b", "native:c"]
    assert rows.accounts[1][1] == "vault_a" and rows.accounts[1][6] == 50.0 and rows.accounts[2][7] == "suspended"
    assert rows.announced == {"native:a"}
    assert rows.at_suspension == {} and rows.first_seen == {} and rows.posted_links == {}


def test_no_graph_module_reads_tables_itself() -> None:
    for path in Path(csewatch.graph.__file__).parent.glob("*.py"):
        text = path.read_text()
        assert not re.search(r"store import schema|sqlalchemy|\.execute\(", text), path.name


def test_first_evasion_links_counts_the_posts_before(db_url, policy) -> None:
    # a's posts: p1 (t=10), p2 (t=20); the link signal is on p2, its second post
    assert _store(db_url, policy).graph.first_evasion_links() == {"native:a": ("native:b", 2)}
