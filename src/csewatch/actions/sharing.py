"""Signal sharing: export what decided-violating cases contain that other services can act on,
as CSV or JSON in ThreatExchange's shape (``signal_type``, ``signal_value``, ``status``, ``tags``):
media hashes (PDQ, SHA-256, MD5 when known), off-platform invite links (for Telegram, Discord, MEGA
and the like) and the accounts' handles. Never content."""

from __future__ import annotations

import csv
import io
import json

from csewatch.media.hashtypes import REGISTRY
from csewatch.store import Store


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

    for material in store.enforcement.shareable_material():
        case = material["case"]
        for m in material["media"]:
            for kind in REGISTRY:  # every registered hash type the stored media item carries
                if m.get(kind):
                    add(kind, m[kind], case)
        for e in material["links"]:
            service = e["rule"].split(":", 1)[-1]
            add("url", e["text"].lower(), case, f"service:{service}")
        if case["subject_type"] == "account":
            add("handle", f"{case['platform']}:{material['handle'] or case['subject_id']}", case)
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
