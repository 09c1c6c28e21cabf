"""Helpers every format adapter shares: the reject error, time parsing, field type and size checks."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any


class Reject(ValueError):
    """A record that cannot be accepted; the message is the reason written to the reject file."""


MAX_FIELD_CHARS = 20_000


def parse_time(value: Any, field: str) -> float:
    """ISO-8601 (``2026-11-02T10:00:00.000Z``) or unix seconds to unix seconds."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if not isinstance(value, str):
        raise Reject(f"{field}: expected a timestamp, got {type(value).__name__}")
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError as exc:
        raise Reject(f"{field}: not an ISO-8601 time: {value[:40]!r}") from exc


def req_str(obj: dict, key: str, where: str) -> str:
    v = obj.get(key)
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    if not isinstance(v, str) or not v:
        raise Reject(f"{where}.{key}: required string missing or of type {type(v).__name__}")
    return v


def opt_str(obj: dict, key: str, where: str, cap: int | None = None) -> str | None:
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    if not isinstance(v, str):
        raise Reject(f"{where}.{key}: expected a string, got {type(v).__name__}")
    limit = cap or MAX_FIELD_CHARS
    if len(v) > limit:
        raise Reject(f"{where}.{key}: {len(v)} characters, over the cap of {limit}")
    return v


def opt_int(obj: dict, key: str, where: str) -> int | None:
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise Reject(f"{where}.{key}: expected an integer, got {type(v).__name__}")
    return v


def as_dict(v: Any, where: str) -> dict:
    if v is None:
        return {}
    if not isinstance(v, dict):
        raise Reject(f"{where}: expected an object, got {type(v).__name__}")
    return v


def as_list(v: Any, where: str) -> list:
    if v is None:
        return []
    if not isinstance(v, list):
        raise Reject(f"{where}: expected an array, got {type(v).__name__}")
    return v


_TAG_RE = re.compile(r"<br\s*/?>|</p>\s*<p[^>]*>", re.IGNORECASE)
_STRIP_RE = re.compile(r"<[^>]+>")


def html_to_text(markup: str) -> str:
    """Mastodon-style HTML (``<p>``, ``<br>``, links, hashtag anchors) to plain text."""
    if "<" not in markup and "&" not in markup:
        return markup
    text = _TAG_RE.sub("\n", markup)
    text = _STRIP_RE.sub("", text)
    return html.unescape(text).strip()
