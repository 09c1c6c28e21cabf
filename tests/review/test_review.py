"""Audit chain, decisions, feedback to precision, idempotent enforcement, signed webhook delivery."""

import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from csewatch.actions.sinks import DeliveryError, JsonlSink, WebhookSink
from csewatch.model import Action, Decision
from csewatch.pipeline import Scanner
from csewatch.policy import load_policy
from csewatch.review.audit import AuditLog
from csewatch.review.decisions import ReviewService
from csewatch.store import Store
from csewatch.store import schema as S

# dropping an append-only guard, as someone with write access to the database can: SQLite has one trigger
# per statement; PostgreSQL one row trigger for UPDATE and DELETE (dropping it for the edit lifts both)
_DROP_GUARD = {
    "sqlite": {"update": "DROP TRIGGER audit_no_update", "delete": "DROP TRIGGER audit_no_delete"},
    "postgresql": {
        "update": "DROP TRIGGER audit_no_modify ON audit_log",
        "delete": "DROP TRIGGER IF EXISTS audit_no_modify ON audit_log",
    },
}


def test_audit_chain_detects_edits_and_deletions(tmp_path):
    db = str(tmp_path / "a.db")
    log = AuditLog(Store(db))
    for i in range(4):
        log.append("alice", "view_media", f"case:{i}", {"n": i})
    assert log.verify().ok and log.verify().entries == 4
    with pytest.raises(DatabaseError, match="append-only"):
        with log.store.engine.begin() as conn:
            conn.execute(S.audit_log.update().values(actor="mallory"))
    with pytest.raises(DatabaseError, match="append-only"):
        with log.store.engine.begin() as conn:
            conn.execute(S.audit_log.delete().where(S.audit_log.c.seq == 3))
    drop = _DROP_GUARD[log.store.engine.dialect.name]
    with log.store.engine.begin() as raw:
        raw.exec_driver_sql(drop["update"])
        raw.execute(text("UPDATE audit_log SET details = :d WHERE seq = 2"), {"d": '{"n":99}'})
    bad = log.verify()
    assert not bad.ok and bad.first_bad == 2 and "edited" in bad.reason
    with log.store.engine.begin() as raw:
        raw.execute(text("UPDATE audit_log SET details = :d WHERE seq = 2"), {"d": '{"n":1}'})
        raw.exec_driver_sql(drop["delete"])
        raw.execute(text("DELETE FROM audit_log WHERE seq = 3"))
    bad = log.verify()
    assert not bad.ok and bad.first_bad == 4 and "deleted or reordered" in bad.reason


def _scanned(tmp_path, policy):
    src = tmp_path / "s.jsonl"
    src.write_bytes(
        b'{"type":"post","id":"1","author_id":"seller","text":"pthc vids 20$ t.me/abcdef9"}\n'
        b'{"type":"post","id":"2","author_id":"seller","text":"pthc folder dm"}\n'
        b'{"type":"post","id":"3","author_id":"other","text":"cp vids trade dm 10$"}\n'
    )
    store = Store(str(tmp_path / "r.db"), policy.version)
    Scanner(policy, store).scan([str(src)])
    return store


def test_decision_states_audit_feedback_and_idempotent_actions(tmp_path):
    policy = load_policy()
    policy.pack.automation.min_decisions = 2
    store = _scanned(tmp_path, policy)
    sink = JsonlSink(tmp_path / "actions.jsonl")
    review = ReviewService(store, policy, [sink])
    with pytest.raises(ValueError, match="rationale"):
        review.decide("native:account:seller", "alice", "violating", "  ")
    review.decide("native:account:seller", "alice", "violating", "advert with price and invite link", "advert")
    assert store.case("native:account:seller").state == "actioned"
    sent = [orjson.loads(line) for line in (tmp_path / "actions.jsonl").read_bytes().splitlines()]
    assert sorted((a["kind"], a["target"]) for a in sent) == [
        ("remove_post", "1"),
        ("remove_post", "2"),
        ("restrict_link", "t.me/abcdef9"),
        ("suspend_account", "seller"),
    ]
    review.decide("native:account:seller", "bob", "violating", "second look, same")  # nothing new to send
    assert len((tmp_path / "actions.jsonl").read_bytes().splitlines()) == 4 and review.pending_actions() == 0
    prec = {r.rule: r for r in review.precision()}
    assert prec["advert.explicit_term"].decisions == 1 and prec["detector:lexicon"].violating == 1
    review.decide("native:account:other", "alice", "not_violating", "a quote about a report")
    prec = {r.rule: r for r in review.precision()}
    assert prec["detector:lexicon"].decisions == 2 and prec["detector:lexicon"].precision == 0.5
    assert prec["detector:lexicon"].mode == "review"
    review.decide("native:account:other", "carol", "violating", "reversed on appeal")  # counted once, flipped
    prec = {r.rule: r for r in review.precision()}
    assert (prec["detector:lexicon"].decisions, prec["detector:lexicon"].violating) == (2, 2)
    assert review.is_automatic("detector:lexicon")
    log = review.audit.entries()
    assert [e["action"] for e in log].count("decide") == 4 and review.audit.verify().ok
    assert json.loads(log[0]["details"])["outcome"] == "violating"


