"""The store's area for hash banks (entries, versions, removals):
the only code that touches these tables (see store/area.py).

An entry is keyed on (bank, hash type, ``value_digest``): the SHA-256 (hex) of its value, computed here by
``value_digest``, because a value is text of any length (a vPDQ hash lists many frames: tens of KB) and
PostgreSQL refuses btree index rows over 2,704 bytes (revision 0005 moved older stores to this key). Values
are compared by their digest and then by the value itself, so equality means what it meant before.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select, update

from csewatch.store import schema as S
from csewatch.store.area import Area

# the columns a reader gets: the row as it was before the digest key (the digest is the store's business)
_ENTRY_COLUMNS = [c for c in S.bank_entries.c if c.name != "value_digest"]


def value_digest(value: str) -> str:
    """The key of a bank value: the SHA-256 (hex) of its text (UTF-8)."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _in_force(now: float) -> ColumnElement[bool]:
    """The condition for entries in force at ``now``: not removed, not expired."""
    t = S.bank_entries
    return t.c.removed_version.is_(None) & ((t.c.expires_at.is_(None)) | (t.c.expires_at > now))


class BankTables(Area):
    """Domain methods over the tables of this area."""

    def version(self, bank: str) -> int:
        """The bank's current version (0 for a bank never written)."""
        with self.engine.connect() as conn:
            v = conn.execute(select(S.banks.c.version).where(S.banks.c.name == bank)).scalar()
        return int(v or 0)

    def versions(self) -> dict[str, int]:
        """Every bank's current version."""
        with self.engine.connect() as conn:
            return {n: v for n, v in conn.execute(select(S.banks.c.name, S.banks.c.version))}

    def bump_version(self, bank: str, conn: Connection | None = None) -> int:
        """The bank's next version, recorded (a bank seen for the first time starts at 1)."""
        b = S.banks
        with self.store.transaction(conn) as c:
            v = c.execute(select(b.c.version).where(b.c.name == bank)).scalar()
            new = int(v or 0) + 1
            self.store._upsert(c, b, [{"name": bank, "version": new, "updated_at": time.time()}], ("name",))
        return new

    def put_entries(self, rows: list[dict[str, Any]], conn: Connection | None = None) -> None:
        """Bank entries (rows of the table without ``value_digest``) keyed on (bank, hash_type, the value's
        digest); an entry put again replaces the stored one."""
        keyed = [{**r, "value_digest": value_digest(r["value"])} for r in rows]
        with self.store.transaction(conn) as c:
            self.store._upsert(c, S.bank_entries, keyed, ("bank", "hash_type", "value_digest"))

    def add_entries(
        self, bank: str, entries: Iterable[dict[str, Any]], conn: Connection | None = None
    ) -> tuple[int, int, int]:
        """A new version of the bank with these entries (dicts of hash_type, value, category, source,
        added_at, expires_at) added; one already in force is left as it is, a removed one comes back.
        Returns (version, added, unchanged)."""
        t = S.bank_entries
        with self.store.transaction(conn) as c:
            version = self.bump_version(bank, c)
            existing = {
                (r.hash_type, r.value): r.removed_version
                for r in c.execute(select(t.c.hash_type, t.c.value, t.c.removed_version).where(t.c.bank == bank))
            }
            rows: list[dict[str, Any]] = []
            unchanged = 0
            seen = set()
            for e in entries:
                k = (e["hash_type"], e["value"])
                if k in seen:
                    continue
                seen.add(k)
                if k in existing and existing[k] is None:
                    unchanged += 1
                    continue
                rows.append({"bank": bank, **e, "added_version": version, "removed_version": None})
            self.put_entries(rows, c)
        return version, len(rows), unchanged

    def remove_entries(
        self, bank: str, values: list[str] | None = None, conn: Connection | None = None
    ) -> tuple[int, int]:
        """A new version of the bank without these values (any type; all entries when ``values`` is None).
        Returns (version, removed)."""
        t = S.bank_entries
        with self.store.transaction(conn) as c:
            version = self.bump_version(bank, c)
            q = update(t).where(t.c.bank == bank, t.c.removed_version.is_(None))
            if values is not None:
                wanted = sorted({v.strip().lower() for v in values})
                q = q.where(t.c.value_digest.in_([value_digest(v) for v in wanted]), t.c.value.in_(wanted))
            n = c.execute(q.values(removed_version=version)).rowcount
        return version, n

    def entries_in_force(
        self, bank: str | None = None, hash_type: str | None = None, at: float | None = None
    ) -> list[dict[str, Any]]:
        """Entries in force at ``at`` (default now): not removed, not expired; by bank, then value."""
        t = S.bank_entries
        q = select(*_ENTRY_COLUMNS).where(_in_force(at or time.time()))
        if bank:
            q = q.where(t.c.bank == bank)
        if hash_type:
            q = q.where(t.c.hash_type == hash_type)
        with self.engine.connect() as conn:
            return [{str(k): v for k, v in r.items()} for r in conn.execute(q.order_by(t.c.bank, t.c.value)).mappings()]

    def lookup(self, hash_type: str, value: str, at: float | None = None) -> list[dict[str, Any]]:
        """Entries in force with exactly this hash (an indexed query: exact hashes stay in the database)."""
        t = S.bank_entries
        q = select(*_ENTRY_COLUMNS).where(
            t.c.hash_type == hash_type,
            t.c.value_digest == value_digest(value),
            t.c.value == value,
            _in_force(at or time.time()),
        )
        with self.engine.connect() as conn:
            return [{str(k): v for k, v in r.items()} for r in conn.execute(q).mappings()]

    def counts_in_force(self, at: float | None = None) -> list[tuple[str, str, int]]:
        """(bank, hash type, entries in force) for every pair that has any."""
        t = S.bank_entries
        q = (
            select(t.c.bank, t.c.hash_type, func.count())
            .where(_in_force(at or time.time()))
            .group_by(t.c.bank, t.c.hash_type)
        )
        with self.engine.connect() as conn:
            return [(str(b), str(ht), int(n)) for b, ht, n in conn.execute(q)]
