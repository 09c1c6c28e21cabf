"""Alembic migrations on each backend: a database made by the code at 6cb9ac4 (tables from the frozen
copy of that schema, with rows) upgrades to head, keeps its rows, matches today's MetaData and the
store works on it; a new database is created at head and stamped; ``csewatch db`` reports and upgrades."""

from __future__ import annotations

import json

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, insert, inspect, select, text
from typer.testing import CliRunner

from csewatch.cli import app
from csewatch.model import Post
from csewatch.store import Batch, Store
from csewatch.store import schema as S
from csewatch.store.migrate import UnknownSchema, current, head, upgrade
from csewatch.triage import Triage
from tests.store import schema_6cb9ac4 as OLD


def _diffs(engine) -> list:
    """Differences between the database and today's MetaData (tables, columns, types, indexes)."""
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(ctx, S.metadata)


def _old_database(url: str, with_holds: bool = True) -> None:
    """A store as csewatch made it at 6cb9ac4 (create_all of that schema), with a few rows."""
    engine = create_engine(url)
    tables = [t for t in OLD.metadata.sorted_tables if with_holds or t.name != "legal_holds"]
    OLD.metadata.create_all(engine, tables=tables)
    with engine.begin() as conn:
        conn.execute(
            insert(OLD.posts),
            [
                {"platform": "native", "id": "p1", "author_id": "a1", "created_at": 10.0, "text": "hello",
                 "hashtags": ["x"]}
            ],
        )
        conn.execute(insert(OLD.accounts), [{"platform": "native", "id": "a1", "handle": "shop_a1", "links": []}])
        conn.execute(
            insert(OLD.cases),
            [
                {
                    "id": "native:account:a1", "platform": "native", "subject_type": "account", "subject_id": "a1",
                    "category": "csam_advert", "severity": 4, "score": 0.9, "priority": 5.0, "state": "open",
                    "n_posts": 1, "reach": 0, "first_seen": 10.0, "last_seen": 10.0,
                }
            ],
        )
        conn.execute(insert(OLD.case_posts), [{"case_id": "native:account:a1", "platform": "native", "post_id": "p1"}])
        conn.execute(insert(OLD.users), [{"name": "rev1", "role": "reviewer", "password_hash": "x", "created_at": 1.0}])
        conn.execute(insert(OLD.api_tokens), [{"token_hash": "t" * 64, "user": "rev1", "created_at": 2.0}])
        conn.execute(
            insert(OLD.bank_entries),
            [
                {
                    "bank": "b", "hash_type": "sha256", "value": "e" * 64, "category": "c", "source": "s",
                    "added_at": 1.0, "added_version": 1,
                }
            ],
        )
        if with_holds:
            conn.execute(insert(OLD.legal_holds), [{"kind": "case", "subject": "c9", "until": 9e9, "reason": "r"}])
    engine.dispose()


@pytest.mark.parametrize("with_holds", [True, False], ids=["holds", "no-holds"])
def test_database_of_6cb9ac4_upgrades_keeps_rows_and_works(db_url, policy, with_holds):
    _old_database(db_url, with_holds)
    store = Store(db_url, policy.version)  # first use: stamp 0001, upgrade to head
    with store.engine.connect() as conn:
        assert current(conn) == head()
        assert conn.execute(select(S.users.c.name, S.users.c.disabled_at)).all() == [("rev1", None)]
        assert conn.execute(select(S.api_tokens.c.user, S.api_tokens.c.expires_at)).all() == [("rev1", None)]
        assert conn.execute(select(S.bank_entries.c.value)).scalars().all() == ["e" * 64]
        holds = conn.execute(select(S.legal_holds.c.subject)).scalars().all()
    assert holds == (["c9"] if with_holds else [])
    assert _diffs(store.engine) == []
    assert store.post("native", "p1")["text"] == "hello"
    assert store.case("native:account:a1").state == "open"
    # the store works on it: a batch, and what the new revisions added
    batch = Batch(source="s", position=1, line=1, fmt="jsonl")
    batch.posts.append(Post(id="p2", platform="native", author_id="a1", text="again"))
    store.commit_batch(batch, Triage(policy))
    assert store.counts()["posts"] == 2
    store.save_model("m1", {"mode": "shadow"}, b"blob")
    assert [m["version"] for m in store.models()] == ["m1"]
    long_value = "f" * 64 + ",".join(["0" * 64] * 20)  # longer than the old VARCHAR(64)
    store.banks.put_entries(  # keyed on the value's digest since 0005 (store/banks.py computes it)
        [{"bank": "b", "hash_type": "vpdq", "value": long_value, "category": "c", "source": "s",
          "added_at": 1.0, "added_version": 2}],
    )
    store.close()
    assert Store(db_url).counts()["posts"] == 2  # reopening at head: nothing to do, nothing lost


