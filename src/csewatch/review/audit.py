"""Append-only audit log, hash-chained: each entry's hash covers the previous entry's hash and the
entry itself (canonical JSON), so any edit, deletion or reordering breaks the chain at that entry.
On SQLite, triggers refuse UPDATE and DELETE on the table as well."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass
from typing import Any

import orjson
from sqlalchemy import select, text

from csewatch.store import Store
from csewatch.store import schema as S

GENESIS = "0" * 64
_TRIGGERS = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]


def entry_hash(prev: str, at: float, actor: str, action: str, subject: str, details: str) -> str:
    body = orjson.dumps([prev, repr(at), actor, action, subject, details])
    return hashlib.sha256(body).hexdigest()


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    first_bad: int | None = None
    reason: str = ""


class AuditLog:
    def __init__(self, store: Store):
        self.store = store
        if store.is_sqlite:
            with store.engine.begin() as conn:
                for t in _TRIGGERS:
                    conn.execute(text(t))

    def append(self, actor: str, action: str, subject: str, details: dict[str, Any] | None = None, conn=None) -> str:
        """Append one entry (in the caller's transaction when ``conn`` is given); returns its hash."""
        if conn is None:
            with self.store.engine.begin() as c:
                return self.append(actor, action, subject, details, c)
        t = S.audit_log
        prev = conn.execute(select(t.c.hash).order_by(t.c.seq.desc()).limit(1)).scalar() or GENESIS
        at = time.time()
        body = orjson.dumps(details or {}, option=orjson.OPT_SORT_KEYS).decode()
        h = entry_hash(prev, at, actor, action, subject, body)
        conn.execute(
            t.insert().values(at=at, actor=actor, action=action, subject=subject, details=body, prev_hash=prev, hash=h)
        )
        return h

    def entries(self, limit: int | None = None) -> list[dict]:
        t = S.audit_log
        q = select(t).order_by(t.c.seq)
        if limit:
            q = q.limit(limit)
        with self.store.engine.connect() as conn:
            return [{str(k): v for k, v in r.items()} for r in conn.execute(q).mappings()]

    def verify(self) -> VerifyResult:
        prev = GENESIS
        n = 0
        for e in self.entries():
            n += 1
            if e["prev_hash"] != prev:
                return VerifyResult(False, n, e["seq"], "does not follow the previous entry (deleted or reordered)")
            if entry_hash(prev, e["at"], e["actor"], e["action"], e["subject"], e["details"]) != e["hash"]:
                return VerifyResult(False, n, e["seq"], "its content does not match its hash (edited)")
            prev = e["hash"]
        return VerifyResult(True, n)


__all__ = ["GENESIS", "AuditLog", "VerifyResult"]
