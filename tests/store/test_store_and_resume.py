"""Store idempotency, reject file content, and resume after SIGKILL of a real scan subprocess."""

import os
import signal
import subprocess
import sys
import time

import orjson
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from csewatch.pipeline import Scanner
from csewatch.store import Store
from csewatch.synth import generate
from tests.backends import BACKEND

TABLES = ("posts", "accounts", "edges", "signals", "verdicts", "cases", "case_posts", "rejects")


def _snapshot(db: str) -> dict:
    """Counts and case rows, read through the store's engine (the SQLite file, or the PostgreSQL database the
    test harness serves the path from); scores rounded here, PostgreSQL has no round(double precision, n)."""
    store = Store(db)
    try:
        with store.engine.connect() as con:
            snap = {t: con.execute(text(f"select count(*) from {t}")).scalar_one() for t in TABLES}
            rows = con.execute(
                text("select id, category, severity, score, n_posts, reach, first_seen, last_seen, priority from cases")
            ).all()
            snap["case_rows"] = sorted((*r[:3], round(r[3], 4), *r[4:8], round(r[8], 3)) for r in rows)
            snap["signal_ids"] = con.execute(text("select count(distinct id) from signals")).scalar_one()
    finally:
        store.close()
    return snap


def test_rescanning_is_idempotent_and_rejects_are_listed(policy, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(
        b'{"type":"post","id":"1","author_id":"a","text":"pthc vids 20$"}\n'
        b'{"type":"post","id":"2",\n'
        b'{"type":"post","id":"3","author_id":"a","text":"cp folder dm t.me/abcdef"}\n'
        b'{"type":"post","id":"4","author_id":"a","text":"\xff bad"}\n'
    )
    db = str(tmp_path / "t.db")
    rejects = tmp_path / "rejects.jsonl"
    s1 = Scanner(policy, Store(db, policy.version), batch_size=2, rejects_path=rejects).scan([str(src)])
    assert (s1.posts, s1.rejects, s1.verdicts) == (2, 2, 2)
    rows = [orjson.loads(line) for line in rejects.read_bytes().splitlines()]
    assert [(r["line"], r["reason"].split(":")[0]) for r in rows] == [
        (2, "malformed JSON"),
        (4, "invalid UTF-8 at byte 48"),
    ]
    assert all(r["source"] == str(src.resolve()) for r in rows)
    first = _snapshot(db)
    # the same file again: checkpoint says done, nothing is read
    s2 = Scanner(policy, Store(db, policy.version), rejects_path=rejects).scan([str(src)])
    assert s2.lines == 0 and _snapshot(db) == first
    # forced re-read: every write is an idempotent upsert
    Scanner(policy, Store(db, policy.version), rejects_path=rejects).scan([str(src)], restart=True)
    assert _snapshot(db) == first
    assert first["cases"] == 1 and first["case_rows"][0][4] == 2


def test_appended_lines_continue_from_the_checkpoint(policy, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(b'{"type":"post","id":"1","author_id":"a","text":"pthc vids 20$"}\n')
    db = str(tmp_path / "t.db")
    Scanner(policy, Store(db, policy.version)).scan([str(src)])
    with open(src, "ab") as fh:
        fh.write(b'{"type":"post","id":"2","author_id":"a","text":"pthc vids 30$"}\n')
    s = Scanner(policy, Store(db, policy.version)).scan([str(src)])
    assert s.lines == 1 and s.posts == 1
    assert _snapshot(db)["case_rows"][0][4] == 2


def _db_arg(path: str) -> str:
    """What a scan subprocess gets as --db for ``path``: the path itself; on the PostgreSQL run the URL of
    the database the harness serves the path from, made here (a subprocess does not go through it)."""
    if BACKEND != "postgresql":
        return path
    store = Store(path)
    store.close()
    return store.url


def test_resume_after_sigkill_loses_and_duplicates_nothing(tmp_path):
    data = tmp_path / "synth"
    generate(data, 12_000, seed=5, fmt="native")
    stream = str(data / "stream")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    cmd = [sys.executable, "-m", "csewatch.cli", "scan", stream, "--quiet", "--batch-size", "300"]

    ref_db = str(tmp_path / "ref.db")
    subprocess.run([*cmd, "--db", _db_arg(ref_db), "--rejects", str(tmp_path / "r1.jsonl")], check=True, env=env)
    reference = _snapshot(ref_db)
    assert reference["posts"] == 12_000 and reference["cases"] > 0

    db = str(tmp_path / "killed.db")
    url = _db_arg(db)
    if url == db:  # SQLite: a new connection for each look, waiting at most 0.1 s for the writer's lock
        watch = create_engine(f"sqlite:///{db}", connect_args={"timeout": 0.1}, poolclass=NullPool)
    else:  # PostgreSQL: readers never wait for the writer
        watch = create_engine(url)
    total_lines = sum(1 for _ in open(data / "stream" / "stream-native.jsonl", "rb"))
    proc = subprocess.Popen([*cmd, "--db", url, "--rejects", str(tmp_path / "r2.jsonl")], env=env)
    killed_at = 0
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        try:
            with watch.connect() as con:
                row = con.execute(text("select line from checkpoints")).first()
        except SQLAlchemyError:
            row = None
        if row and row[0] >= total_lines // 4:
            os.kill(proc.pid, signal.SIGKILL)
            killed_at = row[0]
            break
        time.sleep(0.005)
    proc.wait()
    watch.dispose()
    assert proc.returncode == -signal.SIGKILL, "the scan finished before it could be killed"
    assert 0 < killed_at < total_lines
    partial = _snapshot(db)
    assert partial["posts"] < reference["posts"]

    subprocess.run([*cmd, "--db", url, "--rejects", str(tmp_path / "r2.jsonl")], check=True, env=env)
    assert _snapshot(db) == reference


def test_account_records_merge_alike_in_scan_and_store(policy, tmp_path):
    """A later record that does not know a field (X repeats the author with every post, often with
    less) keeps the known value, in the scanner's memory and in the stored row alike."""
    from csewatch.model import Account
    from csewatch.store import Batch
    from csewatch.triage import Triage

    full = Account("1", "x", handle="seller", bio="menu in bio", links=["t.me/abc"], followers=3)
    thin = Account("1", "x", handle="seller_2", followers=None, links=[])
    mem = Account("1", "x")
    for rec in (full, thin):
        mem.update_from(rec)
    assert (mem.handle, mem.bio, mem.links, mem.followers) == ("seller_2", "menu in bio", ["t.me/abc"], 3)
    store = Store(f"sqlite:///{tmp_path / 's.db'}", policy.version)
    store.commit_batch(Batch("s", 1, 1, None, accounts=[full]), Triage(policy))
    store.commit_batch(Batch("s", 2, 2, None, accounts=[thin, Account("1", "x", status="suspended")]), Triage(policy))
    stored = store.load_accounts([("x", "1")])[("x", "1")]
    assert (stored.handle, stored.bio, stored.links, stored.followers, stored.status) == (
        "seller_2", "menu in bio", ["t.me/abc"], 3, "suspended",
    )  # fmt: skip
    assert full.handle == "seller"  # the caller's records are not changed by the merge
