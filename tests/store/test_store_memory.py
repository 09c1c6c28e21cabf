"""An in-memory store (``Store("sqlite://")``, ``sqlite:///:memory:``) for fast unit tests: one database
shared by every connection and thread of the Store (without that, each new connection of the pool would
open a new, empty database and a write in one thread would be invisible to the next)."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from csewatch.model import Post
from csewatch.store import Batch, Store
from csewatch.store import schema as S
from csewatch.store.migrate import current, head
from csewatch.triage import Triage


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_store_is_one_database_across_threads_and_connections(url, policy):
    store = Store(url, policy.version)
    errors: list[BaseException] = []

    def write(i: int) -> None:
        try:
            batch = Batch(source=f"s{i}", position=1, line=1, fmt="jsonl")
            batch.posts.append(Post(id=f"p{i}", platform="native", author_id=f"a{i}", text="plain text"))
            store.commit_batch(batch, Triage(policy))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.counts()["posts"] == 4  # every thread wrote into the one database the main thread reads
    # two connections checked out at once see the same tables and rows
    with store.engine.connect() as a, store.engine.connect() as b:
        assert current(a) == current(b) == head()
        assert a.execute(select(func.count()).select_from(S.posts)).scalar_one() == 4
        assert b.execute(select(S.posts.c.id).order_by(S.posts.c.id)).scalars().all() == ["p0", "p1", "p2", "p3"]
    assert store.post("native", "p2")["text"] == "plain text"
    store.close()


def test_two_in_memory_stores_are_separate(policy):
    first, second = Store("sqlite://", policy.version), Store("sqlite://", policy.version)
    batch = Batch(source="s", position=1, line=1, fmt="jsonl")
    batch.posts.append(Post(id="p1", platform="native", author_id="a1", text="plain text"))
    first.commit_batch(batch, Triage(policy))
    assert first.counts()["posts"] == 1 and second.counts()["posts"] == 0
