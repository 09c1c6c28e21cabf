"""The store's area for the append-only, hash-chained audit log:
the only code that touches these tables (see store/area.py).

It serialises appends (SQLite: ``BEGIN IMMEDIATE`` before the head is read; PostgreSQL: a transaction-
scoped advisory lock), reads the chain's head and inserts the entry the caller builds from it; the
hashing and the keyed anchor outside the database stay in ``csewatch.review.audit``. A unique index on
``prev_hash`` and the append-only triggers are part of the schema (migration 0004)."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import IntegrityError

from csewatch.store import schema as S
from csewatch.store.area import Area

# an arbitrary 63-bit constant: the PostgreSQL advisory lock that serialises appends
PG_APPEND_LOCK = 0x63736577_61756431 & 0x7FFFFFFFFFFFFFFF

# transactions that hold an uncommitted append (their head must not be anchored yet)
_WROTE: weakref.WeakSet = weakref.WeakSet()

# an entry's columns, built by the caller from the previous entry's hash
EntryBuilder = Callable[[str], dict[str, Any]]
# called under the append lock with the committed head (seq, hash) and the transaction's connection
HeadHook = Callable[[int, str, Connection], None]


class AuditTable(Area):
    """Domain methods over the tables of this area."""

    def append(
        self,
        build: EntryBuilder,
        genesis: str,
        conn: Connection | None = None,
        on_committed_head: HeadHook | None = None,
    ) -> tuple[str, int | None]:
        """Append the entry ``build(prev_hash)`` makes (``genesis`` before the first), serialised with every
        other append; in ``conn``'s transaction when given, else in its own (retried on a refused fork).
        Returns the entry's hash and seq (seq None when the driver does not report it)."""
        if conn is not None:
            return self._append(conn, build, genesis, on_committed_head)
        for attempt in range(5):
            try:
                with self.engine.connect() as c:
                    out = self._append(c, build, genesis, on_committed_head)
                    c.commit()
                return out
            except IntegrityError:  # a fork refused by the unique index (a database without a lock)
                if attempt == 4:
                    raise
        raise AssertionError("unreachable")

    def _lock(self, conn: Connection) -> None:
        """Take the append lock in ``conn``'s transaction before the head is read."""
        if self.store.is_sqlite:
            self.sqlite_write_lock(conn)
        elif self.engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_APPEND_LOCK})

    def _append(
        self, conn: Connection, build: EntryBuilder, genesis: str, on_committed_head: HeadHook | None
    ) -> tuple[str, int | None]:
        t = S.audit_log
        self._lock(conn)
        head = conn.execute(select(t.c.seq, t.c.hash).order_by(t.c.seq.desc()).limit(1)).first()
        tx = conn.get_transaction()
        if head is not None and tx not in _WROTE and on_committed_head is not None:
            on_committed_head(head[0], head[1], conn)  # committed (we hold the lock)
        row = build(head[1] if head is not None else genesis)
        res = conn.execute(t.insert().values(**row))
        if tx is not None:
            _WROTE.add(tx)
        return row["hash"], (res.inserted_primary_key[0] if res.inserted_primary_key else None)

    def first_hash(self, conn: Connection | None = None) -> str | None:
        """The first entry's hash (the log's identity), None for an empty log."""
        t = S.audit_log
        q = select(t.c.hash).where(t.c.seq == select(func.min(t.c.seq)).scalar_subquery())
        if conn is not None:
            return conn.execute(q).scalar()
        with self.engine.connect() as c:
            return c.execute(q).scalar()

    def entries(self, limit: int | None = None) -> list[dict[str, Any]]:
        """The entries in chain order (the first ``limit`` when given), as plain dicts."""
        t = S.audit_log
        q = select(t).order_by(t.c.seq)
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [{str(k): v for k, v in r.items()} for r in conn.execute(q).mappings()]

    def database(self) -> str:
        """The store's URL without a password (anchors name the database they belong to)."""
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return "sqlite:///" + str(Path(url.database).resolve())  # type: ignore[arg-type]
        return url.render_as_string(hide_password=True)
