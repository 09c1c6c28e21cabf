"""The review web app through its HTTP interface: authentication, CSRF, rate limiting, the queue,
the case page, audited media reveal, decisions, dashboard, and the token API."""

import json

import pytest
from fastapi.testclient import TestClient

from csewatch.actions.sinks import JsonlSink
from csewatch.pipeline import Scanner
from csewatch.policy import load_policy
from csewatch.review.audit import AuditLog
from csewatch.store import Store
from csewatch.web.app import create_app, highlight
from csewatch.web.auth import Auth

PASSWORD = "correct horse battery staple"


@pytest.fixture()
def env(tmp_path):
    policy = load_policy()
    src = tmp_path / "s.jsonl"
    src.write_text(
        '{"type":"post","id":"1","author_id":"seller","text":"selling c*p vids 20$ dm",'
        '"media":[{"id":"m1","sha256":"' + "d" * 64 + '"}]}\n'
        '{"type":"post","id":"2","author_id":"other","text":"nice day"}\n'
    )
    store = Store(str(tmp_path / "w.db"), policy.version)
    Scanner(policy, store).scan([str(src)])
    Auth(store).add_user("alice", PASSWORD, "reviewer")
    sink = tmp_path / "actions.jsonl"
    app = create_app(store, policy, [JsonlSink(sink)])
    return TestClient(app), store, sink


def _login(client: TestClient, name="alice", password=PASSWORD):
    return client.post("/login", data={"name": name, "password": password}, follow_redirects=False)


def _csrf(client: TestClient, store: Store) -> str:
    token = client.cookies.get("csewatch_session")
    return Auth(store).session(token)[2]


