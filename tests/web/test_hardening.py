"""Regression tests for the web hardening items: login throttling per address and per name, the
dummy verify for unknown names, the cap on concurrent verifies, proxy headers trusted only when
configured, claims that protect a case and expire, revoking access, parameter and body caps,
percent-encoded case ids, LIKE escaping, security headers, reveal of items outside the case, and
request logging without queries or tokens."""

import logging
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from typer.testing import CliRunner

from csewatch.pipeline import Scanner
from csewatch.policy import load_policy
from csewatch.review.audit import AuditLog
from csewatch.review.decisions import ReviewService
from csewatch.store import Store
from csewatch.store import schema as S
from csewatch.web import auth as auth_mod
from csewatch.web.app import create_app
from csewatch.web.auth import Auth, Busy

PASSWORD = "correct horse battery staple"
SELLER = "native:account:seller"
ODD = "native:account:x?y"  # an id holding '?': must not be cut at it


@pytest.fixture()
def env(tmp_path):
    policy = load_policy()
    src = tmp_path / "s.jsonl"
    src.write_text(
        '{"type":"post","id":"1","author_id":"seller","text":"selling c*p vids 20$ dm #cpsale",'
        '"hashtags":["cpsale"],"media":[{"id":"m1","sha256":"' + "d" * 64 + '"}]}\n'
        '{"type":"post","id":"3","author_id":"x?y","text":"selling c*p vids 20$ dm link in bio"}\n'
        '{"type":"post","id":"4","author_id":"x","text":"selling c*p vids 20$ dm link in bio"}\n'
    )
    store = Store(str(tmp_path / "w.db"), policy.version)
    Scanner(policy, store).scan([str(src)])
    auth = Auth(store)
    auth.add_user("alice", PASSWORD, "reviewer")
    auth.add_user("bob", PASSWORD, "reviewer")
    app = create_app(store, policy, auth=auth)
    return TestClient(app), store, auth, policy


def _login(client: TestClient, name="alice", password=PASSWORD):
    return client.post("/login", data={"name": name, "password": password}, follow_redirects=False)


def _csrf(client: TestClient, store: Store) -> str:
    return Auth(store).session(client.cookies.get("csewatch_session"))[2]


def _client(env, name="alice") -> TestClient:
    c = TestClient(env[0].app)
    assert _login(c, name).status_code == 303
    return c


# -- item 15: login ---------------------------------------------------------------------------------
def test_one_name_is_throttled_from_any_address(env):
    _client_, store, _auth, _policy = env
    auth = Auth(store, max_failures=3)
    for i in range(3):
        assert auth.login("alice", "wrong password!!", f"10.0.0.{i}") is None
    with pytest.raises(PermissionError):
        auth.login("alice", PASSWORD, "10.0.0.99")  # a fresh address does not reset the name's count


def test_one_address_cannot_spray_many_names(env):
    _client_, store, _auth, _policy = env
    auth = Auth(store, max_failures=5, max_address_failures=3)
    for i in range(3):
        assert auth.login(f"user{i}", "wrong password!!", "10.9.9.9") is None
    with pytest.raises(PermissionError):
        auth.login("alice", PASSWORD, "10.9.9.9")
    assert auth.login("alice", PASSWORD, "10.1.1.1") is not None  # another address is not held up


def test_unknown_names_cost_a_verify_too(env, monkeypatch):
    _client_, store, _auth, _policy = env
    calls = []
    real = auth_mod._ph

    class Spy:
        def hash(self, password):
            return real.hash(password)

        def verify(self, h, password):
            calls.append(h)
            return real.verify(h, password)

    monkeypatch.setattr(auth_mod, "_ph", Spy())
    auth = Auth(store)
    assert auth.login("nobody-by-this-name", "whatever password", "10.0.0.1") is None
    assert len(calls) == 1


def test_concurrent_verifies_are_capped(env):
    client, store, _auth, policy = env
    auth = Auth(store, max_concurrent_verifies=1, verify_wait_s=0.01)
    assert auth._verifies.acquire(timeout=1)  # one verify already running
    try:
        with pytest.raises(Busy):
            auth.login("alice", PASSWORD, "10.0.0.1")
        c = TestClient(create_app(store, policy, auth=auth))
        r = _login(c)
        assert r.status_code == 429 and "Retry-After" in r.headers
    finally:
        auth._verifies.release()
    assert auth.login("alice", PASSWORD, "10.0.0.1") is not None


