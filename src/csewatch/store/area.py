"""The base of the store's areas: each area (graph reads, banks, actions and holds, reviewers and tokens,
review decisions, the audit log) is one module of ``csewatch.store`` holding the SQL of that area, reached
from a ``Store`` as an attribute (``store.banks``, ``store.users``...). Code outside ``csewatch.store``
calls these domain methods and never touches a table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from csewatch.store import Store


class Area:
    """One area of the store: its methods share the store's engine, transactions and upsert helpers."""

    def __init__(self, store: Store) -> None:
        self.store = store

    @property
    def engine(self) -> Engine:
        return self.store.engine
