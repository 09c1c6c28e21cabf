"""The stores tests open (tests/backends.py): a path becomes a copy of the template upgraded from a 6cb9ac4
database (a SQLite file, or with CSEWATCH_TEST_BACKEND=postgresql a PostgreSQL database), empty, at head and
matching today's MetaData; the CLI reaches the same database through --db; a missing path is still refused."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from typer.testing import CliRunner

from csewatch.cli import app
from csewatch.model import Post
from csewatch.store import Batch, Store, StoreMissing
from csewatch.store import schema as S
from csewatch.store.migrate import current, head
from csewatch.triage import Triage
from tests.backends import BACKEND


def _made(router, how: str) -> int:
    return sum(n for what, n in router.counts.items() if what.endswith(how))


def test_a_path_opens_a_copy_of_the_upgraded_template(tmp_path, policy, _store_router):
    before = _made(_store_router, "from template")
    store = Store(str(tmp_path / "s.db"), policy.version)
    assert _made(_store_router, "from template") == before + 1
    assert (tmp_path / "s.db").exists()
    assert store.engine.dialect.name == ("postgresql" if BACKEND == "postgresql" else "sqlite")
    with store.engine.connect() as conn:
        assert current(conn) == head()
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), S.metadata) == []
    assert set(store.counts().values()) == {0}  # the template's rows were checked and removed
    batch = Batch(source="s", position=1, line=1, fmt="jsonl")
    batch.posts.append(Post(id="p1", platform="native", author_id="a1", text="plain text"))
    store.commit_batch(batch, Triage(policy))
    # the same database again, by path and through the CLI's --db
    assert Store(str(tmp_path / "s.db"), create=False).counts()["posts"] == 1
    r = CliRunner().invoke(app, ["db", "current", "--db", str(tmp_path / "s.db"), "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["up_to_date"] is True, r.output
    r = CliRunner().invoke(app, ["cases", "--db", str(tmp_path / "s.db"), "--json"])
    assert r.exit_code == 0, r.output
    store.close()


def test_a_missing_path_is_still_refused(tmp_path, _store_router):
    before = dict(_store_router.counts)
    with pytest.raises(StoreMissing, match="typo.db"):
        Store(str(tmp_path / "typo.db"), create=False)
    r = CliRunner().invoke(app, ["cases", "--db", str(tmp_path / "typo.db")])
    assert r.exit_code == 2 and not (tmp_path / "typo.db").exists()
    assert dict(_store_router.counts) == before


@pytest.mark.new_store
def test_new_store_marker_gives_a_database_the_store_makes(tmp_path, _store_router):
    before = _made(_store_router, "from template")
    store = Store(str(tmp_path / "n.db"))
    assert _made(_store_router, "from template") == before
    with store.engine.connect() as conn:
        assert current(conn) == head()
    store.close()