def test_serve_trusts_proxy_headers_only_when_configured(tmp_path, monkeypatch):
    import uvicorn

    from csewatch.cli import app as cli

    seen = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: seen.append(kw))
    monkeypatch.delenv("CSEWATCH_TRUST_PROXY", raising=False)
    db = str(tmp_path / "w.db")
    Store(db)
    r = CliRunner().invoke(cli, ["serve", "--db", db, "--port", "8123", "--actions-jsonl", str(tmp_path / "a.jsonl")])
    assert r.exit_code == 0, r.output
    assert seen[-1]["proxy_headers"] is False and "http://127.0.0.1:8123/" in r.output
    r = CliRunner().invoke(
        cli, ["serve", "--db", db, "--trust-proxy", "10.0.0.5", "--actions-jsonl", str(tmp_path / "a.jsonl")]
    )
    assert r.exit_code == 0, r.output
    assert seen[-1]["proxy_headers"] is True and seen[-1]["forwarded_allow_ips"] == "10.0.0.5"


# -- item 16: claims --------------------------------------------------------------------------------
def test_a_claim_keeps_other_reviewers_from_deciding(env):
    _c, store, auth, policy = env
    alice, bob = _client(env, "alice"), _client(env, "bob")
    assert alice.post(f"/claim/{SELLER}", data={"csrf": _csrf(alice, store)}, follow_redirects=False).status_code == 303
    r = bob.post(
        f"/decide/{SELLER}",
        data={"outcome": "not_violating", "rationale": "looks fine", "csrf": _csrf(bob, store)},
        follow_redirects=False,
    )
    assert r.status_code == 409 and "claimed by alice" in r.text
    token = auth.new_api_token("bob")
    r = bob.post(
        f"/api/decisions/{SELLER}",
        headers={"Authorization": f"Bearer {token}"},
        json={"outcome": "not_violating", "rationale": "x"},
    )
    assert r.status_code == 409
    with pytest.raises(PermissionError):
        ReviewService(store, policy).decide(SELLER, "bob", "not_violating", "cli")
    assert store.case(SELLER).state == "open"
    assert ReviewService(store, policy).decide(SELLER, "alice", "escalate", "holder may").outcome == "escalate"


def test_claim_on_a_missing_case_is_refused_and_not_audited(env):
    _c, store, _auth, _policy = env
    alice = _client(env)
    r = alice.post("/claim/native:account:ghost", data={"csrf": _csrf(alice, store)}, follow_redirects=False)
    assert r.status_code == 404
    assert not any(e["action"] == "claim" for e in AuditLog(store).entries())


def test_claims_expire(env):
    _c, store, _auth, policy = env
    review = ReviewService(store, policy, claim_seconds=60)
    review.claim(SELLER, "alice")
    with pytest.raises(PermissionError):
        review.claim(SELLER, "bob")
    with store.engine.begin() as conn:
        conn.execute(update(S.claims).values(claimed_at=time.time() - 61))
    assert review.claims() == {}
    review.claim(SELLER, "bob")
    assert review.claims() == {SELLER: "bob"}


# -- item 17: revoking access -----------------------------------------------------------------------
def test_disable_and_password_change_end_sessions_and_tokens(env):
    client, store, auth, _policy = env
    alice = _client(env)
    token = auth.new_api_token("alice")
    h = {"Authorization": f"Bearer {token}"}
    assert alice.get("/").status_code == 200 and client.get("/api/cases", headers=h).status_code == 200
    auth.set_password("alice", "another long password")
    assert alice.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/cases", headers=h).status_code == 401
    alice = TestClient(client.app)
    assert _login(alice, password="another long password").status_code == 303
    token = auth.new_api_token("alice")
    auth.disable("alice")
    assert alice.get("/", follow_redirects=False).status_code == 303
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    assert _login(TestClient(client.app), password="another long password").status_code == 401


