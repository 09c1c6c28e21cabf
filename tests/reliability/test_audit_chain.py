"""The audit chain under concurrent appends, and what its keyed anchor detects: an edited entry, a cut
tail, a chain recomputed by someone with write access to the database (but not the key)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import IntegrityError
from typer.testing import CliRunner

from csewatch.review.audit import GENESIS, AuditLog, entry_hash
from csewatch.store import Store


def _hammer(store: Store, key_file=None, threads: int = 16, each: int = 15) -> list[str]:
    errors: list[str] = []

    def worker(i: int) -> None:
        log = AuditLog(store, key_file=key_file)
        for j in range(each):
            try:
                log.append(f"reviewer{i}", "view_case", f"native:account:acct{j}")
            except Exception as exc:  # noqa: BLE001 - every failure is a test failure
                errors.append(repr(exc))

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return errors


def test_concurrent_appends_keep_one_chain(tmp_path):
    store = Store(str(tmp_path / "a.db"))
    assert _hammer(store) == []
    res = AuditLog(store).verify()
    assert res.ok, res
    assert res.entries == 240
    assert not res.keyed and any("tail" in s for s in res.not_proved)


def test_concurrent_audited_case_views_through_the_web_app(tmp_path):
    from fastapi.testclient import TestClient

    from csewatch.pipeline import Scanner
    from csewatch.policy import load_policy
    from csewatch.web.app import create_app
    from csewatch.web.auth import Auth

    policy = load_policy()
    src = tmp_path / "s.jsonl"
    src.write_text('{"type":"post","id":"1","author_id":"seller","text":"selling c*p vids 20$ dm"}\n')
    store = Store(str(tmp_path / "w.db"), policy.version)
    Scanner(policy, store).scan([str(src)])
    auth = Auth(store)
    auth.add_user("lead1", "a long enough passphrase here", "lead")
    token = auth.new_api_token("lead1")
    app = create_app(store, policy, [])
    errors: list[str] = []

    def worker(i: int) -> None:
        client = TestClient(app)
        for _ in range(15):
            r = client.get("/api/cases/native:account:seller", headers={"Authorization": f"Bearer {token}"})
            if r.status_code != 200:
                errors.append(f"{r.status_code}")

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
    log = AuditLog(store)
    res = log.verify()
    assert res.ok, res
    assert sum(1 for e in log.entries() if e["action"] == "api_view_case") == 240


def test_a_fork_is_refused_by_the_database(tmp_path):
    store = Store(str(tmp_path / "a.db"))
    log = AuditLog(store)
    log.append("a", "x", "s")
    with pytest.raises(IntegrityError):  # a second entry after the genesis
        with store.engine.begin() as con:
            con.execute(
                text(
                    "INSERT INTO audit_log (at, actor, action, subject, details, prev_hash, hash) "
                    "VALUES (1, 'b', 'y', 's', '{}', :prev, :hash)"
                ),
                {"prev": GENESIS, "hash": "f" * 64},
            )


@pytest.fixture()
def keyed(tmp_path):
    store = Store(str(tmp_path / "k.db"))
    key_file = tmp_path / "secrets" / "audit.key"
    assert _hammer(store, key_file, threads=4, each=5) == []
    assert oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    res = AuditLog(store, key_file=key_file).verify()
    assert res.ok and res.keyed and res.anchored_seq == 20 and res.unanchored == 0, res
    return store, key_file, tmp_path / "k.db"


# the append-only guards, as someone with write access to the database (not the key) drops them: SQLite has
# a trigger for UPDATE and one for DELETE; PostgreSQL one row trigger for both (and one for TRUNCATE, kept)
_GUARDS = {
    "sqlite": ["DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_delete"],
    "postgresql": ["DROP TRIGGER audit_no_modify ON audit_log"],
}


@contextmanager
def _raw(store: Store) -> Iterator[Connection]:
    """A transaction on the store's database with the audit log's guards dropped; committed on exit."""
    with store.engine.begin() as con:
        for stmt in _GUARDS[store.engine.dialect.name]:
            con.exec_driver_sql(stmt)
        yield con


REWRITE = "UPDATE audit_log SET actor = :actor, prev_hash = :prev, hash = :hash WHERE seq = :seq"


@pytest.mark.sqlite_only("reads the database file's bytes")
def test_key_never_stored_in_the_database(keyed):
    _store, key_file, db = keyed
    key = key_file.read_bytes().strip()
    assert key not in db.read_bytes()


def test_edit_detected(keyed):
    store, key_file, _db = keyed
    with _raw(store) as con:
        con.execute(text("UPDATE audit_log SET actor = 'someone_else' WHERE seq = 7"))
    res = AuditLog(store, key_file=key_file).verify()
    assert not res.ok and res.first_bad == 7 and "edited" in res.reason


def test_cut_tail_detected_only_with_the_key(keyed):
    store, key_file, _db = keyed
    with _raw(store) as con:
        con.execute(text("DELETE FROM audit_log WHERE seq > 15"))
    assert AuditLog(store).verify().ok  # the chain alone cannot tell
    res = AuditLog(store, key_file=key_file).verify()
    assert not res.ok and "tail cut" in res.reason and "entry 15" in res.reason


def test_recomputed_chain_detected_with_the_key(keyed):
    store, key_file, _db = keyed
    with _raw(store) as con:
        rows = con.execute(text("SELECT seq, at, actor, action, subject, details FROM audit_log ORDER BY seq")).all()
        prev = GENESIS
        for seq, at, actor, action, subject, details in rows:
            if seq == 3:
                actor = "rewritten"
            h = entry_hash(prev, at, actor, action, subject, details)
            con.execute(text(REWRITE), {"actor": actor, "prev": prev, "hash": h, "seq": seq})
            prev = h
    assert AuditLog(store).verify().ok  # a consistent, recomputed chain
    res = AuditLog(store, key_file=key_file).verify()
    assert not res.ok
    assert "recomputed" in res.reason or "no anchor" in res.reason  # the log's identity is its first entry


def test_recomputed_tail_detected_with_the_key(keyed):
    store, key_file, _db = keyed
    with _raw(store) as con:
        sql = "SELECT seq, at, actor, action, subject, details, prev_hash FROM audit_log ORDER BY seq"
        rows = con.execute(text(sql)).all()
        prev = rows[9][6]
        for seq, at, actor, action, subject, details, _p in rows[9:]:
            actor = "rewritten" if seq == 12 else actor
            h = entry_hash(prev, at, actor, action, subject, details)
            con.execute(text(REWRITE), {"actor": actor, "prev": prev, "hash": h, "seq": seq})
            prev = h
    assert AuditLog(store).verify().ok
    res = AuditLog(store, key_file=key_file).verify()
    assert not res.ok and "recomputed" in res.reason and res.first_bad == 20


def test_forged_anchor_and_wrong_key_detected(keyed, tmp_path):
    store, key_file, _db = keyed
    other = tmp_path / "other.key"
    other.write_text("b" * 64)
    res = AuditLog(store, key_file=other, anchor_dir=key_file.with_name("audit.key.anchors")).verify()
    assert not res.ok and "does not verify" in res.reason


def test_unanchored_entries_are_reported(keyed):
    store, key_file, _db = keyed
    AuditLog(store).append("late", "x", "s")  # a process without the key
    res = AuditLog(store, key_file=key_file).verify()
    assert res.ok and res.anchored_seq == 20 and res.unanchored == 1
    assert any("not anchored" in s for s in res.not_proved)


def test_appends_in_a_callers_transaction_do_not_anchor_uncommitted_entries(keyed):
    store, key_file, _db = keyed
    log = AuditLog(store, key_file=key_file)
    with pytest.raises(RuntimeError):
        with store.engine.begin() as conn:
            log.append("a", "claim", "c1", conn=conn)
            log.append("a", "decide", "c1", conn=conn)
            raise RuntimeError("the caller's transaction fails")
    res = AuditLog(store, key_file=key_file).verify()
    assert res.ok and res.entries == 20 and res.anchored_seq == 20, res


def test_cli_verify_says_what_it_proves(keyed, monkeypatch):
    from csewatch.cli import app

    store, key_file, db = keyed
    runner = CliRunner()
    r = runner.invoke(app, ["audit", "verify", "--db", str(db)])
    assert r.exit_code == 0 and "chain intact" in r.output and "not proved" in r.output.lower()
    r = runner.invoke(app, ["audit", "verify", "--db", str(db), "--key-file", str(key_file)])
    assert r.exit_code == 0 and "anchored" in r.output, r.output
    with _raw(store) as con:
        con.execute(text("DELETE FROM audit_log WHERE seq > 18"))
    monkeypatch.setenv("CSEWATCH_AUDIT_KEY_FILE", str(key_file))
    r = runner.invoke(app, ["audit", "verify", "--db", str(db)])
    assert r.exit_code == 1 and "tail cut" in r.output


def test_concurrent_appends_in_callers_transactions_on_each_backend(db_url, tmp_path):
    """Appends in callers' transactions (two per transaction, as a claim and a decision) and appends in
    their own, from many threads: one chain, on SQLite and PostgreSQL; the anchor follows the committed head."""
    store = Store(db_url)
    key_file = tmp_path / "audit.key"
    errors: list[str] = []

    def worker(i: int) -> None:
        log = AuditLog(store, key_file=key_file)
        for j in range(6):
            try:
                if i % 2:
                    with store.transaction() as conn:
                        log.append(f"reviewer{i}", "claim", f"case{j}", conn=conn)
                        log.append(f"reviewer{i}", "decide", f"case{j}", {"n": j}, conn)
                else:
                    log.append(f"reviewer{i}", "view_case", f"case{j}")
            except Exception as exc:  # noqa: BLE001 - every failure is a test failure
                errors.append(repr(exc))

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
    entries = store.audit.entries()
    assert len(entries) == 4 * 6 * 2 + 4 * 6 == 72
    assert len({e["prev_hash"] for e in entries}) == 72 and store.audit.first_hash() == entries[0]["hash"]
    res = AuditLog(store, key_file=key_file).verify()
    assert res.ok and res.entries == 72 and res.anchored_seq is not None, res
    AuditLog(store, key_file=key_file).append("late", "x", "s")  # an own-transaction append anchors itself
    res = AuditLog(store, key_file=key_file).verify()
    assert res.ok and res.entries == 73 and res.anchored_seq == entries[-1]["seq"] + 1 and res.unanchored == 0, res
    assert "password" not in store.audit.database() and store.audit.database().split(":")[0] in db_url
    store.close()
