"""The bar for extending csewatch: a detector and a sink in a separate package, installed only as a
distribution with a ``csewatch.extensions`` entry point (tests/contract/extsite, put on sys.path), run in
a scan -- no file of csewatch edited."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from csewatch.manifest import Manifest, build_manifest
from csewatch.model import Action
from csewatch.pipeline import Scanner
from csewatch.policy import Policy

SITE = Path(__file__).parent / "extsite"


@pytest.fixture
def ext_manifest(monkeypatch: pytest.MonkeyPatch) -> Iterator[Manifest]:
    monkeypatch.syspath_prepend(str(SITE))
    yield build_manifest()
    sys.modules.pop("csewatch_ext_demo", None)


def test_without_the_distribution_nothing_is_added() -> None:
    m = build_manifest()
    assert "demo_invite" not in m.detectors and "demo" not in m.loaded


def test_extension_detector_and_sink_run_in_a_scan(ext_manifest: Manifest, policy: Policy, tmp_path: Path) -> None:
    m = ext_manifest
    assert m.loaded == ["csewatch.builtins", "demo"]
    assert "demo_invite_link" in m.indicators() and "demo_seen" in m.state_namespaces()
    assert "demo_invite_link" in policy.known_indicators(m.indicators())
    assert "demo_invite_link" not in policy.known_indicators(build_manifest(extensions=False).indicators())
    stream = tmp_path / "s.jsonl"
    rows = [
        {"type": "post", "id": "1", "platform": "native", "author_id": "a1", "created_at": 1_700_000_000,
         "text": "pthc folder, invite t.me/menu_x1 dm"},
        {"type": "post", "id": "2", "platform": "native", "author_id": "a2", "created_at": 1_700_000_060,
         "text": "lovely weather at the park today"},
    ]
    stream.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    scanner = Scanner(policy, manifest=m)
    assert "demo_invite" in [d.name for d in scanner.engine.detectors]
    summary = scanner.scan([str(stream)])
    assert summary.posts == 2 and summary.verdicts == 1
    verdict = scanner.verdicts[("native", "1")]
    ext = [s for s in verdict.signals if s.detector == "demo_invite"]
    assert [s.indicator for s in ext] == ["demo_invite_link"]
    assert ext[0].evidence[0].text == "invite"
    assert scanner.state.ns("demo_seen").get("a1") == 1
    box: list[Action] = []
    sink = m.sinks["demo_memory"].build(box=box)
    action = Action(kind="remove_post", platform="native", target="1", case_id="c", decided_by="r", reason="", key="k1")
    sink.deliver(action)
    sink.deliver(action)
    assert box == [action]
