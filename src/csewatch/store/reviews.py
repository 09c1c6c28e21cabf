"""The store's area for review decisions, claims, rule feedback and the reads a reviewer's queue needs:
the only code that touches these tables (see store/area.py).

The decision logic (which outcomes are final, a case's state after one, the actions a decision plans,
precision per rule) stays in ``csewatch.review.decisions``; the methods here read and write rows.
Methods that take ``conn`` join the caller's transaction (a decision, the case's state, the rules'
feedback and the audit entry commit together), else run in a transaction of their own.

Decisions and claims on one case are serialised: ``lock_case`` is taken first in their transaction, before
the previous outcome or the claim's holder is read (PostgreSQL: the case's row ``FOR UPDATE``; SQLite: the
database's write lock, ``BEGIN IMMEDIATE``, as the audit log's append does), so two reviewers deciding or
claiming one case at once act one after the other, each seeing what the other committed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, case, func, null, or_, select, update

from csewatch.keys import account_case_id, parse_case_id
from csewatch.model import Decision
from csewatch.store import schema as S
from csewatch.store.area import Area


class Reviews(Area):
    """Domain methods over the tables of this area."""

    # -- cases and claims -----------------------------------------------------------------------
    def lock_case(self, case_id: str, conn: Connection) -> bool:
        """Hold the case until ``conn``'s transaction ends (one decision or claim at a time); False: no such case."""
        if self.store.is_sqlite:
            self.sqlite_write_lock(conn)
            return conn.execute(select(S.cases.c.id).where(S.cases.c.id == case_id)).scalar() is not None
        q = select(S.cases.c.id).where(S.cases.c.id == case_id).with_for_update()  # the case's row, until commit
        return conn.execute(q).scalar() is not None

    def put_claim(self, case_id: str, user: str, at: float, conn: Connection | None = None) -> None:
        """``user`` holds the case from ``at`` (replacing any earlier claim)."""
        with self.store.transaction(conn) as c:
            self.store._upsert(c, S.claims, [{"case_id": case_id, "user": user, "claimed_at": at}], ("case_id",))

    def claim_holder(self, case_id: str, since: float, conn: Connection | None = None) -> str | None:
        """Who holds a claim on the case taken after ``since`` (a live claim), if anyone."""
        c = S.claims
        with self.store.transaction(conn) as tx:
            return tx.execute(select(c.c.user).where(c.c.case_id == case_id, c.c.claimed_at > since)).scalar()

    def live_claims(self, since: float) -> dict[str, str]:
        """Claims taken after ``since``: case id -> holder."""
        c = S.claims
        with self.engine.connect() as conn:
            rows = conn.execute(select(c.c.case_id, c.c.user).where(c.c.claimed_at > since))
            return dict(rows.all())  # type: ignore[arg-type]

    # -- decisions ------------------------------------------------------------------------------
    def last_outcome(self, case_id: str, among: Sequence[str], conn: Connection | None = None) -> str | None:
        """The latest decision's outcome on the case among these outcomes (None when none was taken)."""
        d = S.decisions
        with self.store.transaction(conn) as c:
            return c.execute(
                select(d.c.outcome)
                .where(d.c.case_id == case_id, d.c.outcome.in_(list(among)))
                .order_by(d.c.seq.desc())
                .limit(1)
            ).scalar()

    def record_decision(self, decision: Decision, state: str, conn: Connection | None = None) -> None:
        """Store the decision (append-only) and move its case to ``state``."""
        with self.store.transaction(conn) as c:
            c.execute(
                S.decisions.insert().values(
                    case_id=decision.case_id,
                    reviewer=decision.reviewer,
                    decided_at=decision.decided_at,
                    outcome=decision.outcome,
                    rationale=decision.rationale,
                    policy_category=decision.policy_category,
                )
            )
            c.execute(update(S.cases).where(S.cases.c.id == decision.case_id).values(state=state))

    def cluster_member_cases(self, cluster_case_id: str) -> list[str]:
        """The stored account cases of the members named in a cluster case's signals, sorted."""
        key = parse_case_id(cluster_case_id).subject_id
        sg = S.signals
        with self.engine.connect() as conn:
            evidence = (
                conn.execute(select(sg.c.evidence).where(sg.c.subject_type == "cluster", sg.c.subject_id == key))
                .scalars()
                .all()
            )
            members = {e["text"] for ev in evidence for e in (ev or []) if e.get("field") in ("member", "account")}
            ids = [account_case_id(m) for m in sorted(members) if ":" in m]
            existing = set(conn.execute(select(S.cases.c.id).where(S.cases.c.id.in_(ids))).scalars())
        return [i for i in ids if i in existing]

    # -- rule feedback --------------------------------------------------------------------------
    def case_rules(self, case_id: str, conn: Connection | None = None) -> set[str]:
        """Triage rules (live and shadow) of the case's verdicts and ``detector:<name>`` of its signals."""
        cp, v, sg, sv = S.case_posts, S.verdicts, S.signals, S.shadow_verdicts
        rules: set[str] = set()
        with self.store.transaction(conn) as c:
            for verdicts in (v, sv):  # would-be verdicts of shadow rules on the case's posts are measured too
                for (r,) in c.execute(
                    select(verdicts.c.rules)
                    .select_from(
                        cp.join(verdicts, (verdicts.c.platform == cp.c.platform) & (verdicts.c.post_id == cp.c.post_id))
                    )
                    .where(cp.c.case_id == case_id)
                ):
                    rules.update(r or [])
            platform, subject_type, subject_id = parse_case_id(case_id)
            post_ids = select(cp.c.post_id).where(cp.c.case_id == case_id)
            q = select(sg.c.detector).where(
                sg.c.platform == platform,
                (sg.c.post_id.in_(post_ids)) | ((sg.c.subject_type == subject_type) & (sg.c.subject_id == subject_id)),
            )
            rules.update(f"detector:{d}" for (d,) in c.execute(q.distinct()))
        return rules

    def rule_counts(self, rule: str, conn: Connection | None = None) -> tuple[int, int]:
        """(decisions, violating) counted for a rule so far; (0, 0) for a rule never decided."""
        t = S.rule_feedback
        with self.store.transaction(conn) as c:
            row = c.execute(select(t.c.decisions, t.c.violating).where(t.c.rule == rule)).first()
        return (row[0], row[1]) if row else (0, 0)

    def add_rule_feedback(self, rule: str, decisions: int, violating: int, conn: Connection | None = None) -> None:
        """Add to a rule's counts in one statement (a rule never counted starts at 0, 0): two cases decided at once
        each count, where reading the counts and writing them back would lose one."""
        t = S.rule_feedback
        ins = self.store._insert(t).values(rule=rule, decisions=decisions, violating=violating)
        stmt = ins.on_conflict_do_update(
            index_elements=[t.c.rule],
            set_={
                "decisions": t.c.decisions + ins.excluded.decisions,
                "violating": t.c.violating + ins.excluded.violating,
            },
        )
        with self.store.transaction(conn) as c:
            c.execute(stmt)

    def rule_feedback(self) -> list[tuple[str, int, int]]:
        """(rule, decisions, violating) of every rule decided so far, by rule name."""
        t = S.rule_feedback
        with self.engine.connect() as conn:
            rows = conn.execute(select(t.c.rule, t.c.decisions, t.c.violating).order_by(t.c.rule)).all()
        return [(r[0], r[1], r[2]) for r in rows]

    # -- enforcement bookkeeping ----------------------------------------------------------------
    def enforcement_targets(self, case_id: str, platform: str) -> tuple[list[str], list[str]]:
        """The case's post ids, and the off-platform links found in them (evidence texts, in signal order)."""
        sg = S.signals
        with self.engine.connect() as conn:
            posts = list(
                conn.execute(select(S.case_posts.c.post_id).where(S.case_posts.c.case_id == case_id)).scalars()
            )
            evidence = (
                conn.execute(
                    select(sg.c.evidence).where(
                        sg.c.platform == platform, sg.c.post_id.in_(posts), sg.c.indicator == "offplatform_link"
                    )
                )
                .scalars()
                .all()
            )
        return posts, [e["text"] for ev in evidence for e in ev]

    def record_action(self, row: dict[str, Any], conn: Connection | None = None) -> None:
        """An enforcement action, once per idempotency key (a key recorded before is left as it is)."""
        with self.store.transaction(conn) as c:
            self.store._insert_ignore(c, S.actions, [row])

    def take_action(self, row: dict[str, Any], holder: str, now: float, lease_seconds: float) -> bool:
        """Record the action if new and lease it to ``holder`` until ``now + lease_seconds``; True only for the one
        caller that got it (undelivered, and no lease or an expired one): that caller sends it, nobody else."""
        a = S.actions
        take = (
            update(a)
            .where(
                a.c.key == row["key"],
                a.c.delivered_at.is_(None),
                or_(a.c.lease_until.is_(None), a.c.lease_until < now),
            )
            .values(lease_until=now + lease_seconds, leased_by=holder)
        )
        with self.engine.begin() as conn:  # the row is written (locked) by the insert, then taken in one UPDATE
            self.record_action(row, conn)
            return conn.execute(take).rowcount == 1

    def record_delivery(
        self, key: str, holder: str, attempts: int, delivered_at: float | None, conn: Connection | None = None
    ) -> None:
        """Add ``attempts`` to the action's delivery attempts, set when it was delivered (None: not yet; an action
        delivered before stays delivered) and give back ``holder``'s lease (one taken over by another sender is
        left to it)."""
        a = S.actions
        mine = a.c.leased_by == holder
        values: dict[str, Any] = {
            "attempts": a.c.attempts + attempts,
            "delivered_at": func.coalesce(a.c.delivered_at, delivered_at),
            "lease_until": case((mine, null()), else_=a.c.lease_until),
            "leased_by": case((mine, null()), else_=a.c.leased_by),
        }
        with self.store.transaction(conn) as c:
            c.execute(update(a).where(a.c.key == key).values(**values))

    def action_state(self, key: str) -> dict[str, Any] | None:
        """The action's bookkeeping: delivered_at, attempts, lease_until, leased_by (None: no such action)."""
        a = S.actions
        with self.engine.connect() as conn:
            row = conn.execute(
                select(a.c.delivered_at, a.c.attempts, a.c.lease_until, a.c.leased_by).where(a.c.key == key)
            ).first()
        return None if row is None else dict(row._mapping)

    def pending_actions(self) -> int:
        """How many recorded actions are not delivered yet."""
        with self.engine.connect() as conn:
            return conn.execute(
                select(func.count()).select_from(S.actions).where(S.actions.c.delivered_at.is_(None))
            ).scalar_one()