class _Hook(BaseHTTPRequestHandler):
    fails_left = 2
    received: list = []
    secret = b"s3cret"

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        expected = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        if self.headers["X-Csewatch-Signature"] != expected:
            self.send_response(401)
        elif _Hook.fails_left > 0:
            _Hook.fails_left -= 1
            self.send_response(503)
        else:
            _Hook.received.append((self.headers["Idempotency-Key"], json.loads(body)))
            self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_signs_retries_and_refuses():
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/hook"
    action = Action(
        kind="suspend_account", platform="native", target="a", case_id="c", decided_by="r", reason="x", key="k1"
    )
    try:
        assert WebhookSink(url, "s3cret", retries=3, backoff_s=0.01).deliver(action) == 3  # two 503s, then 200
        assert _Hook.received == [
            (
                "k1",
                json.loads(
                    json.dumps(
                        {
                            "kind": "suspend_account",
                            "platform": "native",
                            "target": "a",
                            "case_id": "c",
                            "decided_by": "r",
                            "reason": "x",
                            "key": "k1",
                        }
                    )
                ),
            )
        ]
        with pytest.raises(DeliveryError, match="HTTP 401"):
            WebhookSink(url, "wrong-secret", retries=3, backoff_s=0.01).deliver(action)
    finally:
        server.shutdown()


def test_cli_decide_precision_and_audit_verify(tmp_path):
    from typer.testing import CliRunner

    from csewatch.cli import app

    policy = load_policy()
    _scanned(tmp_path, policy)
    db = str(tmp_path / "r.db")
    runner = CliRunner()
    actions = tmp_path / "acts.jsonl"
    r = runner.invoke(
        app,
        [
            "decide",
            "native:account:seller",
            "--outcome",
            "violating",
            "--rationale",
            "advert",
            "--reviewer",
            "alice",
            "--db",
            db,
            "--actions-jsonl",
            str(actions),
        ],
    )
    assert r.exit_code == 0, r.output
    assert len(actions.read_bytes().splitlines()) == 4
    r = runner.invoke(
        app,
        [
            "decide",
            "native:account:nobody",
            "--outcome",
            "violating",
            "--rationale",
            "x",
            "--reviewer",
            "alice",
            "--db",
            db,
        ],
    )
    assert r.exit_code == 2 and "no case" in r.output
    r = runner.invoke(app, ["precision", "--db", db, "--json"])
    assert any(row["rule"] == "advert.explicit_term" and row["mode"] == "review" for row in json.loads(r.output))
    r = runner.invoke(app, ["audit", "verify", "--db", db])
    assert r.exit_code == 0 and "chain intact" in r.output


def test_bulk_decision_over_a_cluster_case(tmp_path):
    from csewatch.graph.build import build_graph
    from csewatch.graph.clusters import cofollow_clusters
    from csewatch.graph.expand import ExpansionHit
    from csewatch.graph.findings import save_clusters, save_expansion
    from csewatch.model import Account, Edge
    from csewatch.store import Batch
    from csewatch.triage import Triage

    policy = load_policy()
    store = Store(str(tmp_path / "b.db"), policy.version)
    accounts = [Account(id=f"g{i}", platform="native", status="suspended" if i == 0 else None) for i in range(5)]
    edges = [Edge("native", "follow", f"g{i}", f"hub{j}") for i in range(5) for j in range(5)]
    store.commit_batch(Batch(source="t", position=1, line=1, fmt=None, accounts=accounts, edges=edges), Triage(policy))
    g = build_graph(store, policy)
    assert save_clusters(store, Triage(policy), g, cofollow_clusters(g, num_perm=64, bands=32)) == 1
    hits = [
        ExpansionHit(f"native:g{i}", 2.0, "native:g0", [("native:g0", "seed"), (f"native:g{i}", "follow")])
        for i in (1, 2)
    ]
    save_expansion(store, Triage(policy), hits)  # two members have account cases of their own
    (cluster,) = store.top_cases(subject_type="cluster")
    decisions = ReviewService(store, policy).bulk_decide(cluster.id, "lead", "violating", "one network")
    assert [d.case_id for d in decisions] == [cluster.id, "native:account:g1", "native:account:g2"]
    assert store.case("native:account:g2").state == "actioned"
    assert decisions[1].rationale.startswith(f"bulk via {cluster.id}")


