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
    r = runner.invoke(app, ["explain", "no-platform-here", "--db", db])  # not a case, not PLATFORM:POST_ID
    assert r.exit_code == 1 and "PLATFORM:POST_ID" in r.output

    r = runner.invoke(app, ["eval", "--labels", str(out / "labels.jsonl"), "--db", db, "--json"])
    assert r.exit_code == 0, r.output
    rep = json.loads(r.output)
    assert rep["labelled"] == 3000 and "advert_sale_trade" in rep["categories"]

    r = runner.invoke(app, ["cases", "--db", db])
    assert r.exit_code == 0 and "Top 20 cases" in r.output

    labels = str(out / "graph_labels.jsonl")
    r = runner.invoke(app, ["graph", "evasion", "--db", db, "--labels", labels, "--json"])
    assert r.exit_code == 0, r.output
    ev = json.loads(r.output.splitlines()[-1])
    assert ev["eval"]["evaders"] > 0 and ev["eval"]["precision"] >= 0.8
    r = runner.invoke(app, ["graph", "expand", "--db", db, "--labels", labels, "--json", "--top", "10"])
    assert r.exit_code == 0, r.output
    ex = json.loads(r.output.splitlines()[-1])
    assert ex["seeds"] > 0 and ex["hits"] and ex["hits"][0]["path"][0][1] == "seed"
    r = runner.invoke(app, ["graph", "clusters", "--db", db, "--labels", labels, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.output.splitlines()[-1])["eval"]["precision"] > 0.5
    r = runner.invoke(app, ["graph", "bursts", "--db", db, "--json"])
    assert r.exit_code == 0 and json.loads(r.output)["bot_like"]
    pack = tmp_path / "pack"
    r = runner.invoke(app, ["graph", "hashtags", "--db", db, "--labels", labels, "--apply", str(pack), "--json"])
    assert r.exit_code == 0, r.output
    hd = json.loads(r.output)
    assert hd["applied"] == len(hd["proposals"]) > 0 and hd["eval"]["benign_trends_proposed"] == 0
    assert runner.invoke(app, ["policy", "check", str(pack)]).exit_code == 0
    r = runner.invoke(app, ["graph", "coordination", "--db", db, "--json"])
    assert r.exit_code == 0
    r = runner.invoke(
        app, ["eval", "--labels", str(out / "labels.jsonl"), "--graph-labels", labels, "--db", db, "--json"]
    )
    assert r.exit_code == 0, r.output
    graph = json.loads(r.output.splitlines()[-1])["graph"]
    assert set(graph) == {"evasion", "evasion_in_scan", "expansion", "clusters", "discovery"}
    assert graph["evasion_in_scan"]["linked"] > 0 and graph["evasion_in_scan"]["false_link_rate"] <= 0.1
    assert graph["evasion"]["precision"] >= 0.8 and graph["discovery"]["benign_trends_proposed"] == 0


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


def test_cli_hash_bank_match_and_scan_with_media(tmp_path):
    from pathlib import Path

    pdq_dir = Path(__file__).resolve().parent / "data" / "pdq"
    img = pdq_dir / "bridge-mods" / "aaa-orig.jpg"
    db = str(tmp_path / "m.db")
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    r = runner.invoke(app, ["hash", str(img), str(notes), "--json"])
    assert r.exit_code == 0, r.output
    rows = json.loads(r.output)
    assert rows[0]["quality"] == 100 and "error" in rows[1]
    bank_file = tmp_path / "bank.csv"
    bank_file.write_text(f"hash,category\n{rows[0]['pdq']},test_known\nnot-a-hash,x\n")
    r = runner.invoke(
        app, ["bank", "import", str(bank_file), "--bank", "internal", "--type", "pdq", "--db", db, "--create", "--json"]
    )
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert (doc["version"], doc["added"], doc["rejected"][0]["line"]) == (1, 1, 3)
    r = runner.invoke(app, ["match", str(pdq_dir / "bridge-mods" / "shrink-a-lot.jpg"), "--db", db, "--json"])
    m = json.loads(r.output)[0]["matches"][0]
    assert m["bank"] == "internal" and m["bank_version"] == 1 and m["distance"] <= 31
    r = runner.invoke(app, ["match", str(pdq_dir / "dih" / "bridge-5-flipx.jpg"), "--db", db, "--json"])
    assert json.loads(r.output)[0]["matches"] == []
    r = runner.invoke(app, ["match", str(pdq_dir / "dih" / "bridge-5-flipx.jpg"), "--db", db, "--json", "--dihedral"])
    assert json.loads(r.output)[0]["matches"][0]["variant"] == "flipx"
    r = runner.invoke(app, ["bank", "stats", "--db", db, "--json"])
    assert json.loads(r.output) == [{"bank": "internal", "version": 1, "pdq": 1, "md5": 0, "sha256": 0, "vpdq": 0}]

    media = tmp_path / "media"
    media.mkdir()
    (media / "m1.jpg").write_bytes((pdq_dir / "bridge-mods" / "blur-a-lot.jpg").read_bytes())
    (media / "m2.jpg").write_bytes(b"not an image")
    stream = tmp_path / "s.jsonl"
    stream.write_text(
        '{"type":"post","id":"1","author_id":"a","text":"view","media":[{"id":"m1"}]}\n'
        '{"type":"post","id":"2","author_id":"b","text":"x","media":[{"id":"m2"},{"id":"m3"}]}\n'
    )
    r = runner.invoke(
        app, ["scan", str(stream), "--db", db, "--media", str(media), "--json", "--rejects", str(tmp_path / "r.jsonl")]
    )
    assert r.exit_code == 0, r.output
    summary = json.loads(r.output)
    assert summary["categories"] == {"known_material": 1}
    assert summary["media"]["matched"] == 1 and summary["media"]["missing"] == 1
    assert any(k.startswith("rejected: not an image") for k in summary["media"])
    r = runner.invoke(app, ["cases", "--db", db, "--json"])
    assert json.loads(r.output)[0]["category"] == "known_material"
