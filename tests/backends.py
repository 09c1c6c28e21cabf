"""The stores the tests open, made the way an operator's database gets to today's schema.

Once per session a TEMPLATE is built like an upgrade in the field: the tables of the frozen 6cb9ac4
schema (``tests/store/schema_6cb9ac4.py``) with a few rows, then the real ``csewatch db upgrade``; the
rows are checked (kept by the migration) and removed, so every test still starts from an empty store.
Each store a test opens is a copy of it: a SQLite file is copied, a PostgreSQL database is made with
``CREATE DATABASE ... TEMPLATE`` (about 0.08 s on a local server, cheaper than creating the tables).

``CSEWATCH_TEST_BACKEND`` picks where the stores that tests open BY PATH live (``Store(path)``,
``--db x.db`` through the CLI runner):

- unset (the README's command): SQLite files; the ``db_url`` fixture runs each of its tests on SQLite
  and, when ``CSEWATCH_TEST_PG_URL`` is set, again on PostgreSQL;
- ``sqlite``: everything on SQLite (``db_url`` too);
- ``postgresql``: a SQLite path a test opens is served by a fresh PostgreSQL database cloned from the
  template (an empty stub file marks the path as existing, so "a missing store is refused" still holds);
  ``db_url`` runs on PostgreSQL only; tests marked ``sqlite_only`` are skipped, and counted.

The routing wraps ``Store.__init__`` and ``csewatch.store.normalize_url`` for the session (the only two
places a URL or path becomes a database); the code under test is not changed. Tests marked
``new_store`` get a brand-new database made by the Store itself instead of the template.
"""

from __future__ import annotations

import inspect as pyinspect
import json
import os
import re
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, insert, inspect, select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

BACKEND = os.environ.get("CSEWATCH_TEST_BACKEND", "").strip().lower()
PG_URL = os.environ.get("CSEWATCH_TEST_PG_URL")
BACKEND_VALUES = ("", "sqlite", "postgresql")


def _old_rows(conn: Any) -> dict[str, int]:
    """A few rows in the tables of the 6cb9ac4 schema, as that code wrote them (synthetic, clinical)."""
    from tests.store import schema_6cb9ac4 as OLD

    rows = {
        OLD.posts: [{"platform": "native", "id": "tp1", "author_id": "ta1", "created_at": 10.0, "text": "hello",
                     "hashtags": ["x"]}],
        OLD.accounts: [{"platform": "native", "id": "ta1", "handle": "template_acct", "links": []}],
        OLD.cases: [{"id": "native:account:ta1", "platform": "native", "subject_type": "account",
                     "subject_id": "ta1", "category": "csam_advert", "severity": 4, "score": 0.9, "priority": 5.0,
                     "state": "open", "n_posts": 1, "reach": 0, "first_seen": 10.0, "last_seen": 10.0}],
        OLD.case_posts: [{"case_id": "native:account:ta1", "platform": "native", "post_id": "tp1"}],
        OLD.decisions: [{"case_id": "native:account:ta1", "reviewer": "trev", "decided_at": 11.0,
                         "outcome": "benign", "rationale": "template row"}],
        OLD.users: [{"name": "trev", "role": "reviewer", "password_hash": "x", "created_at": 1.0}],
        OLD.api_tokens: [{"token_hash": "t" * 64, "user": "trev", "created_at": 2.0}],
        OLD.banks: [{"name": "tb", "version": 1, "updated_at": 1.0}],
        OLD.bank_entries: [{"bank": "tb", "hash_type": "sha256", "value": "e" * 64, "category": "c", "source": "s",
                            "added_at": 1.0, "added_version": 1}],
        OLD.legal_holds: [{"kind": "case", "subject": "tc9", "until": 9e9, "reason": "r"}],
    }
    for table, values in rows.items():
        conn.execute(insert(table), values)
    return {t.name: len(v) for t, v in rows.items()}


