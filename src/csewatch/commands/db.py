"""``csewatch db``: the store's schema revision (``current``) and its migration to the newest
(``upgrade``). A Store also upgrades on first use; these commands do it explicitly, e.g. before
several workers open a PostgreSQL store at once, and say where a database stands."""

from __future__ import annotations

import json

import typer
from sqlalchemy import create_engine

db_app = typer.Typer(no_args_is_help=True, help="The store's schema: current revision, upgrade (Alembic).")

_DB = typer.Option("csewatch.db", "--db", envvar="CSEWATCH_DB", help="SQLite path or SQLAlchemy URL")
_JSON = typer.Option(False, "--json", help="Print JSON")


def _engine(db: str):  # type: ignore[no-untyped-def]
    from csewatch.store import missing_sqlite_file, normalize_url

    missing = missing_sqlite_file(db)
    if missing is not None:
        typer.echo(f"no database at {missing}: check --db (only `csewatch scan` creates a store)", err=True)
        raise typer.Exit(2)
    return create_engine(normalize_url(db))


@db_app.command("current")
def current_cmd(db: str = _DB, as_json: bool = _JSON) -> None:
    """The revision the database is stamped with, and the newest the code knows."""
    from csewatch.store.migrate import current, head

    engine = _engine(db)
    try:
        with engine.connect() as conn:
            rev = current(conn)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps({"current": rev, "head": head(), "up_to_date": rev == head()}))
    else:
        state = "up to date" if rev == head() else "needs `csewatch db upgrade`"
        typer.echo(f"current {rev or '(not stamped)'}; head {head()}; {state}")


@db_app.command("upgrade")
def upgrade_cmd(db: str = _DB, as_json: bool = _JSON) -> None:
    """Migrate the database to the newest revision (a database made before migrations is recognised
    by its revision-0001 tables and stamped first)."""
    from csewatch.store.migrate import UnknownSchema, upgrade

    engine = _engine(db)
    try:
        before, after = upgrade(engine)
    except UnknownSchema as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from exc
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps({"before": before, "after": after}))
    else:
        typer.echo(f"upgraded {before or '(not stamped)'} -> {after}" if before != after else f"already at {after}")
