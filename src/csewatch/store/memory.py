"""In-memory SQLite stores (``Store("sqlite://")``, ``sqlite:///:memory:``) for fast tests and one-off runs.

An in-memory database lives inside one connection: a second connection opens another, empty database.
So the engine keeps exactly one connection (a StaticPool), usable from any thread, and a thread that checks
it out holds it until it is returned: another thread waits (up to 30 s), so two threads' transactions do
not interleave on it. Limit: the same thread checking it out again while holding it shares it (as SQLite
in memory always did), and the inner return lets a waiting thread in before the outer block ends; fine
for tests, not a server's store (use a file or PostgreSQL)."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool

WAIT_S = 30.0  # as long as a pooled engine waits for a free connection


def is_memory(url: str) -> bool:
    """Whether ``url`` is SQLite in memory (no file)."""
    u = make_url(url)
    return u.get_backend_name() == "sqlite" and u.database in (None, "", ":memory:")


class _Holder:
    """Which thread holds the connection. The pool says when its one connection goes out and when it comes
    back; a nested checkout by the holding thread rides on the outer one (no checkin of its own)."""

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.owner: int | None = None

    def take(self) -> None:
        me = threading.get_ident()
        with self.cond:
            if not self.cond.wait_for(lambda: self.owner in (None, me), timeout=WAIT_S):
                raise TimeoutError(f"the in-memory store's connection was held by another thread for {WAIT_S:.0f} s")
            self.owner = me

    def give(self) -> None:
        with self.cond:
            self.owner = None
            self.cond.notify_all()


class OneConnectionPool(StaticPool):
    """StaticPool whose one connection is held by one thread from checkout to checkin; other threads wait."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._holder = _Holder()

    def _do_get(self) -> Any:
        self._holder.take()
        try:
            return super()._do_get()
        except BaseException:
            self._holder.give()
            raise

    def _do_return_conn(self, record: Any) -> None:
        super()._do_return_conn(record)
        self._holder.give()


def memory_engine(url: str) -> Engine:
    """An engine on one in-memory SQLite connection shared by every thread, one thread at a time."""
    return create_engine(url, poolclass=OneConnectionPool, connect_args={"check_same_thread": False})