def build_template(url: str) -> None:
    """Make the database at ``url`` (empty) a 6cb9ac4 store with rows, run ``csewatch db upgrade`` on it,
    check that the rows survived and that it is at head, then empty it (sequences restarted)."""
    from typer.testing import CliRunner

    from csewatch.cli import app
    from csewatch.store import schema as S
    from csewatch.store.migrate import current, head
    from tests.store import schema_6cb9ac4 as OLD

    engine = create_engine(url, poolclass=NullPool)
    OLD.metadata.create_all(engine)
    with engine.begin() as conn:
        expected = _old_rows(conn)
    r = CliRunner().invoke(app, ["db", "upgrade", "--db", url, "--json"])
    if r.exit_code != 0 or json.loads(r.output.strip().splitlines()[-1]) != {"before": None, "after": head()}:
        raise RuntimeError(f"`csewatch db upgrade` of the template failed ({r.exit_code}): {r.output}")
    with engine.begin() as conn:
        assert current(conn) == head()
        names = set(inspect(conn).get_table_names())
        kept = {name: conn.execute(select(func.count()).select_from(S.metadata.tables[name])).scalar_one()
                for name in expected}
        if kept != expected:
            raise RuntimeError(f"the upgrade lost rows: {kept} != {expected}")
        for table in reversed(S.metadata.sorted_tables):
            if table.name in names and table.name in expected:
                conn.execute(table.delete())
        if engine.dialect.name == "postgresql":
            for seq in conn.exec_driver_sql(
                "SELECT sequencename FROM pg_sequences WHERE schemaname = current_schema()"
            ).scalars():
                conn.exec_driver_sql(f'ALTER SEQUENCE "{seq}" RESTART')
        elif "sqlite_sequence" in names:
            conn.exec_driver_sql("DELETE FROM sqlite_sequence")
        left = {t.name for t in S.metadata.sorted_tables if t.name in names
                and conn.execute(select(func.count()).select_from(t)).scalar_one()}
        if left:
            raise RuntimeError(f"template tables not empty: {sorted(left)}")
    engine.dispose()


def _file_of(url: str) -> Path | None:
    """The SQLite file a normalised URL names (None: another database, or SQLite in memory)."""
    if not url.startswith("sqlite") or ":///" not in url:
        return None
    path = url.split(":///", 1)[1].split("?", 1)[0]
    if path in ("", ":memory:") or path.startswith("file:"):
        return None
    return Path(path)


def _db_name(hint: str) -> str:
    """A unique database name that still shows the file it stands for (``cwt_1a2b3c4d_s.db``)."""
    tail = re.sub(r"[^A-Za-z0-9._-]", "_", hint)[-40:]
    return f"cwt_{uuid.uuid4().hex[:8]}_{tail}" if tail else f"cwt_{uuid.uuid4().hex[:8]}"


