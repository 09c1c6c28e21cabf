"""A model trained here enters in shadow mode: its would-be verdicts are recorded (not acted on, not
read as verdicts), reviewers' decisions measure them, and it goes live only through the gate."""

from __future__ import annotations

import shutil
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from csewatch.cli import app
from csewatch.learn.linear import fit
from csewatch.learn.train import LABELS, collect_features
from csewatch.pipeline import Scanner
from csewatch.policy import DEFAULT_DIR, load_policy
from csewatch.review.decisions import ReviewService
from csewatch.store import Store

# invented, clinical indicator wording for the tiny training stream (not the default pack's words)
OFFERS = ["zentrovix bundle ready ping me", "zentrovix drop for trade ask inside", "new zentrovix set, ask me"]
BENIGN = ["walked the dog by the river", "new recipe for bread today", "team won the match at home"]


def _stream(path: Path, n: int, start: int = 0) -> list[str]:
    lines, adverts = [], []
    for i in range(start, start + n):
        advert = i % 2 == 0
        text = (OFFERS if advert else BENIGN)[i % 3] + f" {i}"
        lines.append({"type": "post", "id": f"p{i}", "platform": "native", "author_id": f"a{i % 7}",
                      "text": text, "created_at": 1_790_000_000 + 60 * i})
        if advert:
            adverts.append(f"p{i}")
    path.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    return adverts


@pytest.fixture()
def shadow_pack(tmp_path: Path) -> Path:
    policy = load_policy()
    train = tmp_path / "train.jsonl"
    adverts = set(_stream(train, 60))
    docs = collect_features(policy, train)
    keys = sorted(docs)
    y = [[int(k.split(":")[1] in adverts and lab == "advert") for lab in LABELS] for k in keys]
    import numpy as np

    model = fit([docs[k] for k in keys], np.array(y), LABELS, c=2.0)
    model.thresholds = {"advert": {"live": 0.6, "weak": 0.4}}
    model.card = {"version": "test-1"}
    pack = tmp_path / "pack"
    shutil.copytree(DEFAULT_DIR, pack)
    model.save(pack / "model.npz")
    text = (pack / "pack.yaml").read_text()
    text = text.replace("automation:            # a rule moves", "automation:            # a rule moves")
    text = text.replace("min_decisions: 50", "min_decisions: 3")
    text += "\nmodel:\n  mode: shadow    # recorded and measured, not acted on\n  path: model.npz\n"
    (pack / "pack.yaml").write_text(text)
    return pack


def test_shadow_verdicts_are_recorded_not_acted_on_and_promoted_through_the_gate(shadow_pack, tmp_path):
    policy = load_policy(shadow_pack)
    assert policy.pack.model.mode == "shadow"
    stream = tmp_path / "scan.jsonl"
    adverts = _stream(stream, 30, start=1000)
    db = str(tmp_path / "s.db")
    store = Store(db, policy.version)
    summary = Scanner(policy, store).scan([str(stream)])
    assert summary.posts == 30
    assert summary.verdicts == 0  # nothing in the default pack reads these invented words: shadow only
    shadow = store.shadow_verdicts()
    assert {v["post_id"] for v in shadow} == set(adverts)
    assert all(v["rules"] == ["shadow:model.advert"] and v["live_category"] is None for v in shadow)
    assert all(v["model_version"] == "test-1" for v in shadow)
    assert store.verdict_map() == {}  # would-be verdicts are never read as verdicts
    sig = store.post_signals("native", adverts[0])
    assert [s["indicator"] for s in sig] == ["shadow_model_advert"]
    orig = store.post("native", adverts[0])["text"]
    for e in sig[0]["evidence"]:
        assert orig[e["start"] : e["end"]] == e["text"] and e["rule"].startswith("model:advert:")
    assert "zentrovix" in sig[0]["explanation"]

    runner = CliRunner()
    res = runner.invoke(app, ["model", "promote", "--policy", str(shadow_pack), "--db", db])
    assert res.exit_code == 1 and "refused" in res.output  # no decisions yet
    res = runner.invoke(app, ["model", "sample", "-n", "4", "--db", db, "--policy", str(shadow_pack)])
    assert res.exit_code == 0, res.output
    review = ReviewService(store, policy)
    cases = store.top_cases(limit=10)
    assert len(cases) == 4
    for c in cases[:2]:
        review.decide(c.id, "rev1", "violating", "offer of material")
    res = runner.invoke(app, ["model", "promote", "--policy", str(shadow_pack), "--db", db])
    assert res.exit_code == 1  # 2 decisions: below the pack's minimum of 3
    review.decide(cases[2].id, "rev1", "violating", "offer of material")
    res = runner.invoke(app, ["model", "shadow", "--db", db, "--policy", str(shadow_pack), "--json"])
    rules = {r["rule"]: r for r in orjson.loads(res.output)["rules"]}
    assert rules["shadow:model.advert"]["decisions"] == 3 and rules["shadow:model.advert"]["may_go_live"]
    res = runner.invoke(app, ["model", "promote", "--policy", str(shadow_pack), "--db", db])
    assert res.exit_code == 0, res.output
    assert load_policy(shadow_pack).pack.model.mode == "live"
    assert "# recorded and measured" in (shadow_pack / "pack.yaml").read_text()  # the comment survives

    # live now: the same stream flags for real
    live = Store(str(tmp_path / "live.db"), policy.version)
    summary = Scanner(load_policy(shadow_pack), live).scan([str(stream)])
    assert summary.verdicts == len(adverts)
    assert {r["category"] for r in live.verdict_map().values()} == {"advert_sale_trade"}


def test_a_precision_below_the_gate_is_refused(shadow_pack, tmp_path):
    policy = load_policy(shadow_pack)
    stream = tmp_path / "scan.jsonl"
    _stream(stream, 30, start=2000)
    db = str(tmp_path / "s.db")
    store = Store(db, policy.version)
    Scanner(policy, store).scan([str(stream)])
    runner = CliRunner()
    assert runner.invoke(app, ["model", "sample", "-n", "4", "--db", db, "--policy", str(shadow_pack)]).exit_code == 0
    review = ReviewService(store, policy)
    for i, c in enumerate(store.top_cases(limit=10)):
        review.decide(c.id, "rev1", "violating" if i < 2 else "not_violating", "checked")
    res = runner.invoke(app, ["model", "promote", "--policy", str(shadow_pack), "--db", db])
    assert res.exit_code == 1 and "refused" in res.output
    assert load_policy(shadow_pack).pack.model.mode == "shadow"
