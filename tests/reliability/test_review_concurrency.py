"""Reviewers racing on one case: decisions and claims are serialised per case (store.reviews.lock_case), on
SQLite and PostgreSQL.

The rule the decision tests assert is the sequential one: replaying the case's stored decisions in seq
order through the feedback logic gives exactly the stored rule feedback. So the same final outcome decided
N times is counted once (one decision, violating once or never); a different final outcome later is a
reversal (the decision count stays, the violating count follows the latest final outcome); escalate and
need_context count nothing. Each decision's audit entry is in the same order as the decisions, the case's
state is the one the last decision set, and the audit chain verifies. The claim test: N reviewers claiming
one unclaimed case at once -> exactly one holds it, every other is refused with the existing error."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable

import pytest

from csewatch.pipeline import Scanner
from csewatch.policy import load_policy
from csewatch.review.decisions import FINAL, STATE_AFTER, ReviewService
from csewatch.store import Store

THREADS = 8
SELLER, OTHER = "native:account:seller", "native:account:other"


def _scanned(url: str, tmp_path) -> tuple[Store, ReviewService]:
    policy = load_policy()
    src = tmp_path / "s.jsonl"
    src.write_bytes(  # synthetic, clinical indicator text only
        b'{"type":"post","id":"1","author_id":"seller","text":"pthc vids 20$ t.me/abcdef9"}\n'
        b'{"type":"post","id":"2","author_id":"seller","text":"pthc folder dm"}\n'
        b'{"type":"post","id":"3","author_id":"other","text":"cp vids trade dm 10$"}\n'
    )
    store = Store(url, policy.version)
    Scanner(policy, store).scan([str(src)])
    return store, ReviewService(store, policy)  # no sinks: delivery is not what is raced here


def _many_sellers(url: str, tmp_path) -> tuple[Store, ReviewService, list[str]]:
    """A store with one synthetic seller account case per thread; the service and the case ids."""
    policy = load_policy()
    src = tmp_path / "many.jsonl"
    src.write_bytes(  # clinical indicator text only
        b"".join(
            b'{"type":"post","id":"%d","author_id":"seller%d","text":"pthc vids 20$ dm"}\n' % (i, i)
            for i in range(THREADS)
        )
    )
    store = Store(url, policy.version)
    Scanner(policy, store).scan([str(src)])
    return store, ReviewService(store, policy), [f"native:account:seller{i}" for i in range(THREADS)]


def _race(work: Callable[[int], None], threads: int = THREADS) -> list[BaseException | None]:
    """Run ``work(i)`` in ``threads`` threads released together; what each raised (None: returned)."""
    barrier = threading.Barrier(threads)
    out: list[BaseException | None] = [None] * threads

    def run(i: int) -> None:
        barrier.wait()
        try:
            work(i)
        except BaseException as exc:  # noqa: BLE001 - returned to the test, which asserts on it
            out[i] = exc

    ts = [threading.Thread(target=run, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def _replayed_feedback(outcomes: list[str], rules: set[str], before: dict[str, tuple[int, int]]) -> dict:
    """The rule feedback the sequential code gives for these outcomes, decided one after another."""
    counts = dict(before)
    previous: str | None = None
    for outcome in outcomes:
        if outcome in FINAL and outcome != previous:
            for rule in rules:
                decisions, violating = counts.get(rule, (0, 0))
                if previous is None:
                    decisions += 1
                elif previous == "violating":
                    violating -= 1
                counts[rule] = (decisions, violating + (outcome == "violating"))
        if outcome in FINAL:
            previous = outcome
    return counts


def _check_decisions(store: Store, review: ReviewService, case_id: str, n: int, before: dict) -> list[str]:
    """The sequential invariants after ``n`` concurrent decisions on the case; the outcomes in seq order."""
    stored = store.console.case_decisions(case_id)
    assert len(stored) == n
    seqs = [d["seq"] for d in stored]
    assert seqs == sorted(set(seqs))  # n distinct seqs
    outcomes = [d["outcome"] for d in stored]
    rules = store.reviews.case_rules(case_id)
    assert "detector:lexicon" in rules
    expected = _replayed_feedback(outcomes, rules, before)
    assert {r: store.reviews.rule_counts(r) for r in rules} == {r: expected[r] for r in rules}
    # the audit entries of the decisions follow the decisions' order (one transaction, one lock)
    audited = [e for e in review.audit.entries() if e["action"] == "decide" and e["subject"] == case_id]
    details = [json.loads(e["details"]) if isinstance(e["details"], str) else e["details"] for e in audited]
    assert [x["rationale"] for x in details] == [d["rationale"] for d in stored]
    assert store.case(case_id).state == STATE_AFTER[outcomes[-1]]
    res = review.audit.verify()
    assert res.ok, res
    return outcomes


def test_the_same_outcome_decided_at_once_is_counted_once(db_url, tmp_path):
    store, review = _scanned(db_url, tmp_path)
    before = {r: store.reviews.rule_counts(r) for r in store.reviews.case_rules(SELLER)}
    assert before["detector:lexicon"] == (0, 0)

    errors = _race(lambda i: review.decide(SELLER, f"reviewer{i}", "violating", f"advert check {i}", "advert"))
    assert errors == [None] * THREADS
    assert _check_decisions(store, review, SELLER, THREADS, before) == ["violating"] * THREADS
    assert store.reviews.rule_counts("detector:lexicon") == (1, 1)  # one case, one decision, violating once

    # a later reversal, also raced: counted as a reversal once, never as a new decision
    errors = _race(lambda i: review.decide(SELLER, f"reviewer{i}", "not_violating", f"second look {i}"))
    assert errors == [None] * THREADS
    _check_decisions(store, review, SELLER, 2 * THREADS, before)
    assert store.reviews.rule_counts("detector:lexicon") == (1, 0)


def test_mixed_outcomes_at_once_give_the_sequential_feedback(db_url, tmp_path):
    store, review = _scanned(db_url, tmp_path)
    before = {r: store.reviews.rule_counts(r) for r in store.reviews.case_rules(OTHER)}
    cycle = ("violating", "not_violating", "escalate", "need_context")

    errors = _race(lambda i: review.decide(OTHER, f"reviewer{i}", cycle[i % 4], f"check {i}"))
    assert errors == [None] * THREADS
    outcomes = _check_decisions(store, review, OTHER, THREADS, before)
    last_final = [o for o in outcomes if o in FINAL][-1]
    assert store.reviews.rule_counts("detector:lexicon") == (1, int(last_final == "violating"))


def test_different_cases_at_once_each_count_in_a_shared_rule(db_url, tmp_path):
    """Reviewers deciding different cases at once: each case's decision counts in the rules they share
    (no lost update of a rule's counts between two cases' transactions)."""
    store, review, cases = _many_sellers(db_url, tmp_path)
    assert all("detector:lexicon" in store.reviews.case_rules(c) for c in cases)
    shared = set.intersection(*(store.reviews.case_rules(c) for c in cases))
    before = {r: store.reviews.rule_counts(r) for r in shared}

    errors = _race(lambda i: review.decide(cases[i], f"reviewer{i}", "violating", f"advert check {i}"))
    assert errors == [None] * THREADS
    assert {r: store.reviews.rule_counts(r) for r in shared} == {
        r: (d + THREADS, v + THREADS) for r, (d, v) in before.items()
    }
    res = review.audit.verify()
    assert res.ok, res


def test_one_claim_wins_the_others_are_refused(db_url, tmp_path):
    """Every case raced in turn by all threads (a race the old code lost only sometimes on a given case)."""
    store, review, cases = _many_sellers(db_url, tmp_path)
    for case_id in cases:
        errors = _race(lambda i, c=case_id: review.claim(c, f"reviewer{i}"))
        winners = [i for i, e in enumerate(errors) if e is None]
        assert len(winners) == 1, (case_id, errors)
        holder = f"reviewer{winners[0]}"
        refused = [e for e in errors if e is not None]
        assert all(type(e) is PermissionError and str(e) == f"claimed by {holder}" for e in refused), refused
        assert review.claims()[case_id] == holder
        claims = [e for e in review.audit.entries() if e["action"] == "claim" and e["subject"] == case_id]
        assert [e["actor"] for e in claims] == [holder]
        # the holder decides; the others are still refused
        review.decide(case_id, holder, "violating", "advert check")
        loser = next(f"reviewer{i}" for i in range(THREADS) if f"reviewer{i}" != holder)
        with pytest.raises(PermissionError, match=f"claimed by {holder}"):
            review.decide(case_id, loser, "not_violating", "second look")
    assert len(review.claims()) == len(cases)
    res = review.audit.verify()
    assert res.ok, res