class PgServer:
    """Databases on the scratch server named by CSEWATCH_TEST_PG_URL: create (empty or from the template),
    drop (forcing out connections a test left open)."""

    def __init__(self, url: str):
        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        self.template: str | None = None
        self.clone_seconds: list[float] = []

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> None:
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        started = time.perf_counter()
        for attempt in range(50):
            try:
                with self.admin.connect() as conn:
                    conn.exec_driver_sql(sql)
                break
            except OperationalError as exc:  # the template briefly in use (autovacuum): try again
                if "being accessed by other users" not in str(exc) or attempt == 49:
                    raise
                time.sleep(0.1)
        if template:
            self.clone_seconds.append(time.perf_counter() - started)

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def has_tables(self, name: str) -> bool:
        engine = create_engine(self.url_of(name), poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return bool(inspect(conn).get_table_names())
        finally:
            engine.dispose()

    def ensure_template(self) -> str:
        """The template database's name, built on first use."""
        if self.template is None:
            name = _db_name("template")
            self.create(name)
            try:
                build_template(self.url_of(name))
            except BaseException:
                self.drop(name)
                raise
            self.template = name
        return self.template

    def clone(self, hint: str, into: str | None = None) -> str:
        """A new database (named ``into``, or after ``hint``) copied from the template; returns its name."""
        template = self.ensure_template()
        name = into or _db_name(hint)
        self.create(name, template)
        return name

    def close(self) -> None:
        if self.template is not None:
            self.drop(self.template)
        self.admin.dispose()


@dataclass
class Router:
    """Which database each store a test opens really is (see the module's docstring)."""

    backend: str
    template_dir: Path
    pg: PgServer | None = None
    new_store: bool = False  # the current test asked for brand-new databases
    files: dict[str, str] = field(default_factory=dict)  # SQLite path -> PostgreSQL URL
    pending: dict[str, str] = field(default_factory=dict)  # an empty PostgreSQL URL handed out -> its name
    owned: list[str] = field(default_factory=list)  # databases to drop
    counts: Counter = field(default_factory=Counter)
    own_sqlite: set[str] = field(default_factory=set)  # tests that opened a SQLite file they made themselves
    current_test: str = ""
    _sqlite_template: Path | None = None
    _undo: list[Callable[[], None]] = field(default_factory=list)
    _orig_normalize: Callable[[str | None], str] = str  # set by install()

    def sqlite_template(self) -> Path:
        if self._sqlite_template is None:
            path = self.template_dir / "template.db"
            build_template(f"sqlite:///{path}")
            self._sqlite_template = path
        return self._sqlite_template

    def empty_pg_url(self, hint: str = "") -> str:
        """A fresh, empty PostgreSQL database; the first Store opened on it while it is still empty gets
        the template's (unless the test marked ``new_store``)."""
        assert self.pg is not None
        name = _db_name(hint or "db_url")
        self.pg.create(name)
        self.owned.append(name)
        url = self.pg.url_of(name)
        self.pending[url] = name
        return url

    def mapped(self, url: str) -> str:
        """``url`` with a SQLite path this session moved to PostgreSQL replaced by that database's URL."""
        path = _file_of(url)
        if path is not None and self.files and path.exists():
            return self.files.get(os.path.abspath(path), url)
        return url

    def route(self, url: str | None, create: bool) -> str | None:
        """The URL Store.__init__ really opens for ``url``."""
        norm = self._orig_normalize(url)
        if norm in self.pending:
            name = self.pending.pop(norm)
            if self.pg.has_tables(name):  # type: ignore[union-attr]
                return url  # the test made its tables itself (an old database to migrate)
            if self.new_store:
                self.counts["postgresql new"] += 1
            else:
                self.pg.ensure_template()  # type: ignore[union-attr]
                self.pg.drop(name)  # type: ignore[union-attr]
                self.pg.clone("", into=name)  # type: ignore[union-attr]
                self.counts["postgresql from template"] += 1
            return url
        path = _file_of(norm)
        if path is None:
            return url
        key = os.path.abspath(path)
        if path.exists():
            if key in self.files:
                return self.files[key]
            if self.backend == "postgresql":
                self.own_sqlite.add(self.current_test)
            return url
        if not create or not path.parent.is_dir():
            return url  # refused (StoreMissing) or failing exactly as without the routing
        if self.backend == "postgresql":
            assert self.pg is not None
            if self.new_store:
                name = _db_name(path.name)
                self.pg.create(name)
                self.counts["postgresql new"] += 1
            else:
                name = self.pg.clone(path.name)
                self.counts["postgresql from template"] += 1
            self.owned.append(name)
            path.touch()  # the path exists while its database does
            self.files[key] = self.pg.url_of(name)
            return self.files[key]
        if self.new_store:
            self.counts["sqlite new"] += 1
            return url
        shutil.copyfile(self.sqlite_template(), path)
        self.counts["sqlite from template"] += 1
        return url

    def install(self) -> None:
        """Wrap Store.__init__ and csewatch.store.normalize_url for the session."""
        import csewatch.store as store_mod

        orig_init = store_mod.Store.__init__
        orig_normalize = store_mod.normalize_url
        self._orig_normalize = orig_normalize
        signature = pyinspect.signature(orig_init)
        router = self

        def init(self_: Any, *args: Any, **kwargs: Any) -> None:
            bound = signature.bind(self_, *args, **kwargs)
            bound.apply_defaults()
            bound.arguments["url"] = router.route(bound.arguments.get("url"), bool(bound.arguments.get("create", True)))
            orig_init(*bound.args, **bound.kwargs)

        def normalize(db: str | None) -> str:
            return router.mapped(orig_normalize(db))

        init.__doc__ = orig_init.__doc__
        store_mod.Store.__init__ = init  # type: ignore[method-assign]
        store_mod.normalize_url = normalize

        def undo() -> None:
            store_mod.Store.__init__ = orig_init  # type: ignore[method-assign]
            store_mod.normalize_url = orig_normalize

        self._undo.append(undo)

    def end_test(self, keep: int) -> None:
        """Drop the databases made since ``keep`` (those of the test that just ended)."""
        while len(self.owned) > keep:
            name = self.owned.pop()
            if self.pg is not None:
                self.pg.drop(name)
        if self.files:
            live = {self.pg.url_of(n) for n in self.owned} if self.pg is not None else set()
            self.files = {k: v for k, v in self.files.items() if v in live}
        self.pending = {u: n for u, n in self.pending.items() if n in self.owned}

    def close(self) -> None:
        self.end_test(0)
        for undo in self._undo:
            undo()
        if self.pg is not None:
            self.pg.close()

    def summary(self, skipped: dict[str, list[str]]) -> list[str]:
        """Lines for the end of the run: what the stores were made from, and what did not run here."""
        made = ", ".join(f"{n} {what}" for what, n in sorted(self.counts.items())) or "none"
        lines = [f"store backend {self.backend or 'sqlite (+ db_url on both)'}: stores opened: {made}"]
        if self.pg is not None and self.pg.clone_seconds:
            s = self.pg.clone_seconds
            lines.append(f"  CREATE DATABASE ... TEMPLATE: {len(s)} clones, mean {sum(s) / len(s):.3f} s")
        if self.backend == "postgresql":
            n = sum(len(v) for v in skipped.values())
            lines.append(f"  skipped as SQLite-only: {n} tests")
            for reason, ids in sorted(skipped.items()):
                lines.append(f"    {len(ids)}: {reason}")
            if self.own_sqlite:
                lines.append(f"  opened a SQLite file they had made themselves: {len(self.own_sqlite)} tests")
                lines.extend(f"    {t}" for t in sorted(self.own_sqlite))
        return lines