@pytest.mark.new_store
def test_new_database_is_created_at_head_and_matches_metadata(db_url):
    store = Store(db_url)
    with store.engine.connect() as conn:
        assert current(conn) == head()
        assert "legal_holds" in inspect(conn).get_table_names()
    assert _diffs(store.engine) == []
    store.close()


def test_database_of_code_in_between_is_stamped_and_upgraded(db_url):
    """Made after 6cb9ac4 but before migrations: some of revision 0002 already there (create_all of the
    new tables, the web's ad-hoc ALTER of users), some not."""
    _old_database(db_url)
    engine = create_engine(db_url)
    S.shadow_verdicts.create(engine)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE users ADD COLUMN disabled_at FLOAT"))
    assert upgrade(engine) == (None, head())
    assert _diffs(engine) == []
    assert upgrade(engine) == (head(), head())  # idempotent
    engine.dispose()


def test_foreign_tables_without_stamp_are_refused(db_url):
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE posts (id INTEGER PRIMARY KEY)"))
    with pytest.raises(UnknownSchema, match="lacks"):
        upgrade(engine)
    engine.dispose()


@pytest.mark.sqlite_only("migrates a SQLite file it makes (the PostgreSQL template: `csewatch db upgrade`)")
def test_cli_db_current_and_upgrade(tmp_path):
    db = tmp_path / "old.db"
    _old_database(f"sqlite:///{db}")
    runner = CliRunner()
    r = runner.invoke(app, ["db", "current", "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"current": None, "head": head(), "up_to_date": False}
    r = runner.invoke(app, ["db", "upgrade", "--db", str(db), "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"before": None, "after": head()}
    r = runner.invoke(app, ["db", "current", "--db", str(db)])
    assert r.exit_code == 0 and "up to date" in r.output
    r = runner.invoke(app, ["db", "upgrade", "--db", str(tmp_path / "missing.db")])
    assert r.exit_code == 2 and not (tmp_path / "missing.db").exists()


@pytest.mark.parametrize("forked", [False, True], ids=["chain", "forked"])
def test_audit_guards_come_with_the_upgrade(db_url, forked):
    """0004: the old audit log becomes append-only (triggers) with one entry per predecessor (unique
    index), except that a log which forked already keeps its rows and gets no unique index."""
    from sqlalchemy.exc import DBAPIError

    from csewatch.review.audit import GENESIS, AuditLog, entry_hash

    _old_database(db_url)
    engine = create_engine(db_url)
    rows = [{"at": 1.0, "actor": "a", "action": "x", "subject": "s", "details": "{}", "prev_hash": GENESIS,
             "hash": entry_hash(GENESIS, 1.0, "a", "x", "s", "{}")}]
    if forked:
        rows.append({**rows[0], "hash": "2" * 64})
    with engine.begin() as conn:
        conn.execute(insert(OLD.audit_log), rows)
    engine.dispose()
    store = Store(db_url)
    with store.engine.connect() as conn:
        unique = {ix["name"] for ix in inspect(conn).get_indexes("audit_log") if ix.get("unique")}
        assert conn.execute(select(S.audit_log.c.hash)).scalars().all() == [r["hash"] for r in rows]
    assert ("ux_audit_log_prev_hash" in unique) is not forked
    for stmt in ("UPDATE audit_log SET actor = 'z'", "DELETE FROM audit_log"):
        with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
            conn.exec_driver_sql(stmt)
    if not forked:
        AuditLog(store).append("rev1", "claim", "c1")
        assert AuditLog(store).verify().ok
    store.close()


@pytest.mark.new_store
def test_new_store_has_audit_guards(db_url):
    from sqlalchemy.exc import DBAPIError

    from csewatch.review.audit import AuditLog

    store = Store(db_url)
    AuditLog(store).append("rev1", "claim", "c1")
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM audit_log")
    store.close()


def test_bank_entries_keyed_on_the_value_digest_keep_every_entry(db_url):
    """0005: a store of 0004 holding entries (a removed one, a vPDQ value of 25 frames: near the most a
    PostgreSQL index row took) keeps every row, each keyed on its value's SHA-256; banks work on it; a
    downgrade to 0004 and back keeps them too."""
    from alembic import command

    from csewatch.media.bank import Banks
    from csewatch.store.banks import value_digest
    from csewatch.store.migrate import _config

    _old_database(db_url)  # one sha256 entry
    engine = create_engine(db_url)
    assert upgrade(engine, "0004") == (None, "0004")
    video = ";".join(f"{i},{i + 1:064x},100,{i}.000" for i in range(25))
    base = {"bank": "internal", "category": "c", "source": "s", "added_at": 1.0, "expires_at": None,
            "added_version": 1, "removed_version": None}
    with engine.begin() as conn:
        conn.execute(
            insert(OLD.bank_entries),
            [
                {**base, "hash_type": "vpdq", "value": video},
                {**base, "hash_type": "md5", "value": "d" * 32, "removed_version": 2},
                {**base, "hash_type": "pdq", "value": "e" * 64},  # the same text as the sha256 entry, another type
            ],
        )
    cols = [c for c in S.bank_entries.c if c.name != "value_digest"]

    def rows() -> list[tuple]:
        with engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(select(*cols)))

    before = rows()
    assert len(before) == 4
    assert upgrade(engine) == ("0004", head())
    assert _diffs(engine) == []
    assert rows() == before
    with engine.connect() as conn:
        keyed = conn.execute(select(S.bank_entries.c.value, S.bank_entries.c.value_digest)).all()
    assert all(d == value_digest(v) and len(d) == 64 for v, d in keyed)
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0004")
    assert rows() == before
    assert "value_digest" not in {c["name"] for c in inspect(engine).get_columns("bank_entries")}
    assert upgrade(engine) == ("0004", head()) and _diffs(engine) == [] and rows() == before
    engine.dispose()

    banks = Banks(Store(db_url))
    assert [e["hash_type"] for e in banks.lookup("sha256", "e" * 64)] == ["sha256"]
    assert banks.lookup("md5", "d" * 32) == []  # removed before the migration, still removed
    assert [e["value"] for e in banks.active("internal", "vpdq")] == [video]
    again = {"category": "c", "source": "s", "added_at": 1.0}  # (the rows above bypassed the banks table)
    assert banks.add("internal", [{"hash_type": "vpdq", "value": video, **again}]) == (1, 0, 1)  # in force: unchanged
    assert banks.add("internal", [{"hash_type": "md5", "value": "d" * 32, **again}]) == (2, 1, 0)  # removed: back
    assert banks.remove("internal", [video]) == (3, 1)
    assert banks.stats()[1] == {"bank": "internal", "version": 3, "sha256": 0, "md5": 1, "pdq": 1, "vpdq": 0}
    banks.store.close()


def test_action_lease_columns_come_with_the_upgrade_and_keep_every_action(db_url):
    """0006: actions get the sender's lease (lease_until, leased_by; NULL: nobody sending); a store of 0005 with
    a delivered and a pending action keeps both; a downgrade to 0005 and back keeps them too."""
    from alembic import command

    from csewatch.store.migrate import _config

    _old_database(db_url)
    engine = create_engine(db_url)
    assert upgrade(engine, "0005") == (None, "0005")
    base = {"kind": "remove_post", "platform": "native", "case_id": "native:account:a1", "decided_by": "rev1",
            "reason": "r", "created_at": 1.0}
    with engine.begin() as conn:
        conn.execute(insert(OLD.actions), [
            {**base, "key": "k1", "target": "p1", "delivered_at": 2.0, "attempts": 1},
            {**base, "key": "k2", "target": "p2", "delivered_at": None, "attempts": 3},
        ])
    cols = [c for c in S.actions.c if c.name not in ("lease_until", "leased_by")]

    def rows() -> list[tuple]:
        with engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(select(*cols)))

    before = rows()
    assert upgrade(engine) == ("0005", head()) and _diffs(engine) == [] and rows() == before
    with engine.connect() as conn:
        assert conn.execute(select(S.actions.c.lease_until, S.actions.c.leased_by)).all() == [(None, None)] * 2
    with engine.begin() as conn:
        command.downgrade(_config(conn), "0005")
    assert rows() == before
    assert not {"lease_until", "leased_by"} & {c["name"] for c in inspect(engine).get_columns("actions")}
    assert upgrade(engine) == ("0005", head()) and _diffs(engine) == [] and rows() == before
    engine.dispose()

    store = Store(db_url)
    row = {**base, "key": "k2", "target": "p2", "delivered_at": None, "attempts": 0}
    assert store.reviews.take_action(row, "s1", 10.0, 300.0)  # the pending one: taken once
    assert not store.reviews.take_action(row, "s2", 20.0, 300.0)
    assert not store.reviews.take_action({**row, "key": "k1", "target": "p1"}, "s1", 10.0, 300.0)  # delivered
    store.reviews.record_delivery("k2", "s1", 1, 30.0)
    assert store.reviews.action_state("k2") == {"delivered_at": 30.0, "attempts": 4, "lease_until": None,
                                                "leased_by": None}
    store.close()
