"""Contract of every registered ingest format, action sink and media hash type: formats recognise their
fixture line and refuse fuzz with a reason (never another exception); sinks honour idempotency keys;
hash types match an example to itself at distance 0 and refuse malformed values."""

from __future__ import annotations

import http.server
import random
import threading
from pathlib import Path

import msgspec
import orjson
import pytest

from csewatch.ingest import detect_format, parse_line
from csewatch.ingest.common import Limits, Reject
from csewatch.manifest import FormatSpec, HashTypeSpec, Manifest, build_manifest
from csewatch.model import Action

MANIFEST = build_manifest()
FORMATS = list(MANIFEST.formats.values())
HASHES = list(MANIFEST.hash_types.values())


@pytest.mark.parametrize("spec", FORMATS, ids=lambda s: s.name)
def test_format_recognises_and_parses_its_fixture(spec: FormatSpec, manifest: Manifest) -> None:
    obj = orjson.loads(spec.fixture)
    assert spec.looks_like(obj)
    assert detect_format(obj, None, manifest.formats) == spec.name
    record, fmt = parse_line(spec.fixture, "fixture", 1, None, Limits(), manifest.formats)
    assert fmt == spec.name and (record.posts or record.accounts or record.edges)


def _fuzz(obj: object, rng: random.Random) -> object:
    """The object with values swapped for wrong types, removed, or nested junk."""
    if isinstance(obj, dict):
        out = {}
        for k, v in obj.items():
            r = rng.random()
            if r < 0.15:
                continue
            out[k] = rng.choice([None, 7, -1.5, "x" * 5, [], {"z": 1}, True]) if r < 0.45 else _fuzz(v, rng)
        return out
    if isinstance(obj, list):
        return [_fuzz(v, rng) for v in obj]
    return obj


@pytest.mark.parametrize("spec", FORMATS, ids=lambda s: s.name)
def test_format_rejects_fuzz_with_a_reason(spec: FormatSpec, manifest: Manifest) -> None:
    rng = random.Random(spec.name)
    base = orjson.loads(spec.fixture)
    rejected = 0
    for _ in range(300):
        raw = orjson.dumps(_fuzz(base, rng))
        try:
            parse_line(raw, "fuzz", 1, spec.name, Limits(), manifest.formats)
        except Reject as exc:
            assert str(exc).strip()
            rejected += 1
    assert rejected > 0
    for raw in (b"{", b"[1, 2]", b'"text"', b'{"unrelated": true}'):
        with pytest.raises(Reject):
            parse_line(raw, "fuzz", 1, None, Limits(), manifest.formats)


def _action(key: str) -> Action:
    return Action(
        kind="remove_post", platform="native", target="p1", case_id="c1", decided_by="r1", reason="t", key=key
    )


def test_every_sink_is_registered_by_name(manifest: Manifest) -> None:
    assert {"jsonl", "webhook"} <= set(manifest.sinks)


def test_jsonl_sink_honours_idempotency_keys(tmp_path: Path, manifest: Manifest) -> None:
    path = tmp_path / "actions.jsonl"
    sink = manifest.sinks["jsonl"].build(path=path)
    sink.deliver(_action("k1"))
    sink.deliver(_action("k1"))
    sink.deliver(_action("k2"))
    again = manifest.sinks["jsonl"].build(path=path)  # a later run, same file
    again.deliver(_action("k2"))
    keys = [msgspec.json.decode(line)["key"] for line in path.read_bytes().splitlines()]
    assert keys == ["k1", "k2"]


def test_webhook_sink_sends_the_idempotency_key(manifest: Manifest) -> None:
    got: list[str | None] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server interface
            self.rfile.read(int(self.headers["Content-Length"]))
            got.append(self.headers.get("Idempotency-Key"))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sink = manifest.sinks["webhook"].build(url=f"http://127.0.0.1:{server.server_port}/a", secret="s", retries=0)
        assert sink.deliver(_action("k9")) == 1
    finally:
        server.shutdown()
    assert got == ["k9"]


@pytest.mark.skipif(not HASHES, reason="no hash types registered (csewatch.media.hashtypes absent)")
@pytest.mark.parametrize("spec", HASHES, ids=lambda s: s.name)
def test_hash_type_matches_its_example_to_itself(spec: HashTypeSpec) -> None:
    ht = spec.hash_type
    assert ht.name == spec.name
    examples = ht.examples()
    for content, expected in examples:
        value = ht.validate(expected)
        assert ht.distance(value, value) == 0 and ht.match(value, value, 0)
        if content is not None:
            data = content() if callable(content) else content
            assert ht.validate(ht.hash_bytes(data)[0]) == value
    for bad in ht.malformed_examples():
        assert ht.is_valid(bad) is not None


def test_graph_jobs_are_registered_by_name() -> None:
    jobs = MANIFEST.graph_jobs
    assert {"coordination", "hashtag_discovery"} <= set(jobs)
    assert all(callable(j.run) and j.name == name for name, j in jobs.items())
