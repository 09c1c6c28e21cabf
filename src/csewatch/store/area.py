"""The base of the store's areas: each area (graph reads, banks, actions and holds, reviewers and tokens,
review decisions, the audit log) is one module of ``csewatch.store`` holding the SQL of that area, reached
from a ``Store`` as an attribute (``store.banks``, ``store.users``...). Code outside ``csewatch.store``
calls these domain methods and never touches a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine

if TYPE_CHECKING:
    from csewatch.store import Store


class Area:
    """One area of the store: its methods share the store's engine, transactions and upsert helpers."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def engine(self) -> Engine:
        return self.store.engine

    def sqlite_write_lock(self, conn: Connection) -> None:
        """On SQLite, take the database's write lock at the start of ``conn``'s transaction (``BEGIN IMMEDIATE``)
        before anything is read; a transaction that has written already holds it. No-op elsewhere."""
        if not self.store.is_sqlite:
            return
        dbapi = conn.connection.dbapi_connection
        if dbapi is not None and not dbapi.in_transaction:  # type: ignore[attr-defined]
            conn.exec_driver_sql("BEGIN IMMEDIATE")
