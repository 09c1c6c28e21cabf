"""The native csewatch JSONL: one ``{"type": "post"|"account"|"edge", ...}`` per line, fields as in
``csewatch.model`` (times as unix seconds or ISO-8601, inside the window of ``common.check_time``).
Types are checked strictly (a number where text belongs is a Reject, not coerced); text fields are
held to the explicit ``Limits`` passed in."""

from __future__ import annotations

import msgspec

from csewatch.ingest.common import Limits, Reject, check_count, check_time, guarded, record_time
from csewatch.model import Account, Edge, Post, Record

PLATFORM_DEFAULT = "native"
_TYPES = {"post": Post, "account": Account, "edge": Edge}
_CAPPED = ("text", "bio", "display_name", "handle")
_TIMES = ("created_at", "status_at")


def looks_like(obj: dict) -> bool:
    kind = obj.get("type")
    return isinstance(kind, str) and kind in _TYPES


@guarded
def parse(obj: dict, source: str, limits: Limits) -> Record:
    kind = obj.get("type")
    cls = _TYPES.get(kind) if isinstance(kind, str) else None
    if cls is None:
        raise Reject(f"native record type {str(kind)[:40]!r} is not post/account/edge")
    body = {k: v for k, v in obj.items() if k != "type"}
    body.setdefault("platform", PLATFORM_DEFAULT)
    for key in _TIMES:
        if isinstance(body.get(key), str):
            body[key] = record_time(body[key], key)
    cap = limits.max_field_chars
    for key in _CAPPED:
        v = body.get(key)
        if isinstance(v, str) and len(v) > cap:
            raise Reject(f"{key}: {len(v)} characters, over the cap of {cap}")
    try:
        item = msgspec.convert(body, cls)
    except msgspec.ValidationError as exc:
        raise Reject(f"{kind}: {exc}") from exc
    for key in _TIMES:
        t = getattr(item, key, None)
        if t:
            check_time(t, key)
    for key in ("followers", "following", "posts_count"):
        if getattr(item, key, None) is not None:
            check_count(getattr(item, key), key)
    if isinstance(item, Post):
        for j, m in enumerate(item.media):
            if m.size is not None:
                check_count(m.size, f"media[{j}].size")
        item.source = source
        return Record(posts=[item], accounts=[], edges=[])
    if isinstance(item, Account):
        return Record(posts=[], accounts=[item], edges=[])
    return Record(posts=[], accounts=[], edges=[item])