def test_nothing_is_reachable_anonymously(env):
    client, _store, _sink = env
    for path in ("/", "/dashboard", "/cases/native:account:seller"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == "/login", path
    for path in ("/decide/native:account:seller", "/reveal/native:account:seller", "/claim/x", "/logout"):
        assert client.post(path, follow_redirects=False).status_code in (303, 422), path
    assert client.get("/api/cases").status_code == 401
    assert client.get("/api/openapi.json").status_code == 401
    assert client.get("/docs").status_code == 404 and client.get("/openapi.json").status_code == 404
    assert client.get("/login").status_code == 200


def test_login_cookie_and_rate_limit(env):
    client, _store, _sink = env
    for _ in range(5):
        assert _login(client, password="wrong password!!").status_code == 401
    assert _login(client).status_code == 429  # locked out even with the right password
    fresh = TestClient(client.app)
    r = fresh.post(
        "/login",
        data={"name": "alice", "password": PASSWORD},
        follow_redirects=False,
        headers={"X-Forwarded-For": "ignored"},
    )
    assert r.status_code in (303, 429)


def test_review_flow_with_csrf_reveal_audit_and_actions(env):
    client, store, sink = env
    r = _login(client)
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    queue = client.get("/")
    assert queue.status_code == 200 and "/cases/native:account:seller" in queue.text and "account:seller" in queue.text
    page = client.get("/cases/native:account:seller")
    assert page.status_code == 200 and '">c*p</mark>' in page.text
    assert 'class="media"' in page.text and "revealed" not in page.text.split('class="media')[1][:20]
    assert client.post("/reveal/native:account:seller", data={"post_id": "1", "index": 0}).status_code == 403
    csrf = _csrf(client, store)
    shown = client.post("/reveal/native:account:seller", data={"post_id": "1", "index": 0, "csrf": csrf})
    assert shown.status_code == 200 and "media revealed" in shown.text
    bad = client.post("/decide/native:account:seller", data={"outcome": "violating", "rationale": "x"})
    assert bad.status_code == 403
    missing = client.post(
        "/decide/native:account:seller", data={"outcome": "violating", "rationale": " ", "csrf": csrf}
    )
    assert "needs a rationale" in missing.text
    done = client.post(
        "/decide/native:account:seller",
        data={"outcome": "violating", "rationale": "advert with price", "csrf": csrf},
        follow_redirects=False,
    )
    assert done.status_code == 303 and store.case("native:account:seller").state == "actioned"
    kinds = sorted(json.loads(line)["kind"] for line in sink.read_text().splitlines())
    assert kinds == ["remove_post", "suspend_account"]
    log = AuditLog(store)
    actions = [e["action"] for e in log.entries()]
    assert "reveal_media" in actions and "decide" in actions and "view_case" in actions and log.verify().ok
    dash = client.get("/dashboard")
    assert dash.status_code == 200 and "<svg" in dash.text and "advert.ambiguous_term" in dash.text


def test_api_with_tokens(env):
    client, store, _sink = env
    token = Auth(store).new_api_token("alice")
    h = {"Authorization": f"Bearer {token}"}
    cases = client.get("/api/cases", headers=h).json()
    assert cases[0]["id"] == "native:account:seller"
    detail = client.get("/api/cases/native:account:seller", headers=h).json()
    assert detail["posts"][0]["signals"]
    r = client.post(
        "/api/decisions/native:account:seller",
        headers=h,
        json={"outcome": "not_violating", "rationale": "quoting a report"},
    )
    assert r.status_code == 200 and r.json()["state"] == "dismissed"
    assert (
        client.post(
            "/api/decisions/native:account:seller", headers=h, json={"outcome": "maybe", "rationale": "x"}
        ).status_code
        == 422
    )
    assert "paths" in client.get("/api/openapi.json", headers=h).json()
    assert client.post("/api/claims/native:account:seller", headers=h).json()["claimed_by"] == "alice"
    assert any(r["rule"] == "detector:lexicon" for r in client.get("/api/precision", headers=h).json())
    media = client.post("/api/reveal/native:account:seller", headers=h, json={"post_id": "1", "index": 0})
    assert media.json()["id"] == "m1"
    assert any(e["action"] == "reveal_media" for e in AuditLog(store).entries())
    assert (
        client.post(
            "/api/bulk-decisions/native:account:seller", headers=h, json={"outcome": "violating", "rationale": "x"}
        ).status_code
        == 403
    )  # reviewers cannot
    assert client.post("/api/policy", headers=h, json={"hashtag": "x", "state": "watch"}).status_code == 403
    assert client.get("/api/cases", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_highlight_escapes_and_marks():
    assert highlight("<b>cp</b> x", [(3, 5, "r")]) == '&lt;b&gt;<mark title="r">cp</mark>&lt;/b&gt; x'


def test_queue_filters(env):
    client, _store, _sink = env
    _login(client)
    assert "account:seller" in client.get("/?severity=5&detector=lexicon").text
    assert "account:seller" not in client.get("/?detector=graph.evasion").text
    assert "account:seller" not in client.get("/?hashtag=nosuchtag").text


def test_leads_edit_the_pack_reviewers_cannot(tmp_path, env):
    import shutil

    from csewatch.policy import DEFAULT_DIR

    _client, store, _sink = env
    pack = tmp_path / "pack"
    shutil.copytree(DEFAULT_DIR, pack)
    Auth(store).add_user("lena", PASSWORD, "lead")
    policy = load_policy(pack)
    app = create_app(store, policy, policy_dir=pack)
    reviewer, lead = TestClient(app), TestClient(app)
    _login(reviewer)
    assert reviewer.get("/policy").status_code == 403
    _login(lead, "lena")
    csrf = _csrf(lead, store)
    r = lead.post("/policy/term", data={"indicator": "abuse_material", "term": "zqxcode", "csrf": csrf})
    assert r.status_code == 200 and "pack is now version 2026.11.2" in r.text
    r = lead.post("/policy/hashtag", data={"tag": "cpsale", "state": "watch", "csrf": csrf})
    assert "version 2026.11.3" in r.text
    edited = load_policy(pack)
    assert "zqxcode" in edited.terms.indicators["abuse_material"] and "cpsale" in edited.hashtags.watch
    assert "cpsale" not in edited.hashtags.blocked
    bad = lead.post("/policy/term", data={"indicator": "nonsense", "term": "x", "csrf": csrf})
    assert "unknown indicator" in bad.text and load_policy(pack).pack.version == "2026.11.3"
    assert any(e["action"] == "policy_edit" for e in AuditLog(store).entries())


def test_claims_keep_two_reviewers_apart(env):
    client, store, _sink = env
    Auth(store).add_user("bob", PASSWORD, "reviewer")
    _login(client)
    assert (
        client.post(
            "/claim/native:account:seller", data={"csrf": _csrf(client, store)}, follow_redirects=False
        ).status_code
        == 303
    )
    bob = TestClient(client.app)
    _login(bob, "bob")
    r = bob.post("/claim/native:account:seller", data={"csrf": _csrf(bob, store)}, follow_redirects=False)
    assert r.status_code == 409 and "claimed by alice" in r.text
