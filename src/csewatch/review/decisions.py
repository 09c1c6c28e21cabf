"""Reviewers' decisions on cases, and what follows from them.

A decision (violating, not violating, escalate, need more context) needs a rationale; it is stored
append-only, moves the case to its new state, is audited, and, when it is final (violating or not),
feeds the measured precision of every triage rule and detector that fired on the case. A violating
decision plans enforcement actions (remove the flagged posts, suspend the account, block the
hashtag, restrict the off-platform links) and hands them to the action sinks, idempotently.
A rule acts without review only while its measured precision over enough decisions reaches the
policy pack's threshold; it falls back to review when it drops.

The rows (claims, decisions, case states, rule feedback, action bookkeeping) are read and written through
the store's review area (``store.reviews``, store/reviews.py); this module holds the decision logic.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from csewatch.actions.sinks import ActionSink, DeliveryError
from csewatch.keys import case_id as make_case_id
from csewatch.keys import parse_case_id
from csewatch.model import Action, Decision
from csewatch.policy import Policy
from csewatch.review.audit import AuditLog
from csewatch.store import Store

if TYPE_CHECKING:  # the store's transaction handle, passed through (never used for SQL here)
    from csewatch.store import Connection

STATE_AFTER = {
    "violating": "actioned",
    "not_violating": "dismissed",
    "escalate": "escalated",
    "need_context": "in_review",
}
FINAL = ("violating", "not_violating")
# how long a sender holds an action it took: a sender that crashed before recording the delivery leaves a lease
# that lapses after this, and the next enforce retries the action (sinks dedupe on its idempotency key)
LEASE_SECONDS = 300.0


@dataclass
class RulePrecision:
    rule: str
    decisions: int
    violating: int
    mode: str  # automatic | review

    @property
    def precision(self) -> float:
        return self.violating / self.decisions if self.decisions else 0.0


def action_key(kind: str, platform: str, target: str) -> str:
    return hashlib.sha256(f"{kind}|{platform}|{target}".encode()).hexdigest()[:32]


class ReviewService:
    def __init__(
        self, store: Store, policy: Policy, sinks: list[ActionSink] | None = None, claim_seconds: float = 1800
    ):
        self.store = store
        self.policy = policy
        self.sinks = sinks or []
        self.audit = AuditLog(store)
        self.claim_seconds = claim_seconds  # a claim older than this has lapsed: anyone may take the case
        self.lease_seconds = LEASE_SECONDS  # an action's sender holds it this long (see _deliver)

    # -- claims and decisions -------------------------------------------------------------------
    def claim(self, case_id: str, user: str) -> None:
        """Take a case so two reviewers do not work the same one; PermissionError names the holder."""
        with self.store.transaction() as conn:
            if not self.store.reviews.lock_case(case_id, conn):  # one claim or decision on the case at a time
                raise KeyError(f"no case {case_id!r}")
            holder = self._holder(conn, case_id)
            if holder and holder != user:
                raise PermissionError(f"claimed by {holder}")
            self.store.reviews.put_claim(case_id, user, time.time(), conn)
            self.audit.append(user, "claim", case_id, conn=conn)

    def _holder(self, conn: Connection, case_id: str) -> str | None:
        """Who holds a live (unexpired) claim on the case."""
        return self.store.reviews.claim_holder(case_id, time.time() - self.claim_seconds, conn)

    def claims(self) -> dict[str, str]:
        """Live claims: case id -> holder."""
        return self.store.reviews.live_claims(time.time() - self.claim_seconds)

    def decide(
        self, case_id: str, reviewer: str, outcome: str, rationale: str, policy_category: str | None = None
    ) -> Decision:
        if outcome not in STATE_AFTER:
            raise ValueError(f"outcome must be one of {', '.join(STATE_AFTER)}, got {outcome!r}")
        if not rationale or not rationale.strip():
            raise ValueError("a decision needs a rationale")
        if not reviewer:
            raise ValueError("a decision needs a reviewer")
        d = Decision(
            case_id=case_id,
            reviewer=reviewer,
            decided_at=time.time(),
            outcome=outcome,
            rationale=rationale.strip(),
            policy_category=policy_category,
        )
        with self.store.transaction() as conn:
            if not self.store.reviews.lock_case(case_id, conn):  # one claim or decision on the case at a time
                raise KeyError(f"no case {case_id!r}")
            holder = self._holder(conn, case_id)
            if holder and holder != reviewer:  # one claim path: web, API and CLI all refuse here
                raise PermissionError(f"claimed by {holder}")
            previous = self.store.reviews.last_outcome(case_id, FINAL, conn)
            self.store.reviews.record_decision(d, STATE_AFTER[outcome], conn)
            if outcome in FINAL and outcome != previous:
                self._feedback(conn, case_id, outcome, previous)
            self.audit.append(
                reviewer,
                "decide",
                case_id,
                {"outcome": outcome, "rationale": d.rationale, "policy_category": policy_category},
                conn,
            )
        if outcome == "violating":
            self.enforce(case_id, reviewer)
        return d

    def bulk_decide(
        self, cluster_case_id: str, reviewer: str, outcome: str, rationale: str, policy_category: str | None = None
    ) -> list[Decision]:
        """Decide a cluster case and the account cases of all its members in one go."""
        out = [self.decide(cluster_case_id, reviewer, outcome, rationale, policy_category)]
        for member_case in self.store.reviews.cluster_member_cases(cluster_case_id):
            out.append(
                self.decide(member_case, reviewer, outcome, f"bulk via {cluster_case_id}: {rationale}", policy_category)
            )
        return out

    # -- feedback -------------------------------------------------------------------------------
    def _feedback(self, conn: Connection, case_id: str, outcome: str, previous: str | None) -> None:
        """Count a final decision (or a reversed one) for every rule and detector that fired on the case."""
        decisions = 1 if previous is None else 0  # a reversed decision is not a new one
        violating = (outcome == "violating") - (previous == "violating")  # a reversal undoes what it counted
        for rule in sorted(self.store.reviews.case_rules(case_id, conn)):  # one order: no lock-order deadlock
            self.store.reviews.add_rule_feedback(rule, decisions, violating, conn)

    def precision(self) -> list[RulePrecision]:
        auto = self.policy.pack.automation
        out = []
        for rule, decisions, violating in self.store.reviews.rule_feedback():
            p = violating / decisions if decisions else 0.0
            mode = "automatic" if decisions >= auto.min_decisions and p >= auto.min_precision else "review"
            out.append(RulePrecision(rule, decisions, violating, mode))
        return out

    def is_automatic(self, rule: str) -> bool:
        return any(r.rule == rule and r.mode == "automatic" for r in self.precision())

    def automatic_rules(self) -> set[str]:
        return {r.rule for r in self.precision() if r.mode == "automatic"}

    def auto_act(self, verdicts: list, rules: set[str]) -> list[Action]:
        """For verdicts whose best rule runs automatically: remove the post at once (idempotent,
        audited as the rule's doing); the case stays open for a reviewer to confirm the rest."""
        done = []
        for v in verdicts:
            rule = v.rules[0] if v.rules else None
            if rule not in rules:
                continue
            case_id = make_case_id(v.platform, "post", v.post_id)
            action = Action(
                kind="remove_post",
                platform=v.platform,
                target=v.post_id,
                case_id=case_id,
                decided_by=f"auto:{rule}",
                reason=f"rule {rule} runs automatically",
                key=action_key("remove_post", v.platform, v.post_id),
            )
            if self._deliver(action, f"auto:{rule}"):
                done.append(action)
        return done

    # -- enforcement ----------------------------------------------------------------------------
    def plan_actions(self, case_id: str, decided_by: str) -> list[Action]:
        platform, subject_type, subject_id = parse_case_id(case_id)
        reason = f"decided violating in {case_id}"
        posts, links = self.store.reviews.enforcement_targets(case_id, platform)
        planned: list[tuple[str, str]] = [("remove_post", p) for p in posts]
        if subject_type == "account":
            planned.append(("suspend_account", subject_id))
        elif subject_type == "hashtag":
            planned.append(("block_hashtag", subject_id))
        planned += [("restrict_link", link) for link in links]
        seen = set()
        out = []
        for kind, target in planned:
            if (kind, target) in seen:
                continue
            seen.add((kind, target))
            out.append(
                Action(
                    kind=kind,
                    platform=platform,
                    target=target,
                    case_id=case_id,
                    decided_by=decided_by,
                    reason=reason,
                    key=action_key(kind, platform, target),
                )
            )
        return out

    def enforce(self, case_id: str, decided_by: str) -> list[Action]:
        """Record and deliver the case's actions; an action already delivered, or being sent by another call
        (two reviewers enforcing the case at once), is not sent again: each is sent once per store."""
        return [a for a in self.plan_actions(case_id, decided_by) if self._deliver(a, decided_by)]

    def _deliver(self, action: Action, actor: str) -> bool:
        """Take the action (record it, lease it to this call), send it to every sink, record the delivery and give
        the lease back; audited. False without sending when it was delivered before or another sender holds it."""
        holder = f"{actor[:80]}#{uuid.uuid4().hex[:16]}"  # this call: one sender per action at a time
        now = time.time()
        row = {
            "key": action.key,
            "kind": action.kind,
            "platform": action.platform,
            "target": action.target,
            "case_id": action.case_id,
            "decided_by": action.decided_by,
            "reason": action.reason,
            "created_at": now,
            "delivered_at": None,
            "attempts": 0,
        }
        if not self.store.reviews.take_action(row, holder, now, self.lease_seconds):
            return False
        attempts, error = 0, None
        try:
            for sink in self.sinks:
                try:
                    attempts += sink.deliver(action)
                except DeliveryError as exc:
                    error = str(exc)
        except BaseException:  # not a sink's refusal: give the lease back so the next call retries, then raise
            self.store.reviews.record_delivery(action.key, holder, attempts, None)
            raise
        with self.store.transaction() as conn:
            self.store.reviews.record_delivery(action.key, holder, attempts, None if error else time.time(), conn)
            self.audit.append(
                actor,
                "action" if not error else "action_failed",
                action.target,
                {"kind": action.kind, "case": action.case_id, "key": action.key, **({"error": error} if error else {})},
                conn,
            )
        return error is None

    def pending_actions(self) -> int:
        """How many recorded actions are not delivered yet."""
        return self.store.reviews.pending_actions()
