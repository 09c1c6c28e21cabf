"""Storage behind one interface: no module outside ``csewatch.store`` touches a table. Walks every
module of src/csewatch and fails when one imports the store's schema (``csewatch.store.schema``) or
SQLAlchemy's statement builders (select, insert, update, delete, text, func...); callers use the store's
domain methods (``Store`` and its areas, store/area.py). Type names (``Connection``, ``Engine``) are
allowed, so a caller can pass its transaction to an area method; ``commands/db.py`` opens an engine to
report and migrate the schema revision."""

from __future__ import annotations

import ast
from pathlib import Path

import csewatch

SRC = Path(csewatch.__file__).parent

TYPE_NAMES = {"Connection", "Engine", "create_engine", "make_url"}
ALLOWED_MODULES = {"csewatch.commands.db"}  # `csewatch db current|upgrade`: an engine for Alembic


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def table_access(path: Path) -> list[str]:
    """What in this file reaches past the store's interface: the schema or a SQL builder."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = {a.name for a in node.names}
            if node.module == "csewatch.store" and "schema" in names or node.module.startswith("csewatch.store.schema"):
                found.append(f"line {node.lineno}: the store's schema")
            elif node.module.split(".")[0] == "sqlalchemy" and names - TYPE_NAMES:
                found.append(f"line {node.lineno}: sqlalchemy {sorted(names - TYPE_NAMES)}")
        elif isinstance(node, ast.Import):
            for a in node.names:
                if a.name.startswith("csewatch.store.schema") or a.name.split(".")[0] == "sqlalchemy":
                    found.append(f"line {node.lineno}: import {a.name}")
    return found


def test_no_module_outside_the_store_touches_a_table() -> None:
    offenders = {}
    for path in sorted(SRC.rglob("*.py")):
        mod = _module(path)
        if mod.startswith("csewatch.store") or mod in ALLOWED_MODULES:
            continue
        if hits := table_access(path):
            offenders[mod] = hits
    assert offenders == {}


def test_the_walk_finds_table_access(tmp_path: Path) -> None:
    f = tmp_path / "bad.py"
    f.write_text(
        "def f(conn):\n    from csewatch.store import schema as S\n    from sqlalchemy import select, Connection\n"
    )
    assert len(table_access(f)) == 2
    ok = tmp_path / "ok.py"
    ok.write_text("from sqlalchemy import Connection\n")
    assert table_access(ok) == []
