"""No input line may raise out of ingest: property-based fuzzing of ``parse_line`` and every adapter
with arbitrary JSON values, arbitrary bytes and mutated real-format lines (the result is a Record of
well-typed nouns, or a Reject), and a scan over a file with poison lines among good ones."""

from __future__ import annotations

import copy
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from csewatch.ingest import FORMATS, parse_line
from csewatch.ingest.common import Limits, Reject
from csewatch.model import Record
from csewatch.pipeline import Scanner
from csewatch.store import Store

from .test_adapters import (
    JETSTREAM_ACCOUNT,
    JETSTREAM_FOLLOW,
    JETSTREAM_IDENTITY,
    JETSTREAM_POST,
    JETSTREAM_PROFILE,
    MASTODON_STATUS,
    X_LONG,
    X_RESPONSE,
)
from .test_fidelity import JETSTREAM_TAGS, MASTODON_LINKED, X_ESCAPED

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True)
LIMITS = Limits(max_field_chars=500)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
    | st.sampled_from(["post", "commit", "account", "identity", "update", "app.bsky.feed.post", "create", ""])
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
KEYS = ["type", "data", "did", "kind", "commit", "event", "payload", "content", "account", "acct", "errors", "text"]
json_objects = st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), json_values, max_size=6)

REAL = [
    X_RESPONSE,
    X_LONG,
    X_ESCAPED,
    JETSTREAM_POST,
    JETSTREAM_FOLLOW,
    JETSTREAM_PROFILE,
    JETSTREAM_ACCOUNT,
    JETSTREAM_IDENTITY,
    JETSTREAM_TAGS,
    MASTODON_STATUS,
    MASTODON_LINKED,
    {"event": "update", "payload": orjson.dumps(MASTODON_STATUS).decode()},
    {"type": "post", "id": "1", "author_id": "a", "text": "dm t.me/x", "media": [{"id": "m", "url": "https://e/x"}]},
    {"type": "account", "id": "a", "handle": "h", "followers": 3, "created_at": "2026-11-02T00:00:00Z"},
    {"type": "edge", "kind": "follow", "src": "a", "dst": "b", "created_at": 1_790_000_000},
]


def _paths(v: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(v, dict):
        for k, x in v.items():
            out += _paths(x, (*prefix, k))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out += _paths(x, (*prefix, i))
    return out


MUTATION_POINTS = [(i, p) for i, obj in enumerate(REAL) for p in _paths(obj) if p]


def _mutate(obj: Any, path: tuple, value: Any, delete: bool) -> Any:
    obj = copy.deepcopy(obj)
    parent = obj
    for k in path[:-1]:
        parent = parent[k]
    if delete and isinstance(parent, dict):
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return obj


def _well_typed(rec: Record) -> None:
    """Accepted output must be the model's types all the way down (no list where a string belongs)."""
    assert isinstance(rec, Record)
    plain = msgspec.to_builtins(rec)
    msgspec.convert(plain, Record)
    stack = [plain]
    while stack:  # numbers a store column holds: 64-bit integers, times inside the accepted window
        v = stack.pop()
        if isinstance(v, dict):
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, int) and not isinstance(v, bool):
            assert -(2**63) <= v < 2**63
        elif isinstance(v, float):
            assert 0.0 <= v < 4_102_444_800.0


def _check(raw: bytes) -> None:
    try:
        rec, _fmt = parse_line(raw, "fuzz.jsonl", 1, None, LIMITS)
    except Reject as exc:
        assert str(exc)
    else:
        _well_typed(rec)


@SETTINGS
@given(json_values)
def test_parse_line_arbitrary_json_values(value):
    _check(orjson.dumps(value))


@SETTINGS
@given(json_objects)
def test_parse_line_arbitrary_json_objects(obj):
    _check(orjson.dumps(obj))


@SETTINGS
@given(st.binary(max_size=200))
def test_parse_line_arbitrary_bytes(raw):
    _check(raw)


@SETTINGS
@given(st.sampled_from(MUTATION_POINTS), json_values, st.booleans())
def test_parse_line_mutated_real_format_lines(point, value, delete):
    i, path = point
    _check(orjson.dumps(_mutate(REAL[i], path, value, delete)))


WRONG_TYPES = [None, True, 0, -1, 2**64 - 1, 1.5e300, "", "x", [], ["x"], [{"a": 1}], {}, {"a": [1]}]


def test_every_field_of_real_lines_with_every_wrong_type():
    """Systematic: each field of each real-format line replaced by each wrong type, or deleted."""
    n = 0
    for i, path in MUTATION_POINTS:
        for value in WRONG_TYPES:
            _check(orjson.dumps(_mutate(REAL[i], path, value, False)))
            n += 1
        _check(orjson.dumps(_mutate(REAL[i], path, None, True)))
    assert n > 1000