def test_tokens_expire_and_can_be_revoked_from_the_cli(env, tmp_path):
    from csewatch.cli import app as cli

    client, store, auth, _policy = env
    old = auth.new_api_token("alice", seconds=-1)
    assert client.get("/api/cases", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    live = auth.new_api_token("alice")
    h = {"Authorization": f"Bearer {live}"}
    assert client.get("/api/cases", headers=h).status_code == 200
    db = store.url  # the store's own URL: a SQLite file, or the PostgreSQL database serving it
    listed = CliRunner().invoke(cli, ["user", "tokens", "alice", "--db", db])
    assert listed.exit_code == 0 and live not in listed.output
    ids = [line.split()[0] for line in listed.output.splitlines() if line.strip()]
    assert len(ids) == 2
    for token_id in ids:
        assert CliRunner().invoke(cli, ["user", "revoke", token_id, "--db", db]).exit_code == 0
    assert client.get("/api/cases", headers=h).status_code == 401
    r = CliRunner().invoke(cli, ["user", "disable", "bob", "--db", db])
    assert r.exit_code == 0 and auth.role("bob") is None
    assert CliRunner().invoke(cli, ["user", "remove", "nobody", "--db", db]).exit_code == 2


# -- item 18: parameters and bodies ---------------------------------------------------------------
def test_parameters_are_validated_and_capped(env):
    client, _store, auth, _policy = env
    alice = _client(env)
    assert alice.get("/?severity=99999999999999999999999").status_code == 422
    assert alice.get("/?severity=-1").status_code == 422
    h = {"Authorization": f"Bearer {auth.new_api_token('alice')}"}
    for limit in ("99999999999999999999999", "-1", "0", "100000"):
        r = client.get(f"/api/cases?limit={limit}", headers=h)
        assert r.status_code == 422 and "limit" in r.text, limit
    assert client.get("/api/cases?limit=2", headers=h).status_code == 200


def test_bodies_and_fields_are_capped(env):
    client, store, auth, _policy = env
    h = {"Authorization": f"Bearer {auth.new_api_token('alice')}"}
    big = client.post(f"/api/decisions/{SELLER}", headers=h, json={"outcome": "escalate", "rationale": "x" * 200_000})
    assert big.status_code == 413
    long = client.post(f"/api/decisions/{SELLER}", headers=h, json={"outcome": "escalate", "rationale": "x" * 20_000})
    assert long.status_code == 422
    alice = _client(env)
    form = alice.post(
        f"/decide/{SELLER}", data={"outcome": "escalate", "rationale": "x" * 20_000, "csrf": _csrf(alice, store)}
    )
    assert form.status_code == 422
    assert store.case(SELLER).state == "open"


# -- item 19: case ids and LIKE ---------------------------------------------------------------------
def test_case_ids_are_percent_encoded_in_links_forms_and_redirects(env):
    _c, store, _auth, _policy = env
    assert store.case(ODD) is not None and store.case("native:account:x") is not None
    alice = _client(env)
    queue = alice.get("/?state=")
    assert "/cases/native:account:x%3Fy" in queue.text and 'href="/cases/native:account:x?y"' not in queue.text
    page = alice.get("/cases/native:account:x%3Fy")
    assert 'action="/decide/native:account:x%3Fy"' in page.text
    r = alice.post(
        "/decide/native:account:x%3Fy",
        data={"outcome": "escalate", "rationale": "check", "csrf": _csrf(alice, store)},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == "/cases/native:account:x%3Fy"
    assert store.case(ODD).state == "escalated" and store.case("native:account:x").state == "open"


def test_hashtag_filter_escapes_like_wildcards(env):
    alice = _client(env)
    assert "account:seller" in alice.get("/?hashtag=cpsale&state=").text
    assert "account:seller" not in alice.get("/?hashtag=c_sale&state=").text
    assert "account:seller" not in alice.get("/?hashtag=%25&state=").text


# -- item 20: headers, reveal, logging --------------------------------------------------------------
def test_security_headers_and_no_inline_script(env):
    client, _store, auth, _policy = env
    alice = _client(env)
    h = {"Authorization": f"Bearer {auth.new_api_token('alice')}"}
    for r in (alice.get(f"/cases/{SELLER}"), alice.get("/"), client.get(f"/api/cases/{SELLER}", headers=h)):
        assert r.status_code == 200
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer" and r.headers["cache-control"] == "no-store"
    page = alice.get(f"/cases/{SELLER}").text
    assert "<script>" not in page and "<style>" not in page and '<script src="/static/keys.js">' in page
    assert "keydown" in client.get("/static/keys.js").text and client.get("/static/x.js").status_code == 404


def test_reveal_of_an_item_not_in_the_case_is_refused_unaudited(env):
    _c, store, _auth, _policy = env
    alice = _client(env)
    csrf = _csrf(alice, store)
    for post_id, index in (("1", 5), ("3", 0), ("999", 0)):
        r = alice.post(f"/reveal/{SELLER}", data={"post_id": post_id, "index": index, "csrf": csrf})
        assert r.status_code == 404, (post_id, index)
    assert not any(e["action"] == "reveal_media" for e in AuditLog(store).entries())
    assert alice.post(f"/reveal/{SELLER}", data={"post_id": "1", "index": 0, "csrf": csrf}).status_code == 200
    assert sum(e["action"] == "reveal_media" for e in AuditLog(store).entries()) == 1


def test_requests_are_logged_without_query_or_token(env, caplog):
    client, _store, auth, _policy = env
    token = auth.new_api_token("alice")
    with caplog.at_level(logging.INFO, logger="csewatch.web"):
        client.get("/api/cases?limit=3&category=secretcategory", headers={"Authorization": f"Bearer {token}"})
    lines = [r.getMessage() for r in caplog.records if r.name == "csewatch.web"]
    assert any(line.startswith("GET /api/cases 200 ") for line in lines), lines
    assert not any("secretcategory" in line or token in line or "limit" in line for line in lines)
