"""Enforcement actions are sent once per store, even when several reviewers enforce one case at once, on
SQLite and PostgreSQL; a failed delivery is retried by the next enforce; a crashed sender's lease expires.

The sender of an action takes it first (``store.reviews.take_action``: one conditional UPDATE setting a
lease, only while the action is undelivered and unleased or its lease has expired); only the taker sends,
then records the delivery (or the failure) and gives the lease back."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter

from csewatch.actions.sinks import DeliveryError
from csewatch.model import Action
from csewatch.pipeline import Scanner
from csewatch.policy import load_policy
from csewatch.review.decisions import LEASE_SECONDS, ReviewService
from csewatch.store import Store
from tests.reliability.test_review_concurrency import _race

THREADS = 8
SELLER = "native:account:seller"
EXPECTED = [  # what a violating decision on the seller plans
    ("remove_post", "1"),
    ("remove_post", "2"),
    ("restrict_link", "t.me/abcdef9"),
    ("suspend_account", "seller"),
]


class CountingSink:
    """Counts every action handed to it, by idempotency key; fails the first ``fail_first`` calls. ``hold_s``: how
    long each delivery takes (a remote endpoint's round trip), which widens the window a second sender could use."""

    name = "counting"

    def __init__(self, fail_first: int = 0, hold_s: float = 0.0) -> None:
        self.lock = threading.Lock()
        self.sent: Counter[str] = Counter()
        self.calls = 0
        self.fail_first = fail_first
        self.hold_s = hold_s

    def deliver(self, action: Action) -> int:
        with self.lock:
            self.calls += 1
            if self.calls <= self.fail_first:
                raise DeliveryError("endpoint answered 503")
            self.sent[action.key or ""] += 1
        if self.hold_s:
            threading.Event().wait(self.hold_s)  # the endpoint's round trip (not a synchronisation)
        return 1


def _scanned(url: str, tmp_path, sink: CountingSink) -> tuple[Store, ReviewService]:
    policy = load_policy()
    src = tmp_path / "s.jsonl"
    src.write_bytes(  # synthetic, clinical indicator text only
        b'{"type":"post","id":"1","author_id":"seller","text":"pthc vids 20$ t.me/abcdef9"}\n'
        b'{"type":"post","id":"2","author_id":"seller","text":"pthc folder dm"}\n'
    )
    store = Store(url, policy.version)
    Scanner(policy, store).scan([str(src)])
    return store, ReviewService(store, policy, [sink])


def _audited(review: ReviewService, action: str) -> Counter[str]:
    """How many audit entries of this kind name each action key."""
    out: Counter[str] = Counter()
    for e in review.audit.entries():
        if e["action"] == action:
            details = json.loads(e["details"]) if isinstance(e["details"], str) else e["details"]
            out[details["key"]] += 1
    return out


def _row(a: Action) -> dict:
    return {"key": a.key, "kind": a.kind, "platform": a.platform, "target": a.target, "case_id": a.case_id,
            "decided_by": a.decided_by, "reason": a.reason, "created_at": 1.0, "delivered_at": None, "attempts": 0}


def test_reviewers_enforcing_one_case_at_once_send_each_action_once(db_url, tmp_path):
    sink = CountingSink(hold_s=0.02)
    store, review = _scanned(db_url, tmp_path, sink)
    planned = review.plan_actions(SELLER, "x")
    assert sorted((a.kind, a.target) for a in planned) == EXPECTED
    keys = {a.key for a in planned}
    results: list[list[Action]] = [[] for _ in range(THREADS)]

    def work(i: int) -> None:
        results[i] = review.enforce(SELLER, f"rev{i}")

    assert _race(work) == [None] * THREADS
    assert dict(sink.sent) == {k: 1 for k in keys}  # each action sent exactly once
    delivered = Counter(a.key for r in results for a in r)
    assert dict(delivered) == {k: 1 for k in keys}  # each reported delivered by exactly one enforce
    assert dict(_audited(review, "action")) == {k: 1 for k in keys} and not _audited(review, "action_failed")
    assert review.pending_actions() == 0
    for k in keys:
        state = store.reviews.action_state(k)
        assert state["delivered_at"] is not None and state["attempts"] == 1
        assert state["lease_until"] is None and state["leased_by"] is None
    res = review.audit.verify()
    assert res.ok, res
    assert review.enforce(SELLER, "late") == [] and sum(sink.sent.values()) == len(keys)  # nothing sent again
    store.close()


def test_a_failed_delivery_is_retried_by_the_next_enforce(db_url, tmp_path):
    sink = CountingSink(fail_first=1)
    store, review = _scanned(db_url, tmp_path, sink)
    first = review.enforce(SELLER, "alice")
    assert len(first) == 3 and review.pending_actions() == 1
    failed = _audited(review, "action_failed")
    assert len(failed) == 1
    (key,) = failed
    state = store.reviews.action_state(key)
    assert state["delivered_at"] is None and state["lease_until"] is None  # the lease was given back
    second = review.enforce(SELLER, "bob")
    assert [a.key for a in second] == [key] and review.pending_actions() == 0
    assert dict(sink.sent) == {a.key: 1 for a in first + second}
    assert _audited(review, "action")[key] == 1
    assert review.enforce(SELLER, "carol") == []
    res = review.audit.verify()
    assert res.ok, res
    store.close()


def test_an_expired_lease_is_taken_over_and_a_live_one_is_not(db_url, tmp_path):
    sink = CountingSink()
    store, review = _scanned(db_url, tmp_path, sink)
    crashed, live, *rest = sorted(review.plan_actions(SELLER, "x"), key=lambda a: (a.kind, a.target))
    now = time.time()
    # a sender that took an action long ago and crashed before recording anything; one sending right now
    assert store.reviews.take_action(_row(crashed), "crashed-sender", now - 2 * LEASE_SECONDS, LEASE_SECONDS)
    assert store.reviews.take_action(_row(live), "busy-sender", now, LEASE_SECONDS)
    assert not store.reviews.take_action(_row(live), "another", now, LEASE_SECONDS)  # held: not taken twice
    done = review.enforce(SELLER, "alice")
    assert sorted(a.key for a in done) == sorted(a.key for a in [crashed, *rest])  # the expired one retried
    assert live.key not in sink.sent and review.pending_actions() == 1  # the live one left to its sender
    assert store.reviews.action_state(live.key)["leased_by"] == "busy-sender"
    assert store.reviews.action_state(crashed.key)["leased_by"] is None
    # the live sender finishes: its delivery is recorded and its lease given back
    store.reviews.record_delivery(live.key, "busy-sender", 1, time.time())
    assert review.pending_actions() == 0 and store.reviews.action_state(live.key)["lease_until"] is None
    assert review.enforce(SELLER, "bob") == []
    store.close()
