"""Concurrent policy edits: each is applied or refused (stale version), none is lost, the pack on disk
always validates, comments survive, and the previous version is kept for rollback."""

from __future__ import annotations

import shutil
import threading

import pytest
import yaml

from csewatch.policy import DEFAULT_DIR, PolicyError, load_policy
from csewatch.policy import edit as policy_edit


@pytest.fixture()
def pack(tmp_path):
    d = tmp_path / "pack"
    shutil.copytree(DEFAULT_DIR, d)
    return d


def _comments(path) -> list[str]:
    return [line.strip() for line in path.read_text().splitlines() if line.strip().startswith("#")]


def _run(n: int, fn) -> list:
    out: list = [None] * n
    start = threading.Barrier(n)

    def worker(i: int) -> None:
        start.wait()
        try:
            out[i] = ("ok", fn(i))
        except Exception as exc:  # noqa: BLE001 - the outcome is the test
            out[i] = ("error", exc)

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def test_twelve_concurrent_edits_none_lost_pack_always_valid(pack):
    comments_before = _comments(pack / "terms.yaml") + _comments(pack / "hashtags.yaml")
    assert comments_before
    first = load_policy(pack).pack.version
    stop = threading.Event()
    read_errors: list[str] = []

    def reader() -> None:  # the scanner or the web app reading the pack meanwhile
        while not stop.is_set():
            try:
                load_policy(pack)
            except Exception as exc:  # noqa: BLE001
                read_errors.append(repr(exc))

    r = threading.Thread(target=reader)
    r.start()
    try:

        def edit(i: int) -> str:
            if i % 2:
                return policy_edit.add_term(pack, "abuse_material", f"synthterm{i}")
            return policy_edit.set_hashtag_state(pack, f"synthtag{i}", "watch")

        results = _run(12, edit)
    finally:
        stop.set()
        r.join()
    assert all(kind == "ok" for kind, _ in results), results
    assert read_errors == []
    p = load_policy(pack)
    terms = set(map(str, yaml.safe_load((pack / "terms.yaml").read_text())["indicators"]["abuse_material"]))
    assert {f"synthterm{i}" for i in range(1, 12, 2)} <= terms
    assert {f"synthtag{i}" for i in range(0, 12, 2)} <= set(p.hashtags.watch)
    versions = sorted(v for _, v in results)
    assert len(set(versions)) == 12  # each edit made its own version
    expected = first
    for _ in range(12):
        expected = policy_edit.bump_version(expected)
    assert p.pack.version == expected
    assert _comments(pack / "terms.yaml") + _comments(pack / "hashtags.yaml") == comments_before
    assert len(policy_edit.history(pack)) == 12


def test_stale_edits_are_refused_not_lost(pack):
    v0 = load_policy(pack).pack.version
    results = _run(12, lambda i: policy_edit.add_term(pack, "abuse_material", f"synthterm{i}", expected_version=v0))
    applied = [v for kind, v in results if kind == "ok"]
    refused = [e for kind, e in results if kind == "error"]
    assert len(applied) == 1 and len(refused) == 11
    assert all(isinstance(e, policy_edit.PolicyConflict) and v0 in str(e) for e in refused)
    terms = [str(t) for t in yaml.safe_load((pack / "terms.yaml").read_text())["indicators"]["abuse_material"]]
    assert sum(t.startswith("synthterm") for t in terms) == 1
    assert load_policy(pack).pack.version == applied[0]


def test_an_invalid_edit_writes_nothing(pack):
    before = {p.name: p.read_bytes() for p in pack.iterdir() if p.is_file() and not p.name.startswith(".")}
    with pytest.raises(PolicyError, match="unknown indicator"):
        policy_edit.add_term(pack, "no_such_indicator", "x")
    with pytest.raises(PolicyError):
        policy_edit.set_hashtag_state(pack, "x", "nonsense")
    after = {p.name: p.read_bytes() for p in pack.iterdir() if p.is_file() and not p.name.startswith(".")}
    assert after == before
    assert not [p for p in pack.iterdir() if p.name.endswith(".tmp") or p.name.startswith(".validate-")]


def test_rollback_restores_the_previous_version(pack):
    v0 = load_policy(pack).pack.version
    terms0 = (pack / "terms.yaml").read_text()
    v1 = policy_edit.add_term(pack, "abuse_material", "synthterm", ambiguous=True)
    assert "{term: synthterm, ambiguous: true}" in (pack / "terms.yaml").read_text()
    v2 = policy_edit.rollback(pack)
    assert (pack / "terms.yaml").read_text() == terms0
    assert v2 == policy_edit.bump_version(v1) and v2 != v0  # versions only move forward
    assert load_policy(pack).pack.version == v2
    policy_edit.rollback(pack)  # undoes the rollback
    assert "synthterm" in (pack / "terms.yaml").read_text()


def test_api_concurrent_edits_answer_200_or_409(tmp_path, pack):
    from fastapi.testclient import TestClient

    from csewatch.store import Store
    from csewatch.web.app import create_app
    from csewatch.web.auth import Auth

    store = Store(str(tmp_path / "w.db"))
    auth = Auth(store)
    auth.add_user("lead1", "a long enough passphrase here", "lead")
    token = auth.new_api_token("lead1")
    app = create_app(store, load_policy(pack), [], policy_dir=pack)
    v0 = load_policy(pack).pack.version

    def post(i: int) -> int:
        body = {"indicator": "abuse_material", "term": f"synthterm{i}"}
        if i < 6:
            body["version"] = v0  # six editors who all read the same version
        r = TestClient(app).post("/api/policy", json=body, headers={"Authorization": f"Bearer {token}"})
        return r.status_code

    codes = [c for _, c in _run(12, post)]
    assert sorted(set(codes)) == [200, 409], codes
    assert codes[6:] == [200] * 6 and codes[:6].count(200) <= 1
    terms = [str(t) for t in yaml.safe_load((pack / "terms.yaml").read_text())["indicators"]["abuse_material"]]
    assert sum(t.startswith("synthterm") for t in terms) == codes.count(200)
