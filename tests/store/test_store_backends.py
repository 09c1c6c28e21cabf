"""The store, review and web paths on each backend (SQLite always; PostgreSQL when CSEWATCH_TEST_PG_URL
names a scratch database): upserts built by SQLAlchemy (reserved column names such as ``user``),
idempotent batches, detector state, claims and decisions through the API and the web app, the audit
chain, the scan lock."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from csewatch.model import Account, Edge, Post
from csewatch.pipeline import Scanner
from csewatch.review.audit import AuditLog
from csewatch.review.decisions import ReviewService
from csewatch.store import Batch, Store, StoreBusy
from csewatch.store import schema as S
from csewatch.triage import Triage
from csewatch.web.app import create_app
from csewatch.web.auth import Auth

PASSWORD = "correct horse battery staple"
STREAM = (
    '{"type":"post","id":"1","author_id":"seller","text":"selling c*p vids 20$ dm",'
    '"media":[{"id":"m1","sha256":"' + "d" * 64 + '"}]}\n'
    '{"type":"post","id":"2","author_id":"seller","text":"new folder 15$ t.me/abcdef9"}\n'
    '{"type":"post","id":"3","author_id":"other","text":"nice day at the park"}\n'
)


@pytest.fixture()
def scanned(db_url, tmp_path, policy):
    src = tmp_path / "s.jsonl"
    src.write_text(STREAM)
    store = Store(db_url, policy.version)
    Scanner(policy, store).scan([str(src)])
    yield store
    store.close()


def test_bulk_statements_quote_reserved_names_and_are_cached(db_url):
    store = Store(db_url)
    sql, _order = store._bulk_sql(S.claims, ("case_id", "user", "claimed_at"), ("case_id",))
    quoted = store.engine.dialect.identifier_preparer.quote("user")  # "user" on PostgreSQL, where it is reserved
    assert (quoted == '"user"') == (store.engine.dialect.name == "postgresql")
    assert f"({quoted}" not in sql and f", {quoted}, " in sql and "ON CONFLICT (case_id) DO UPDATE" in sql
    assert store._bulk_sql(S.claims, ("case_id", "user", "claimed_at"), ("case_id",))[0] is sql
    with store.engine.begin() as conn:
        store._upsert(conn, S.claims, [{"case_id": "c1", "user": "alice", "claimed_at": 1.0}], ("case_id",))
        store._upsert(conn, S.claims, [{"case_id": "c1", "user": "bob", "claimed_at": 2.0}], ("case_id",))
        store._insert_ignore(conn, S.claims, [{"case_id": "c1", "user": "carol", "claimed_at": 3.0}])
        rows = conn.execute(select(S.claims.c.case_id, S.claims.c.user, S.claims.c.claimed_at)).all()
    assert [tuple(r) for r in rows] == [("c1", "bob", 2.0)]
    store.close()


def test_batches_are_idempotent_and_merge_accounts(db_url, policy):
    store = Store(db_url, policy.version)
    triage = Triage(policy)
    posts = [Post(id=f"p{i}", platform="native", author_id="a", text=f"post {i}", hashtags=["x"]) for i in range(3)]
    for _ in range(2):  # the same batch twice: nothing counted twice
        batch = Batch(
            source="s",
            position=10,
            line=3,
            fmt="native",
            posts=posts,
            accounts=[Account(id="a", platform="native", handle="first", links=["t.me/one"])],
            edges=[Edge("native", "follow", "a", "b")],
            state={"ns": {"k1": {"n": 1}, "k2": [1, 2]}},
        )
        store.commit_batch(batch, triage)
    later = Batch(
        source="s",
        position=20,
        line=4,
        fmt="native",
        accounts=[Account(id="a", platform="native", bio="new bio")],
        state={"ns": {"k1": {"n": 2}}},
    )
    store.commit_batch(later, triage)
    counts = store.counts()
    assert (counts["posts"], counts["accounts"], counts["edges"]) == (3, 1, 1)
    assert store.checkpoint("s") == (20, 4, "native")
    assert store.load_state("ns", ["k1", "k2", "missing"]) == {"k1": {"n": 2}, "k2": [1, 2]}
    acc = store.load_accounts([("native", "a")])[("native", "a")]
    assert (acc.handle, acc.bio, acc.links) == ("first", "new bio", ["t.me/one"])
    assert store.follows_of("native", ["a"]) == {"a": {"b"}}
    store.close()


def test_claim_decide_and_audit(scanned, policy):
    review = ReviewService(scanned, policy)
    review.claim("native:account:seller", "alice")
    review.claim("native:account:seller", "alice")  # the holder again: an upsert, not a duplicate key
    with pytest.raises(PermissionError, match="claimed by alice"):
        review.claim("native:account:seller", "bob")
    review.decide("native:account:seller", "alice", "violating", "advert with price and invite link")
    assert scanned.case("native:account:seller").state == "actioned"
    res = AuditLog(scanned).verify()
    assert res.ok and res.entries >= 2


def test_web_claim_returns_the_holder_not_a_server_error(scanned, policy):
    auth = Auth(scanned)
    auth.add_user("alice", PASSWORD, "reviewer")
    auth.add_user("alice", PASSWORD, "lead")  # an upsert on users
    assert auth.role("alice") == "lead"
    client = TestClient(create_app(scanned, policy, []))
    h = {"Authorization": f"Bearer {auth.new_api_token('alice')}"}
    r = client.post("/api/claims/native:account:seller", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["claimed_by"] == "alice"


def test_scan_lock_is_exclusive(db_url):
    with Store(db_url).scan_lock():
        with pytest.raises(StoreBusy, match="another scan"):
            with Store(db_url).scan_lock():
                pass
    with Store(db_url).scan_lock():  # released
        pass


def test_web_pages_api_and_queue_filters(scanned, policy):
    auth = Auth(scanned)
    auth.add_user("lead1", PASSWORD, "lead")
    client = TestClient(create_app(scanned, policy, []))
    h = {"Authorization": f"Bearer {auth.new_api_token('lead1')}"}
    cases = client.get("/api/cases", headers=h)
    assert cases.status_code == 200, cases.text
    ids = {c["id"] for c in cases.json()}
    assert "native:account:seller" in ids
    assert client.get("/api/cases/native:account:seller", headers=h).status_code == 200
    r = client.post(
        "/api/decisions/native:account:seller",
        headers=h,
        json={"outcome": "violating", "rationale": "advert with price and invite link"},
    )
    assert r.status_code == 200, r.text
    assert scanned.case("native:account:seller").state == "actioned"
    assert client.get("/api/precision", headers=h).status_code == 200
    assert [c.id for c in scanned.top_cases(detector="lexicon")] == ["native:account:seller"]
    assert scanned.top_cases(state="open", category="no_such_category") == []
    r = client.post("/login", data={"name": "lead1", "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    for path in ("/", "/dashboard", "/cases/native:account:seller"):
        assert client.get(path).status_code == 200, path