@pytest.mark.parametrize("name", sorted(FORMATS))
@SETTINGS
@given(obj=json_objects | json_values, point=st.sampled_from(MUTATION_POINTS), value=json_values)
def test_every_adapter_directly(name, obj, point, value):
    mod = FORMATS[name]
    i, path = point
    for candidate in (obj, _mutate(REAL[i], path, value, False)):
        try:
            mod.looks_like(candidate) if isinstance(candidate, dict) else None
            rec = mod.parse(candidate, "fuzz.jsonl:1", LIMITS)
        except Reject:
            continue
        _well_typed(rec)


@pytest.mark.parametrize(
    "raw,reason",
    [
        (b'{"type":{"a":1}}', "unknown format"),
        (b'{"type":[1]}', "unknown format"),
        (
            b'{"did":"did:plc:a","kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post",'
            b'"rkey":"k","record":{"facets":[{"features":[{"$type":["x"]}]}],"text":"x","embed":{"$type":'
            b'"app.bsky.embed.video","video":{"ref":{"$link":7}}}}}}',
            r"embed.video.ref.\$link",
        ),
        (
            b'{"data":{"id":"1","text":"x","author_id":"2","referenced_tweets":[{"type":"quoted","id":{"a":1}}]}}',
            r"referenced_tweets\[\].id",
        ),
        (b'{"data":{"id":"1","text":"x","author_id":"2","attachments":{"media_keys":[["k"]]}}}', r"media_keys\[0\].id"),
        (
            b'{"content":"x","id":"1","account":{"id":"2","followers_count":18446744073709551615}}',
            "followers_count: count",
        ),
    ],
)
def test_poison_lines_are_rejects_naming_the_field(raw, reason):
    with pytest.raises(Reject, match=reason):
        parse_line(raw, "s", 1, None)


POISON = [
    b'{"type":{"a":1}}',
    b'{"type":[1]}',
    b'{"type":"post","id":"p","author_id":"a","text":"x","created_at":1e300}',
    b'{"type":"post","id":"p","author_id":"a","text":7}',
    b'{"data":{"id":"1","text":"x","author_id":"2","attachments":{"media_keys":["k"]}},'
    b'"includes":{"media":[{"media_key":"k","url":["https://e/x"]}]}}',
    b'{"errors":[{"title":"operational-disconnect","type":"https://api.twitter.com/2/problems/operational-disconnect"}]}',
    b"\r",  # with the joining newline: a CRLF keep-alive
    b"[]",
    b'{"did":"did:plc:a","kind":"commit","time_us":"soon","commit":{}}',
]
GOOD = [
    b'{"type":"post","id":"g%d","author_id":"a","text":"folder dm t.me/abcdef","created_at":1790000000}' % i
    for i in range(3)
]


def test_scan_with_poison_lines_scans_fully(policy, tmp_path):
    lines = [GOOD[0], *POISON[:5], GOOD[1], *POISON[5:], GOOD[2]]
    src = tmp_path / "mixed.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    db = str(tmp_path / "t.db")
    rejects = tmp_path / "rejects.jsonl"
    summary = Scanner(policy, Store(db, policy.version), batch_size=3, rejects_path=rejects).scan([str(src)])
    assert summary.lines == len(lines) and summary.posts == 3
    rows = [orjson.loads(r) for r in rejects.read_bytes().splitlines()]
    poison_lines = [n for n, raw in enumerate(lines, 1) if raw in POISON and raw.strip()]
    assert [r["line"] for r in rows] == poison_lines and summary.rejects == len(poison_lines)
    by_line = {r["line"]: r["reason"] for r in rows}
    assert by_line[2].startswith("unknown format") and "created_at" in by_line[4] and "text" in by_line[5]
    assert "url" in by_line[6] and by_line[8].startswith("control: x:") and "time_us" in by_line[11]
    store = Store(db, policy.version)
    assert all(store.post("native", f"g{i}") for i in range(3))


def test_truncated_gzip_source_is_a_reject_not_a_crash(policy, tmp_path):
    import gzip

    data = b"".join(
        b'{"type":"post","id":"t%d","author_id":"a","text":"x","created_at":1790000000}\n' % i for i in range(3000)
    )
    blob = gzip.compress(data)
    src = tmp_path / "cut.jsonl.gz"
    src.write_bytes(blob[: len(blob) // 2])
    rejects = tmp_path / "rejects.jsonl"
    summary = Scanner(policy, rejects_path=rejects).scan([str(src)])
    (row,) = [orjson.loads(r) for r in rejects.read_bytes().splitlines()]
    assert row["reason"].startswith("source unreadable from here (EOFError")
    assert 0 < summary.posts == row["line"] - 1 < 3000 and summary.rejects == 1
