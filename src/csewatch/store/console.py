"""The store's area for the reads the review console shows (categories, a case's decision history, the
dashboard's figures): the only code that touches these tables for it (see store/area.py). Answers are
plain values; the console draws them."""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select

from csewatch.store import schema as S
from csewatch.store.area import Area


class ConsoleReads(Area):
    """Read-only queries behind the console's queue filters, case history and dashboard."""

    def categories(self) -> list[str]:
        """The distinct categories of all cases, sorted."""
        with self.engine.connect() as conn:
            return sorted(conn.execute(select(S.cases.c.category).distinct()).scalars())

    def case_decisions(self, case_id: str) -> list[dict[str, Any]]:
        """The case's decisions in the order they were made, each as a dict of its columns."""
        d = S.decisions
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(d).where(d.c.case_id == case_id).order_by(d.c.seq)).mappings()]

    def dashboard_figures(self) -> dict[str, Any]:
        """The dashboard's raw figures, read on one connection: ``detections`` ((detector, UTC day number of
        the post's created_at, None when it has no usable time) -> signals), counted while the rows stream by;
        ``latencies`` (seconds from a case's first_seen to its first decision); ``open_first_seen`` (first_seen
        of each open case); ``hashtags`` (lower-cased tag -> posts using it)."""
        with self.engine.connect() as conn:
            q = select(S.signals.c.detector, S.posts.c.created_at).select_from(
                S.signals.join(
                    S.posts, (S.posts.c.platform == S.signals.c.platform) & (S.posts.c.id == S.signals.c.post_id)
                )
            )
            detections: dict[tuple[str, int | None], int] = defaultdict(int)
            for detector, created in conn.execute(q):
                usable = isinstance(created, int | float) and math.isfinite(created)
                detections[(detector, int(created // 86400) if usable else None)] += 1
            first_decision = dict(
                conn.execute(
                    select(S.decisions.c.case_id, func.min(S.decisions.c.decided_at)).group_by(S.decisions.c.case_id)
                ).all()
            )
            seen = dict(conn.execute(select(S.cases.c.id, S.cases.c.first_seen)).all())
            open_first_seen = [
                t for (t,) in conn.execute(select(S.cases.c.first_seen).where(S.cases.c.state == "open"))
            ]
            tags: dict[str, int] = defaultdict(int)
            for (hs,) in conn.execute(select(S.posts.c.hashtags)):
                for t in hs or []:
                    tags[t.lower()] += 1
        latencies = [d - seen[c] for c, d in first_decision.items() if c in seen and seen[c]]
        return {
            "detections": dict(detections),
            "latencies": latencies,
            "open_first_seen": open_first_seen,
            "hashtags": dict(tags),
        }
