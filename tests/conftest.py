"""Shared fixtures: the default policy, a detection engine, a helper that runs one post, and the store
backends: ``db_url`` runs a test on SQLite and, when CSEWATCH_TEST_PG_URL names a scratch PostgreSQL
database (``.ci/run`` starts one), again on PostgreSQL in a schema of its own that is dropped afterwards;
without it the PostgreSQL half is skipped with a reason."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from csewatch.detect import StreamState
from csewatch.model import Account, Post
from csewatch.pipeline import DetectionEngine
from csewatch.policy import load_policy

PG_URL = os.environ.get("CSEWATCH_TEST_PG_URL")
PG_SKIP = "set CSEWATCH_TEST_PG_URL to a scratch PostgreSQL database (.ci/run starts one) to run the PostgreSQL half"
BACKENDS = ["sqlite", "postgresql"]


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL to the scratch PostgreSQL database whose connections use a new, empty schema (dropped at
    the end, with everything in it), so tests never see each other's tables, triggers or rows."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    name = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {name}")
    try:
        url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={name}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        admin.dispose()


def backend_url(backend: str, tmp_path) -> Iterator[str]:
    """The store URL of one backend: a fresh SQLite file under ``tmp_path``, or a fresh PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        with pg_schema_url() as url:
            yield url


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh, empty store URL, once per backend (PostgreSQL skipped without CSEWATCH_TEST_PG_URL)."""
    yield from backend_url(request.param, tmp_path)


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL store URL (skipped without CSEWATCH_TEST_PG_URL)."""
    with pg_schema_url() as url:
        yield url


@pytest.fixture(scope="session")
def policy():
    return load_policy()


@pytest.fixture(scope="session")
def engine(policy):
    return DetectionEngine(policy)


@pytest.fixture()
def run_post(engine):
    """Run one post (and optional author) through every detector and triage."""

    def _run(text: str, account: Account | None = None, state: StreamState | None = None, **kw):
        post = Post(
            id=kw.pop("id", "p1"),
            platform="native",
            author_id=kw.pop("author_id", "a1"),
            text=text,
            created_at=kw.pop("created_at", 1_790_000_000.0),
            **kw,
        )
        signals, verdict = engine.process(post, account, state or StreamState(), explain_all=True)
        return signals, verdict

    return _run


def indicators(signals) -> set[str]:
    return {s.indicator for s in signals}
