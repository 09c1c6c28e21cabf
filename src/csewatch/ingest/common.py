"""Helpers every format adapter shares: the reject error, explicit limits, time parsing and the one
robust time formatter, field type and size checks, X text unescaping and Mastodon HTML rendering."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, NamedTuple

from csewatch.model import MediaRef, Record


class Reject(ValueError):
    """A record that cannot be accepted; the message is the reason written to the reject file."""


class ControlMessage(Reject):
    """A platform stream's control message (X operational-disconnect, other top-level ``errors``):
    understood, carries no content. A Reject subclass so every caller reports it; the reason starts
    with ``control:`` so it can be counted apart from bad input."""


class Limits(NamedTuple):
    """The limits an adapter applies, passed explicitly (from the policy pack's thresholds)."""

    max_field_chars: int = 20_000


DEFAULT_LIMITS = Limits()

# The accepted window for every time read at ingest: 1970-01-01T00:00:00Z (inclusive) to
# 2100-01-01T00:00:00Z (exclusive). Earlier, later, NaN or infinite values are rejected: they are
# milliseconds/microseconds sent as seconds, or corrupt, and a far-future time would move the
# per-platform stream clock forward for good. 0 / missing stays "unknown".
# Other callers of parse_time (hash-bank expiries...) get the calendar's whole range: to 9999-12-31.
MIN_TIME = 0.0
MAX_TIME = 4_102_444_800.0
MAX_CALENDAR_TIME = 253_402_300_800.0


def check_time(t: float, field: str, latest: float = MAX_TIME) -> float:
    """``t`` (unix seconds) when inside [MIN_TIME, latest); Reject naming the field otherwise."""
    if not math.isfinite(t) or not MIN_TIME <= t < latest:
        end = datetime.fromtimestamp(latest, UTC).date().isoformat() if latest < MAX_CALENDAR_TIME else "9999-12-31"
        raise Reject(f"{field}: time {t!r} outside 1970-01-01..{end} (unix seconds expected)")
    return t


def parse_time(value: Any, field: str, latest: float = MAX_CALENDAR_TIME) -> float:
    """ISO-8601 (``2026-11-02T10:00:00.000Z``; no offset means UTC) or unix seconds to unix seconds,
    inside [1970-01-01, ``latest``); None or "" is 0.0 (unknown)."""
    if value is None or value == "":
        return 0.0
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return check_time(float(value), field, latest)
        except OverflowError:
            raise Reject(f"{field}: time {value!r} out of range") from None
    if not isinstance(value, str):
        raise Reject(f"{field}: expected a timestamp, got {type(value).__name__}")
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=UTC)
        t = dt.timestamp()
    except (ValueError, OverflowError) as exc:
        raise Reject(f"{field}: not an ISO-8601 time: {value[:40]!r}") from exc
    return check_time(t, field, latest)


def record_time(value: Any, field: str) -> float:
    """A time of a platform record (post, account, edge, event): parse_time inside the ingest window."""
    return parse_time(value, field, MAX_TIME)


def format_time(t: Any, fmt: str = "%Y-%m-%dT%H:%M:%SZ", default: str = "") -> str:
    """Unix seconds as UTC text; ``default`` for None, NaN, non-numbers or times no calendar can show.
    The one formatter the web UI, review and reports use, so a bad stored time never raises."""
    if isinstance(t, bool) or not isinstance(t, int | float):
        return default
    try:
        return datetime.fromtimestamp(t, UTC).strftime(fmt)
    except (ValueError, OverflowError, OSError):
        return default


def check_len(v: str, where: str, cap: int) -> str:
    if len(v) > cap:
        raise Reject(f"{where}: {len(v)} characters, over the cap of {cap}")
    return v


def req_str(obj: dict, key: str, where: str, cap: int = DEFAULT_LIMITS.max_field_chars) -> str:
    """A required identifier: a non-empty string, or an integer (X and Mastodon ids) as its decimal text."""
    v = obj.get(key)
    if isinstance(v, int) and not isinstance(v, bool):
        return str(v)
    if not isinstance(v, str) or not v:
        raise Reject(f"{where}.{key}: required string missing or of type {type(v).__name__}")
    return check_len(v, f"{where}.{key}", cap)


def opt_id(obj: dict, key: str, where: str, cap: int = DEFAULT_LIMITS.max_field_chars) -> str | None:
    """An optional identifier: None, a string, or an integer as its decimal text."""
    v = obj.get(key)
    if v is None or v == "":
        return None
    return req_str(obj, key, where, cap)


def opt_str(obj: dict, key: str, where: str, cap: int = DEFAULT_LIMITS.max_field_chars) -> str | None:
    """An optional text field: None or a string within ``cap``; any other type (a number too) is a Reject."""
    v = obj.get(key)
    if v is None:
        return None
    if not isinstance(v, str):
        raise Reject(f"{where}.{key}: expected a string, got {type(v).__name__}")
    return check_len(v, f"{where}.{key}", cap)


INT64_MAX = 2**63 - 1


def check_count(v: int, where: str) -> int:
    """A count (followers, posts, bytes): 0..2**63-1, what every store column holds."""
    if not 0 <= v <= INT64_MAX:
        raise Reject(f"{where}: count {v} outside 0..2**63-1")
    return v


