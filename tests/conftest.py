"""Shared fixtures: the default policy, a detection engine, a helper that runs one post, and the stores.

Every store a test opens is a copy of a template made once per session the way an operator upgrades (a
6cb9ac4 database with rows, then ``csewatch db upgrade``; see tests/backends.py). CSEWATCH_TEST_BACKEND
picks the backend of the stores tests open by path: unset or ``sqlite``, SQLite files; ``postgresql``,
each such path is served by a PostgreSQL database of its own (CSEWATCH_TEST_PG_URL names the scratch
server). ``db_url`` runs a test on SQLite and, when CSEWATCH_TEST_PG_URL is set, again on PostgreSQL
(only SQLite with CSEWATCH_TEST_BACKEND=sqlite, only PostgreSQL with =postgresql). Markers:
``sqlite_only(reason)``, skipped (and counted) on the PostgreSQL run; ``new_store``, the test's stores
are made new by the Store, not copied from the template."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from csewatch.detect import StreamState
from csewatch.model import Account, Post
from csewatch.pipeline import DetectionEngine
from csewatch.policy import load_policy
from tests.backends import BACKEND, BACKEND_VALUES, PG_URL, PgServer, Router

PG_SKIP = "set CSEWATCH_TEST_PG_URL to a scratch PostgreSQL database (.ci/run starts one) to run the PostgreSQL half"
BACKENDS = {"sqlite": ["sqlite"], "postgresql": ["postgresql"]}.get(BACKEND, ["sqlite", "postgresql"])
_ROUTER: list[Router] = []  # the session's router, once made
_SKIPPED: dict[str, list[str]] = {}  # reason -> tests skipped as SQLite-only on the PostgreSQL run


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): means SQLite itself (its file, sqlite3, flock); skipped on the PostgreSQL run"
    )
    config.addinivalue_line("markers", "new_store: the test's stores are created new, not copied from the template")
    if BACKEND not in BACKEND_VALUES:
        raise pytest.UsageError(f"CSEWATCH_TEST_BACKEND={BACKEND!r}: use sqlite or postgresql (or leave it unset)")
    if BACKEND == "postgresql" and not PG_URL:
        raise pytest.UsageError("CSEWATCH_TEST_BACKEND=postgresql needs CSEWATCH_TEST_PG_URL (a scratch server)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if BACKEND != "postgresql":
        return
    for item in items:
        marker = item.get_closest_marker("sqlite_only")
        if marker is not None:
            reason = str(marker.args[0] if marker.args else marker.kwargs.get("reason", "SQLite itself"))
            _SKIPPED.setdefault(reason, []).append(item.nodeid)
            item.add_marker(pytest.mark.skip(reason=f"SQLite only: {reason}"))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # type: ignore[no-untyped-def]
    if _ROUTER:
        for line in _ROUTER[0].summary(_SKIPPED):
            terminalreporter.write_line(line)


@pytest.fixture(scope="session", autouse=True)
def _store_router(tmp_path_factory) -> Iterator[Router]:
    """Route every store the session opens to a copy of the upgraded template (tests/backends.py)."""
    pg = PgServer(PG_URL) if PG_URL else None  # also for pg_url and the tests comparing both backends
    router = Router(BACKEND, tmp_path_factory.mktemp("store-template"), pg)
    router.install()
    _ROUTER.append(router)
    try:
        yield router
    finally:
        router.close()


@pytest.fixture(autouse=True)
def _store_per_test(request, _store_router: Router) -> Iterator[None]:
    """The test's markers for the router; the databases the test made are dropped after it."""
    _store_router.new_store = request.node.get_closest_marker("new_store") is not None
    _store_router.current_test = request.node.nodeid
    keep = len(_store_router.owned)
    try:
        yield
    finally:
        _store_router.new_store = False
        _store_router.end_test(keep)
    if request.node.nodeid in _store_router.own_sqlite and request.node.get_closest_marker("sqlite_only") is None:
        # on the PostgreSQL run a store on a SQLite file the test made itself would pass without PostgreSQL
        pytest.fail("opened a SQLite file it made itself on the PostgreSQL run: mark it sqlite_only(reason) or let the "
                    "harness make the store", pytrace=False)


@contextmanager
def pg_schema_url() -> Iterator[str]:
    """A URL to a new, empty PostgreSQL database on the scratch server (dropped at the end); the first
    Store opened on it while empty gets the upgraded template. Skips without CSEWATCH_TEST_PG_URL."""
    if not PG_URL or not _ROUTER or _ROUTER[0].pg is None:
        pytest.skip(PG_SKIP)
    router = _ROUTER[0]
    url = router.empty_pg_url()
    try:
        yield url
    finally:
        name = router.pending.pop(url, None) or url.rsplit("/", 1)[1].split("?", 1)[0]
        if name in router.owned:
            router.owned.remove(name)
        router.pg.drop(name)  # type: ignore[union-attr]


def backend_url(backend: str, tmp_path) -> Iterator[str]:
    """The store URL of one backend: a fresh SQLite file under ``tmp_path``, or a fresh PostgreSQL database."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.db'}"
    else:
        with pg_schema_url() as url:
            yield url


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path) -> Iterator[str]:
    """A fresh store URL, once per backend (PostgreSQL skipped without CSEWATCH_TEST_PG_URL): nothing there
    until a Store opens it (then the upgraded template) or the test makes tables itself."""
    yield from backend_url(request.param, tmp_path)


@pytest.fixture()
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL store URL (skipped without CSEWATCH_TEST_PG_URL)."""
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