def test_rules_act_automatically_once_decisions_show_their_precision(tmp_path):
    policy = load_policy()
    policy.pack.automation.min_decisions = 1
    policy.pack.automation.min_precision = 0.9
    policy.pack.model.mode = "off"  # the rules' own gate; the model's is tested in tests/learn
    store = _scanned(tmp_path, policy)
    sink = tmp_path / "auto.jsonl"
    review = ReviewService(store, policy, [JsonlSink(sink)])
    assert review.automatic_rules() == set()
    more = tmp_path / "more.jsonl"
    more.write_bytes(b'{"type":"post","id":"9","author_id":"new1","text":"pthc pack 30$"}\n')
    Scanner(policy, store, review=review).scan([str(more)])
    assert not sink.exists()  # nothing earned automatic mode yet
    review.decide("native:account:seller", "alice", "violating", "advert")
    assert "advert.explicit_term" in review.automatic_rules()
    sink.unlink()
    more.write_bytes(
        b'{"type":"post","id":"10","author_id":"new2","text":"pthc vids 40$"}\n'
        b'{"type":"post","id":"11","author_id":"new2","text":"cp trade dm 10$"}\n'
    )
    Scanner(policy, store, review=ReviewService(store, policy, [JsonlSink(sink)])).scan([str(more)], restart=True)
    sent = [orjson.loads(line) for line in sink.read_bytes().splitlines()]
    assert [(a["kind"], a["target"], a["decided_by"]) for a in sent] == [
        ("remove_post", "10", "auto:advert.explicit_term")
    ]  # post 11's rule has no decisions: it waits
    assert store.case("native:account:new2").state == "open"  # the account is still a reviewer's call


def _scanned_at(url: str, tmp_path, policy) -> Store:
    src = tmp_path / "s.jsonl"
    src.write_bytes(
        b'{"type":"post","id":"1","author_id":"seller","text":"pthc vids 20$ t.me/abcdef9"}\n'
        b'{"type":"post","id":"2","author_id":"seller","text":"pthc folder dm"}\n'
        b'{"type":"post","id":"3","author_id":"other","text":"cp vids trade dm 10$"}\n'
    )
    store = Store(url, policy.version)
    Scanner(policy, store).scan([str(src)])
    return store


SELLER, OTHER = "native:account:seller", "native:account:other"


def test_claims_decisions_and_feedback_through_the_review_area(db_url, tmp_path):
    """The review area on each backend: claims enforced and lapsing, a decision with its case state,
    feedback and audit entry in one transaction, plain values back (no rows tied to a connection)."""
    policy = load_policy()
    store = _scanned_at(db_url, tmp_path, policy)
    sink = JsonlSink(tmp_path / "acts.jsonl")
    review = ReviewService(store, policy, [sink])
    area = store.reviews
    with store.transaction() as conn:  # lock_case says whether the case exists, as decide and claim use it
        assert area.lock_case(SELLER, conn) and not area.lock_case("native:account:nobody", conn)
    with pytest.raises(KeyError, match="no case"):
        review.claim("native:account:nobody", "alice")
    review.claim(SELLER, "alice")
    assert review.claims() == {SELLER: "alice"} and area.claim_holder(SELLER, 0.0) == "alice"
    with pytest.raises(PermissionError, match="claimed by alice"):
        review.claim(SELLER, "bob")
    with pytest.raises(PermissionError, match="claimed by alice"):
        review.decide(SELLER, "bob", "violating", "advert")
    assert area.last_outcome(SELLER, ("violating", "not_violating")) is None
    assert ReviewService(store, policy, claim_seconds=0).claims() == {}  # a lapsed claim holds nothing
    ReviewService(store, policy, [sink], claim_seconds=0).decide(SELLER, "bob", "violating", "advert")
    assert store.case(SELLER).state == "actioned"
    assert area.last_outcome(SELLER, ("violating", "not_violating")) == "violating"
    rules = area.case_rules(SELLER)
    assert "detector:lexicon" in rules and "advert.explicit_term" in rules
    assert area.rule_counts("detector:lexicon") == (1, 1) and area.rule_counts("no.such.rule") == (0, 0)
    feedback = area.rule_feedback()
    assert feedback == sorted(feedback) and all(type(d) is int and type(v) is int for _r, d, v in feedback)
    posts, links = area.enforcement_targets(SELLER, "native")
    assert sorted(posts) == ["1", "2"] and links == ["t.me/abcdef9"]
    assert area.pending_actions() == 0 and len((tmp_path / "acts.jsonl").read_bytes().splitlines()) == 4

    # a caller's transaction that fails takes the decision, the case state, the feedback and the audit entry
    entries = len(store.audit.entries())
    with pytest.raises(RuntimeError):
        with store.transaction() as conn:
            undone = Decision(case_id=OTHER, reviewer="carol", decided_at=1.0, outcome="not_violating", rationale="x")
            area.record_decision(undone, "dismissed", conn)
            area.add_rule_feedback("detector:lexicon", 99, 0, conn)
            review.audit.append("carol", "decide", OTHER, {"outcome": "not_violating"}, conn)
            raise RuntimeError("the caller's transaction fails")
    assert store.case(OTHER).state == "open" and area.last_outcome(OTHER, ("not_violating",)) is None
    assert area.rule_counts("detector:lexicon") == (1, 1) and len(store.audit.entries()) == entries
    assert review.audit.verify().ok
