"""Schema migrations of the store (Alembic, scripts in ``csewatch/store/migrations``).

``ensure_schema`` runs when a Store opens: a new database is created at head from the package's
MetaData and stamped; a database made before migrations (tables but no ``alembic_version``) is
recognised by its revision-0001 shape, stamped 0001 and upgraded; a stamped one is upgraded to head.
A database already at head costs one small read. ``csewatch db upgrade`` / ``db current`` use the same
functions.
"""

from __future__ import annotations

import functools
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect

from csewatch.store import schema

MIGRATIONS = Path(__file__).with_name("migrations")
# the tables every database of revision 0001 has (what csewatch made at 6cb9ac4 with create_all)
BASELINE_TABLES = frozenset(
    {
        "posts", "accounts", "edges", "signals", "verdicts", "cases", "case_posts", "checkpoints", "rejects",
        "detector_state", "banks", "bank_entries", "audit_log", "decisions", "rule_feedback", "actions",
        "users", "sessions", "api_tokens", "claims",
    }
)


class UnknownSchema(RuntimeError):
    """A database with some tables but neither an alembic_version nor the revision-0001 shape."""


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


@functools.cache
def head() -> str:
    """The newest revision of the migration scripts."""
    rev = ScriptDirectory.from_config(_config()).get_current_head()
    assert rev is not None
    return rev


def current(conn: Connection) -> str | None:
    """The revision the database is stamped with (None: not stamped)."""
    return MigrationContext.configure(conn).get_current_revision()


def _state(conn: Connection) -> tuple[str | None, set[str]]:
    tables = set(inspect(conn).get_table_names())
    rev = current(conn) if "alembic_version" in tables else None
    return rev, tables - {"alembic_version"}


def upgrade(engine: Engine, target: str = "head") -> tuple[str | None, str | None]:
    """Bring the database to ``target`` (see the module's docstring); returns (before, after)."""
    with engine.begin() as conn:
        before, tables = _state(conn)
        if before is None and not tables:  # a new database: today's tables at once, stamped head
            if target == "head":
                schema.metadata.create_all(conn)
                command.stamp(_config(conn), "head")
                return None, current(conn)
        elif before is None:  # made before migrations: stamp the baseline it has, then upgrade
            missing = BASELINE_TABLES - tables
            if missing:
                raise UnknownSchema(
                    f"the database has tables but no alembic_version, and lacks {', '.join(sorted(missing))}: "
                    "not a csewatch store of revision 0001; refusing to migrate it"
                )
            command.stamp(_config(conn), "0001")
        command.upgrade(_config(conn), target)
        return before, current(conn)


def ensure_schema(engine: Engine) -> None:
    """What a Store does when it opens: nothing when already at head, else ``upgrade``."""
    with engine.connect() as conn:
        rev, _tables = _state(conn)
    if rev != head():
        upgrade(engine)
