"""One scanner per store (a second scan is refused while the first holds the lock, in another thread or
another process), and no silently created empty store: only ``scan`` or ``--create`` makes one."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading

import pytest
from typer.testing import CliRunner

from csewatch.cli import app
from csewatch.store import Store, StoreBusy, StoreMissing

WIDE = {"COLUMNS": "400"}  # error boxes do not wrap the path
STREAM = '{"type":"post","id":"1","author_id":"a","text":"nice day"}\n'


def test_second_scanner_in_another_thread_is_refused(tmp_path):
    store = Store(str(tmp_path / "s.db"))
    held, release, outcome = threading.Event(), threading.Event(), []

    def first() -> None:
        with store.scan_lock():
            held.set()
            release.wait(10)

    t = threading.Thread(target=first)
    t.start()
    held.wait(10)
    try:
        with Store(str(tmp_path / "s.db")).scan_lock():
            outcome.append("acquired")
    except StoreBusy as exc:
        outcome.append(str(exc))
    release.set()
    t.join()
    assert len(outcome) == 1 and "another scan" in outcome[0] and "s.db" in outcome[0]
    with store.scan_lock():  # released by the first scanner
        pass


@pytest.mark.sqlite_only("another process holds the SQLite file's flock")
def test_scan_command_refused_while_another_process_scans(tmp_path):
    db = tmp_path / "s.db"
    Store(str(db)).close()
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import sys
                from csewatch.store import Store
                with Store({str(db)!r}).scan_lock():
                    print("held", flush=True)
                    sys.stdin.readline()
                """
            ),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        src = tmp_path / "in.jsonl"
        src.write_text(STREAM)
        args = ["scan", str(src), "--db", str(db), "--json", "--rejects", str(tmp_path / "r.jsonl")]
        r = CliRunner().invoke(app, args)
        assert r.exit_code == 2 and "another scan is writing to" in r.output, r.output
        assert Store(str(db)).counts()["posts"] == 0
    finally:
        holder.kill()  # a crashed scanner: the system releases its lock
        holder.wait()
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["posts"] == 1


def test_store_refuses_a_missing_file_when_asked_not_to_create(tmp_path):
    with pytest.raises(StoreMissing, match="typo.db"):
        Store(str(tmp_path / "typo.db"), create=False)
    assert not (tmp_path / "typo.db").exists()
    Store(str(tmp_path / "new.db"))  # the default still creates (library use, scan)
    Store(str(tmp_path / "new.db"), create=False)
    Store("sqlite://", create=False)  # in memory: nothing to mistype


@pytest.mark.parametrize(
    "argv",
    [
        ["eval", "--labels", "LABELS"],
        ["cases"],
        ["audit", "verify"],
        ["precision"],
        ["bank", "stats"],
        ["graph", "bursts"],
    ],
)
def test_commands_refuse_a_mistyped_db(tmp_path, argv):
    labels = tmp_path / "labels.jsonl"
    labels.write_text('{"platform":"native","post_id":"1","label":"benign"}\n')
    typo = tmp_path / "csewatch-typo.db"
    argv = [str(labels) if a == "LABELS" else a for a in argv]
    r = CliRunner().invoke(app, [*argv, "--db", str(typo)], env=WIDE)
    assert r.exit_code == 2, r.output
    assert "no database at" in r.output and "csewatch-typo.db" in r.output
    assert not typo.exists()


def test_scan_and_explicit_create_make_a_store(tmp_path, monkeypatch):
    src = tmp_path / "in.jsonl"
    src.write_text(STREAM)
    db = tmp_path / "fresh.db"
    r = CliRunner().invoke(app, ["scan", str(src), "--db", str(db), "--json", "--rejects", str(tmp_path / "r.jsonl")])
    assert r.exit_code == 0 and db.exists(), r.output
    monkeypatch.setenv("CSEWATCH_PASSWORD", "a long enough passphrase")
    users = tmp_path / "users.db"
    r = CliRunner().invoke(app, ["user", "add", "lead1", "--role", "lead", "--db", str(users)], env=WIDE)
    assert r.exit_code == 2 and "--create" in r.output and not users.exists()
    r = CliRunner().invoke(app, ["user", "add", "lead1", "--role", "lead", "--db", str(users), "--create"])
    assert r.exit_code == 0 and users.exists(), r.output
