"""The PostgreSQL side of the audit chain and the scan lock; runs only when CSEWATCH_TEST_PG_URL names a
scratch database (e.g. postgresql+psycopg://postgres@/scratch?host=/tmp&port=5432; .ci/run starts one),
skipped otherwise. Each test gets a schema of its own (the ``pg_url`` fixture), dropped afterwards."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from csewatch.review.audit import AuditLog
from csewatch.store import Store, StoreBusy


@pytest.fixture()
def store(pg_url):
    s = Store(pg_url)  # an empty schema: an empty log
    yield s
    s.close()


def test_pg_concurrent_appends_and_append_only(store, tmp_path):
    key = tmp_path / "audit.key"
    errors: list[str] = []

    def worker(i: int) -> None:
        log = AuditLog(store, key_file=key)
        for j in range(15):
            try:
                log.append(f"reviewer{i}", "view_case", f"native:account:acct{j}")
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert errors == []
    res = AuditLog(store, key_file=key).verify()
    assert res.ok and res.entries == 240 and res.anchored_seq is not None and res.unanchored == 0, res
    for stmt in ("UPDATE audit_log SET actor = 'x'", "DELETE FROM audit_log", "TRUNCATE audit_log"):
        with pytest.raises(Exception, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(text(stmt))


def test_pg_one_scanner(store, pg_url):
    with store.scan_lock():
        with pytest.raises(StoreBusy, match="another scan"):
            with Store(pg_url).scan_lock():
                pass
    with Store(pg_url).scan_lock():  # released
        pass
