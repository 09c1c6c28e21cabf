"""The console's data through the store's areas, on SQLite and PostgreSQL: users, sessions and API
tokens (``store.users``: digests and hashes only; ending access with a password change, a disable, a
removal), the console's reads (``store.console``: plain values, not rows), and the rule that no module
of ``csewatch.web`` imports the schema or SQLAlchemy."""

from __future__ import annotations

import ast
import time
from pathlib import Path

import pytest

import csewatch.web
from csewatch.pipeline import Scanner
from csewatch.policy import load_policy
from csewatch.review.decisions import ReviewService
from csewatch.store import Store
from csewatch.web.auth import Auth, _digest

PASSWORD = "correct horse battery staple"
WEB = Path(csewatch.web.__file__).parent


def test_users_area_keeps_digests_and_ends_access(db_url):
    store = Store(db_url)
    auth = Auth(store)
    auth.add_user("alice", PASSWORD, "lead")
    token, csrf = auth.login("alice", PASSWORD, "10.0.0.1")
    assert store.users.session(_digest(token), time.time()) == ("alice", "lead", csrf)
    assert store.users.session(token, time.time()) is None  # only the digest finds it
    assert store.users.session(_digest(token), time.time() + 9 * 3600) is None  # expired by then
    api = auth.new_api_token("alice")
    listed = store.users.tokens("alice")
    assert [(i, u) for i, u, _c, _e in listed] == [(_digest(api)[:12], "alice")]
    assert store.users.token_user(_digest(api))[:2] == ("alice", "lead")

    auth.set_password("alice", "another long password")  # ends the session and the token
    assert auth.session(token) is None and auth.api_user(api) is None and store.users.tokens() == []
    assert auth.login("alice", PASSWORD, "10.0.0.2") is None
    assert auth.login("alice", "another long password", "10.0.0.2") is not None

    api = auth.new_api_token("alice")
    auth.disable("alice")
    assert auth.role("alice") is None and store.users.token_user(_digest(api)) is None
    assert store.users.credentials("alice")[1] is not None
    auth.disable("alice", False)
    assert auth.role("alice") == "lead" and auth.api_user(api) is None  # old tokens stay ended

    auth.add_user("bob", PASSWORD)  # re-adding a name ends what it had
    bob = auth.new_api_token("bob")
    auth.add_user("bob", PASSWORD, "reviewer")
    assert auth.api_user(bob) is None

    a, b = auth.new_api_token("alice"), auth.new_api_token("bob")
    assert auth.revoke_token(_digest(a)[:10].upper()) == 1
    assert auth.api_user(a) is None and auth.api_user(b) == ("bob", "reviewer")
    auth.remove("bob")
    assert store.users.credentials("bob") is None and store.users.tokens("bob") == []
    for op, args in (("remove", ()), ("disable", ()), ("set_password", (PASSWORD,))):
        with pytest.raises(KeyError, match="no user 'nobody'"):
            getattr(auth, op)("nobody", *args)


def test_console_reads_are_plain_values(db_url, tmp_path):
    policy = load_policy()
    src = tmp_path / "s.jsonl"
    at = int(time.time()) - 7200
    src.write_text(
        f'{{"type":"post","id":"1","author_id":"seller","text":"selling c*p vids 20$ dm",'
        f'"hashtags":["CPsale"],"created_at":{at}}}\n'
        f'{{"type":"post","id":"2","author_id":"other","text":"nice day","created_at":{at}}}\n'
    )
    store = Store(db_url, policy.version)
    Scanner(policy, store).scan([str(src)])
    case_id = store.top_cases(10)[0].id
    assert store.console.case_decisions(case_id) == []
    review = ReviewService(store, policy)
    review.decide(case_id, "alice", "escalate", "needs a second look")
    review.decide(case_id, "bob", "violating", "advert")
    history = store.console.case_decisions(case_id)
    assert [type(d) for d in history] == [dict, dict]
    assert [(d["reviewer"], d["outcome"]) for d in history] == [("alice", "escalate"), ("bob", "violating")]

    cats = store.console.categories()
    assert cats == sorted(cats) and store.top_cases(10)[0].category in cats

    figures = store.console.dashboard_figures()
    assert figures["detections"] and all(
        isinstance(d, str) and (day is None or isinstance(day, int)) and n > 0
        for (d, day), n in figures["detections"].items()
    )
    assert len(figures["latencies"]) == 1 and figures["latencies"][0] >= 0  # one case decided
    assert figures["hashtags"] == {"cpsale": 1}  # lower-cased


def test_no_web_module_touches_tables():
    offenders = []
    for path in sorted(WEB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mod = node.module or ""
                names = [mod] + [f"{mod}.{a.name}" for a in node.names]
            bad = [n for n in names if n == "sqlalchemy" or n.startswith("sqlalchemy.") or n == "csewatch.store.schema"]
            offenders += [f"{path.relative_to(WEB)}: {n}" for n in bad]
    assert offenders == []