def opt_int(obj: dict, key: str, where: str) -> int | None:
    """An optional count: None or an integer in 0..2**63-1."""
    v = obj.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        raise Reject(f"{where}.{key}: expected an integer, got {type(v).__name__}")
    return check_count(v, f"{where}.{key}")


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


def media_ref(
    where: str, id: Any, kind: Any = "image", url: Any = None, alt: Any = None, size: Any = None, cap: int = 2_000
) -> MediaRef:
    """A checked MediaRef: id a non-empty string (or integer), url and alt strings or absent; else Reject."""
    if isinstance(id, int) and not isinstance(id, bool):
        id = str(id)
    if not isinstance(id, str) or not id:
        raise Reject(f"{where}.id: media id missing or of type {type(id).__name__}")
    if url is not None and not isinstance(url, str):
        raise Reject(f"{where}.url: expected a string, got {type(url).__name__}")
    if alt is not None and not isinstance(alt, str):
        raise Reject(f"{where}.alt: expected a string, got {type(alt).__name__}")
    return MediaRef(
        id=check_len(id, f"{where}.id", cap),
        kind=kind if isinstance(kind, str) and kind else "image",
        url=check_len(url, f"{where}.url", cap) if url else None,
        alt=alt,
        size=size if isinstance(size, int) and not isinstance(size, bool) and 0 <= size <= INT64_MAX else None,
    )


def guarded(parse: Callable[..., Record]) -> Callable[..., Record]:
    """Wrap an adapter's ``parse``: whatever the payload holds, the result is a Record or a Reject."""

    @functools.wraps(parse)
    def wrapper(obj: Any, source: str, limits: Limits = DEFAULT_LIMITS) -> Record:
        if not isinstance(obj, dict):
            raise Reject(f"expected a JSON object, got {type(obj).__name__}")
        try:
            return parse(obj, source, limits)
        except Reject:
            raise
        except RecursionError:
            raise Reject("nested too deeply") from None
        except Exception as exc:  # noqa: BLE001 - no payload may stop ingestion
            raise Reject(f"unexpected structure ({type(exc).__name__}: {str(exc)[:200]})") from None

    return wrapper


# -- X: the API escapes exactly &, < and > in tweet text -------------------------------------------
_X_ENTITY = re.compile(r"&(amp|lt|gt);")
_X_CHARS = {"amp": "&", "lt": "<", "gt": ">"}


def x_unescape(text: str) -> str:
    """Undo X's escaping of ``&`` ``<`` ``>`` in one pass (a typed ``&amp;`` arrives as ``&amp;amp;``
    and comes back as ``&amp;``). Entity offsets are counted on the unescaped text, so they hold."""
    if "&" not in text:
        return text
    return _X_ENTITY.sub(lambda m: _X_CHARS[m.group(1)], text)


# -- Mastodon HTML ---------------------------------------------------------------------------------
_BLOCKS = {"p", "blockquote", "li", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}


class _Renderer(HTMLParser):
    """Mastodon's HTML as the web client shows it: ``<br>`` a newline, paragraphs apart by a blank
    line, ``span.invisible`` hidden, ``span.ellipsis`` followed by "…"; link hrefs collected apart
    from mention and hashtag anchors."""

    def __init__(self, show_invisible: bool) -> None:
        super().__init__(convert_charrefs=True)
        self.show_invisible = show_invisible
        self.out: list[str] = []
        self.links: list[str] = []
        self.spans: list[str] = []
        self.hidden = 0
        self.blocks = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: (v or "") for k, v in attrs}
        classes = set(a.get("class", "").split())
        if tag == "br":
            self.out.append("\n")
        elif tag in _BLOCKS:
            if self.blocks and self.out:
                self.out.append("\n\n")
            self.blocks += 1
        elif tag == "a":
            href = a.get("href", "")
            rel = set(a.get("rel", "").split())
            if href and not (classes & {"mention", "hashtag", "u-url"}) and "tag" not in rel:
                self.links.append(href)
        elif tag == "span":
            kind = "invisible" if "invisible" in classes else "ellipsis" if "ellipsis" in classes else ""
            self.spans.append(kind)
            if kind == "invisible" and not self.show_invisible:
                self.hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "span" and self.spans:
            kind = self.spans.pop()
            if kind == "invisible" and not self.show_invisible:
                self.hidden -= 1
            elif kind == "ellipsis" and not self.show_invisible:
                self.out.append("…")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.out.append(data)


def render_html(markup: str, show_invisible: bool = False) -> tuple[str, list[str]]:
    """(plain text, link hrefs that are not mentions or hashtags) of Mastodon-style HTML."""
    if "<" not in markup and "&" not in markup:
        return markup, []
    r = _Renderer(show_invisible)
    r.feed(markup)
    r.close()
    text = "".join(r.out).strip()
    return text, list(dict.fromkeys(r.links))


def html_to_text(markup: str, show_invisible: bool = False) -> str:
    """Mastodon-style HTML (``<p>``, ``<br>``, links, hashtag anchors) to plain text."""
    return render_html(markup, show_invisible)[0]
