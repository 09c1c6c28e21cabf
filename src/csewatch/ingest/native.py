"""The native csewatch JSONL: one ``{"type": "post"|"account"|"edge", ...}`` per line, fields as in
``csewatch.model`` (times as unix seconds or ISO-8601)."""

from __future__ import annotations

import msgspec

from csewatch.ingest.common import MAX_FIELD_CHARS, Reject, parse_time
from csewatch.model import Account, Edge, Post, Record

PLATFORM_DEFAULT = "native"
_TYPES = {"post": Post, "account": Account, "edge": Edge}


def looks_like(obj: dict) -> bool:
    return obj.get("type") in _TYPES


def parse(obj: dict, source: str) -> Record:
    kind = obj.get("type")
    cls = _TYPES.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise Reject(f"native record type {kind!r} is not post/account/edge")
    body = {k: v for k, v in obj.items() if k != "type"}
    body.setdefault("platform", PLATFORM_DEFAULT)
    for key in ("created_at",):
        if isinstance(body.get(key), str):
            body[key] = parse_time(body[key], key)
    for key in ("text", "bio", "display_name"):
        v = body.get(key)
        if isinstance(v, str) and len(v) > MAX_FIELD_CHARS:
            raise Reject(f"{key}: {len(v)} characters, over the cap of {MAX_FIELD_CHARS}")
    try:
        item = msgspec.convert(body, cls)
    except msgspec.ValidationError as exc:
        raise Reject(f"{kind}: {exc}") from exc
    if kind == "post":
        item.source = source
        return Record(posts=[item], accounts=[], edges=[])
    if kind == "account":
        return Record(posts=[], accounts=[item], edges=[])
    return Record(posts=[], accounts=[], edges=[item])
