"""The command line end to end on a small synthetic stream: synth, scan, cases, explain, eval, policy check."""

import json

from typer.testing import CliRunner

from csewatch.cli import app

runner = CliRunner()


def test_cli_end_to_end(tmp_path):
    out = tmp_path / "demo"
    db = str(tmp_path / "c.db")
    r = runner.invoke(app, ["synth", "--out", str(out), "--posts", "3000", "--seed", "42", "--json"])
    assert r.exit_code == 0, r.output
    assert sum(json.loads(r.output)["posts"].values()) == 3000

    r = runner.invoke(
        app, ["scan", str(out / "stream"), "--db", db, "--json", "--rejects", str(tmp_path / "rej.jsonl")]
    )
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert summary["posts"] == 3000 and summary["rejects"] == 0 and summary["verdicts"] > 100

    r = runner.invoke(app, ["cases", "--db", db, "--json", "-n", "5"])
    cases = json.loads(r.output)
    assert len(cases) == 5 and cases[0]["priority"] >= cases[-1]["priority"]

    r = runner.invoke(app, ["explain", cases[0]["id"], "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    sig = doc["posts"][0]["signals"][0]
    assert sig["evidence"] and {"field", "start", "end", "text", "rule"} <= set(sig["evidence"][0])

    r = runner.invoke(app, ["explain", cases[0]["id"], "--db", db])
    assert r.exit_code == 0 and "rules=" in r.output

    r = runner.invoke(app, ["eval", "--labels", str(out / "labels.jsonl"), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    rep = json.loads(r.output)
    assert rep["labelled"] == 3000 and "advert_sale_trade" in rep["categories"]

    r = runner.invoke(app, ["cases", "--db", db])
    assert r.exit_code == 0 and "Top 20 cases" in r.output


def test_policy_check(tmp_path):
    r = runner.invoke(app, ["policy", "check"])
    assert r.exit_code == 0 and r.output.startswith("ok: csewatch-default@")
    bad = tmp_path / "bad"
    bad.mkdir()
    r = runner.invoke(app, ["policy", "check", str(bad)])
    assert r.exit_code == 1 and "missing" in r.output


def test_scan_missing_path(tmp_path):
    r = runner.invoke(app, ["scan", str(tmp_path / "nope.jsonl"), "--db", str(tmp_path / "x.db"), "--quiet"])
    assert r.exit_code == 2
