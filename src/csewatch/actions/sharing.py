"""Signal sharing: export what decided-violating cases contain that other services can act on,
as CSV or JSON in ThreatExchange's shape (``signal_type``, ``signal_value``, ``status``, ``tags``):
media hashes (PDQ, SHA-256, MD5 when known), off-platform invite links (for Telegram, Discord, MEGA
and the like) and the accounts' handles. Never content."""

from __future__ import annotations

import csv
import io
import json

from sqlalchemy import select

from csewatch.media.hashtypes import REGISTRY
from csewatch.store import Store
from csewatch.store import schema as S


def collect_signals(store: Store) -> list[dict]:
    """One row per distinct shareable signal of the cases decided violating."""
    rows: dict[tuple[str, str], dict] = {}

    def add(kind: str, value: str, case: dict, extra: str = "") -> None:
        key = (kind, value)
        tags = {f"category:{case['category']}", f"platform:{case['platform']}"} | ({extra} if extra else set())
        if key in rows:
            rows[key]["tags"] |= tags
        else:
            rows[key] = {"signal_type": kind, "signal_value": value, "status": "positive", "tags": tags}

    with store.engine.connect() as conn:
        cases = conn.execute(select(S.cases).where(S.cases.c.state == "actioned")).mappings().all()
        for case in cases:
            post_ids = select(S.case_posts.c.post_id).where(S.case_posts.c.case_id == case["id"])
            for media in conn.execute(
                select(S.posts.c.media).where(S.posts.c.platform == case["platform"], S.posts.c.id.in_(post_ids))
            ).scalars():
                for m in media or []:
                    for kind in REGISTRY:  # every registered hash type the stored media item carries
                        if m.get(kind):
                            add(kind, m[kind], case)
            for ev in conn.execute(
                select(S.signals.c.evidence).where(
                    S.signals.c.platform == case["platform"],
                    S.signals.c.post_id.in_(post_ids),
                    S.signals.c.indicator == "offplatform_link",
                )
            ).scalars():
                for e in ev:
                    service = e["rule"].split(":", 1)[-1]
                    add("url", e["text"].lower(), case, f"service:{service}")
            if case["subject_type"] == "account":
                handle = conn.execute(
                    select(S.accounts.c.handle).where(
                        S.accounts.c.platform == case["platform"], S.accounts.c.id == case["subject_id"]
                    )
                ).scalar()
                add("handle", f"{case['platform']}:{handle or case['subject_id']}", case)
    out = []
    for r in rows.values():
        out.append({**r, "tags": sorted(r["tags"])})
    return sorted(out, key=lambda r: (r["signal_type"], r["signal_value"]))


def to_csv(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["signal_type", "signal_value", "status", "tags"])
    for r in rows:
        w.writerow([r["signal_type"], r["signal_value"], r["status"], " ".join(r["tags"])])
    return buf.getvalue()


def to_json(rows: list[dict]) -> str:
    return json.dumps(rows, indent=1)
