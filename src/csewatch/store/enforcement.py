"""The store's area for enforcement actions, legal holds, hash sharing and NCMEC report rows:
the only code that touches these tables (see store/area.py). What it returns are plain values (dicts of
a row's columns); the report XML, the ThreatExchange shape and the client stay in ``csewatch.actions``."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Connection, delete, select

from csewatch.store import schema as S
from csewatch.store.area import Area


def _case(conn: Connection, case_id: str) -> dict[str, Any]:
    case = conn.execute(select(S.cases).where(S.cases.c.id == case_id)).mappings().first()
    if case is None:
        raise KeyError(f"no case {case_id!r}")
    return dict(case)


class Enforcement(Area):
    """Domain methods over the tables of this area."""

    def shareable_material(self) -> list[dict[str, Any]]:
        """Per case decided violating (state ``actioned``): ``case`` (its row), ``media`` (the media items
        of its posts), ``links`` (the evidence of its posts' ``offplatform_link`` signals) and ``handle``
        (an account case's handle, None when unknown or not an account case)."""
        out: list[dict[str, Any]] = []
        with self.engine.connect() as conn:
            cases = conn.execute(select(S.cases).where(S.cases.c.state == "actioned")).mappings().all()
            for case in cases:
                post_ids = select(S.case_posts.c.post_id).where(S.case_posts.c.case_id == case["id"])
                media = [
                    m
                    for items in conn.execute(
                        select(S.posts.c.media).where(
                            S.posts.c.platform == case["platform"], S.posts.c.id.in_(post_ids)
                        )
                    ).scalars()
                    for m in items or []
                ]
                links = [
                    e
                    for ev in conn.execute(
                        select(S.signals.c.evidence).where(
                            S.signals.c.platform == case["platform"],
                            S.signals.c.post_id.in_(post_ids),
                            S.signals.c.indicator == "offplatform_link",
                        )
                    ).scalars()
                    for e in ev
                ]
                handle = None
                if case["subject_type"] == "account":
                    handle = conn.execute(
                        select(S.accounts.c.handle).where(
                            S.accounts.c.platform == case["platform"], S.accounts.c.id == case["subject_id"]
                        )
                    ).scalar()
                out.append({"case": dict(case), "media": media, "links": links, "handle": handle})
        return out

    def report_material(
        self, case_id: str
    ) -> tuple[dict[str, Any], list[dict[str, Any]], list[str], list[dict[str, Any]]]:
        """A case's row, its posts, the ids of the accounts involved (the posts' authors and an account case's
        subject, sorted) and those of them stored, for a report; KeyError when there is no such case."""
        with self.engine.connect() as conn:
            case = _case(conn, case_id)
            post_ids = select(S.case_posts.c.post_id).where(S.case_posts.c.case_id == case_id)
            posts = [
                dict(p)
                for p in conn.execute(
                    select(S.posts).where(S.posts.c.platform == case["platform"], S.posts.c.id.in_(post_ids))
                ).mappings()
            ]
            authors = sorted(
                {p["author_id"] for p in posts} | ({case["subject_id"]} if case["subject_type"] == "account" else set())
            )
            accounts = [
                dict(a)
                for a in conn.execute(
                    select(S.accounts).where(S.accounts.c.platform == case["platform"], S.accounts.c.id.in_(authors))
                ).mappings()
            ]
        return case, posts, authors, accounts

    def hold_case(self, case_id: str, until: float, reason: str, conn: Connection | None = None) -> int:
        """A legal hold until ``until`` on the case, its posts and an account case's account (one that is
        held already is extended to this one); returns the holds placed. KeyError when there is no case."""
        with self.store.transaction(conn) as c:
            case = _case(c, case_id)
            posts = c.execute(select(S.case_posts.c.post_id).where(S.case_posts.c.case_id == case_id)).scalars().all()
            rows = [{"kind": "case", "subject": case_id, "until": until, "reason": reason}]
            rows += [
                {"kind": "post", "subject": f"{case['platform']}:{p}", "until": until, "reason": reason} for p in posts
            ]
            if case["subject_type"] == "account":
                rows.append(
                    {
                        "kind": "account",
                        "subject": f"{case['platform']}:{case['subject_id']}",
                        "until": until,
                        "reason": reason,
                    }
                )
            self.place_holds(rows, c)
        return len(rows)

    def place_holds(self, rows: list[dict[str, Any]], conn: Connection | None = None) -> None:
        """Legal holds (kind, subject, until, reason); a hold placed again is extended to the new one."""
        latest = {(r["kind"], r["subject"]): r for r in rows}  # one row a key: the last given wins
        with self.store.transaction(conn) as c:
            self.store._upsert(c, S.legal_holds, list(latest.values()), ("kind", "subject"))

    def purge_posts(self, older_than: float, now: float | None = None, conn: Connection | None = None) -> int:
        """Delete posts (and their signals) created before ``older_than``, except those under a legal hold
        at ``now`` (default: the time of the call); returns how many posts went."""
        now = time.time() if now is None else now
        h = S.legal_holds
        with self.store.transaction(conn) as c:
            held = {s for (s,) in c.execute(select(h.c.subject).where(h.c.kind == "post", h.c.until > now))}
            old = c.execute(select(S.posts.c.platform, S.posts.c.id).where(S.posts.c.created_at < older_than)).all()
            doomed = [(p, i) for p, i in old if f"{p}:{i}" not in held]
            for p, i in doomed:
                c.execute(delete(S.signals).where(S.signals.c.platform == p, S.signals.c.post_id == i))
                c.execute(delete(S.posts).where(S.posts.c.platform == p, S.posts.c.id == i))
        return len(doomed)
