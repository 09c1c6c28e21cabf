"""CLI conveniences (hardening item 23): ``--version``, options read from the environment
(CSEWATCH_DB, CSEWATCH_POLICY, CSEWATCH_QUIET), and a progress bar over the steps of the long graph
jobs that --quiet and --json hide."""

import json

import pytest
from typer.testing import CliRunner

import csewatch.commands.common as common
from csewatch.cli import app
from tests.detect.test_rescan_idempotent import _stream

runner = CliRunner()


def test_version():
    from importlib.metadata import version

    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.output.strip() == f"csewatch {version('csewatch')}"


@pytest.fixture
def store_db(tmp_path):
    db = str(tmp_path / "env.db")
    r = runner.invoke(app, ["scan", "-", "--db", db, "--quiet"], input=_stream())
    assert r.exit_code == 0, r.output
    return db


def test_db_is_read_from_the_environment(tmp_path, store_db):
    r = runner.invoke(app, ["cases", "--json"], env={"CSEWATCH_DB": store_db})
    assert r.exit_code == 0, r.output
    assert len(json.loads(r.output)) >= 1
    missing = str(tmp_path / "typo.db")
    r = runner.invoke(app, ["cases", "--json"], env={"CSEWATCH_DB": missing})
    assert r.exit_code != 0 and "typo.db" in r.output


class _Recorder:
    """Stands in for the progress bar and records what it was asked to show."""

    made: list = []

    def __init__(self, total, quiet, title=""):
        self.total, self.quiet, self.title, self.steps = total, quiet, title, []
        _Recorder.made.append(self)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None

    def step(self, description):
        self.steps.append(description)


@pytest.mark.parametrize(
    "args,env,quiet",
    [([], {}, False), (["--quiet"], {}, True), (["--json"], {}, True), ([], {"CSEWATCH_QUIET": "1"}, True)],
)
def test_graph_jobs_show_their_steps_unless_quiet_or_json(monkeypatch, store_db, args, env, quiet):
    monkeypatch.setattr(common, "Steps", _Recorder)
    for job, first_steps in (
        ("evasion", ["building the account graph", "linking new accounts to suspended ones"]),
        ("clusters", ["building the account graph", "co-follow clusters"]),
        ("expand", ["building the account graph", "personalized PageRank from the seeds"]),
        ("bursts", ["posting rates and hashtag volumes", "writing hashtag cases"]),
        ("coordination", ["same text, link or media in the window", "flagged accounts"]),
        ("hashtags", ["hashtag co-occurrence"]),
    ):
        _Recorder.made = []
        r = runner.invoke(app, ["graph", job, "--db", store_db, *args], env=env)
        assert r.exit_code == 0, r.output
        (bar,) = _Recorder.made
        assert bar.quiet is quiet and bar.steps[:2] == first_steps and len(bar.steps) <= bar.total
        if "--json" in args:
            json.loads(r.output)  # nothing but the document on stdout


def test_the_real_progress_bar_runs_a_graph_job(store_db):
    r = runner.invoke(app, ["graph", "evasion", "--db", store_db, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output)["links"] is not None
    r = runner.invoke(app, ["graph", "clusters", "--db", store_db])
    assert r.exit_code == 0, r.output
