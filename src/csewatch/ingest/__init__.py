"""Ingest: read sources (files, ``.gz``, directories, stdin) line by line from a checkpoint, decode
each JSON line, recognise its format (X API v2, Bluesky Jetstream, Mastodon, native csewatch) and
turn it into a Record. Lines that cannot be accepted become Rejects naming the source, the line
number and the reason; reading goes on. No line, whatever it holds, raises anything but Reject out of
``parse_line`` (stream control messages are ``ControlMessage`` rejects whose reason starts with
``control:``). Limits (field caps) are passed explicitly, from the policy pack.
"""

from __future__ import annotations

import gzip
import io
import sys
import zlib
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, BinaryIO, NamedTuple

import orjson

from csewatch.ingest import jetstream, mastodon, native, x_v2
from csewatch.ingest.common import DEFAULT_LIMITS, ControlMessage, Limits, Reject
from csewatch.model import Record

FORMATS: dict[str, ModuleType] = {"x": x_v2, "bluesky": jetstream, "mastodon": mastodon, "native": native}
MAX_LINE_BYTES = 1_000_000
_SUFFIXES = (".jsonl", ".json", ".ndjson", ".jsonl.gz", ".json.gz", ".ndjson.gz", ".gz")


class Rejected(NamedTuple):
    source: str
    line: int
    reason: str


class ReadError(NamedTuple):
    """What ``Source.lines`` yields, in place of a line, when the source cannot be read on (a truncated
    or corrupt gzip stream, an I/O error); ``parse_line`` turns it into a Reject and the source ends."""

    reason: str


_READ_ERRORS = (OSError, EOFError, zlib.error)


class Source:
    """One input: a file (plain or gzip) or stdin. Its key names it in checkpoints and rejects."""

    def __init__(self, path: str):
        self.path = path
        self.is_stdin = path == "-"
        self.key = "stdin" if self.is_stdin else str(Path(path).resolve())
        self.gz = not self.is_stdin and path.endswith(".gz")

    @property
    def size(self) -> int | None:
        if self.is_stdin:
            return None
        return Path(self.path).stat().st_size

    def lines(self, offset: int = 0, line_no: int = 0) -> Iterator[tuple[int, int, bytes | ReadError | None]]:
        """Yield (line number, position after the line, raw bytes or None when over the cap).

        Position is a byte offset for plain files and a line count for gzip and stdin. When the source
        cannot be read on, a last ``ReadError`` is yielded in place of the line and reading stops."""
        n, pos = (offset if self.gz or self.is_stdin else line_no), offset
        it = self._lines(offset, line_no)
        while True:
            try:
                item = next(it)
            except StopIteration:
                return
            except _READ_ERRORS as exc:
                # the position stays at the last line read: a resume meets (and reports) the error again
                yield n + 1, pos, ReadError(f"source unreadable from here ({type(exc).__name__}: {exc})")
                return
            n, pos = item[0], item[1]
            yield item

    def _lines(self, offset: int, line_no: int) -> Iterator[tuple[int, int, bytes | None]]:
        fh: BinaryIO
        if self.is_stdin:
            fh = sys.stdin.buffer
        elif self.gz:
            fh = gzip.open(self.path, "rb")  # type: ignore[assignment]
        else:
            fh = open(self.path, "rb")  # noqa: SIM115
        try:
            if self.gz or self.is_stdin:
                for _ in range(offset):
                    if not _skip_line(fh):
                        return
                pos, n = offset, offset
            else:
                fh.seek(offset)
                pos, n = offset, line_no
            while True:
                raw = fh.readline(MAX_LINE_BYTES + 1)
                if not raw:
                    return
                n += 1
                oversized = len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n")
                extra = 0
                if oversized:
                    extra = _skip_rest(fh)
                if self.gz or self.is_stdin:
                    pos += 1
                else:
                    pos += len(raw) + extra
                yield n, pos, (None if oversized else raw)
        finally:
            if not self.is_stdin:
                fh.close()


def _skip_line(fh: BinaryIO) -> bool:
    chunk = fh.readline(MAX_LINE_BYTES + 1)
    if not chunk:
        return False
    if len(chunk) > MAX_LINE_BYTES and not chunk.endswith(b"\n"):
        _skip_rest(fh)
    return True


def _skip_rest(fh: BinaryIO) -> int:
    n = 0
    while True:
        chunk = fh.readline(io.DEFAULT_BUFFER_SIZE * 16)
        n += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return n


def expand_sources(paths: list[str]) -> list[Source]:
    """Files as given; directories expanded to their JSON(L)/gz files in name order; '-' is stdin."""
    out: list[Source] = []
    for p in paths:
        if p == "-":
            out.append(Source("-"))
            continue
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and f.name.endswith(_SUFFIXES) and not f.name.startswith("."):
                    out.append(Source(str(f)))
        elif path.exists():
            out.append(Source(str(path)))
        else:
            raise FileNotFoundError(f"{p}: no such file or directory")
    return out


def decode_line(raw: bytes) -> dict:
    """JSON object from one line, or Reject with a reason a person can act on."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    if b"\x00" in raw:
        raise Reject("not UTF-8 text (NUL bytes: UTF-16 or binary?)")
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as uexc:
            raise Reject(f"invalid UTF-8 at byte {uexc.start}") from None
        raise Reject(f"malformed JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise Reject(f"expected a JSON object, got {type(obj).__name__}")
    return obj


def _looks_like(mod: Any, obj: dict) -> bool:
    try:
        return bool(mod.looks_like(obj))
    except Exception:  # noqa: BLE001 - a recogniser that cannot read the object does not claim it
        return False


def detect_format(obj: dict, preferred: str | None = None, formats: Mapping[str, Any] | None = None) -> str | None:
    """The name of the first format that recognises ``obj`` (``preferred`` first); never raises.
    ``formats``: name -> object with ``looks_like``/``parse`` (the manifest's); the built-ins by default."""
    formats = FORMATS if formats is None else formats
    if preferred in formats and _looks_like(formats[preferred], obj):
        return preferred
    for name, mod in formats.items():
        if _looks_like(mod, obj):
            return name
    return None


def parse_line(
    raw: bytes | ReadError | None,
    source: str,
    line: int,
    fmt_hint: str | None,
    limits: Limits = DEFAULT_LIMITS,
    formats: Mapping[str, Any] | None = None,
) -> tuple[Record, str]:
    """(record, format) for one raw line; raises Reject (ControlMessage for stream control messages),
    nothing else. Blank lines (stream keep-alives) are an empty record."""
    if raw is None:
        raise Reject(f"line over {MAX_LINE_BYTES} bytes")
    if isinstance(raw, ReadError):
        raise Reject(raw.reason)
    if not raw.strip():
        return Record(posts=[], accounts=[], edges=[]), fmt_hint or ""
    obj = decode_line(raw)
    formats = FORMATS if formats is None else formats
    fmt = detect_format(obj, fmt_hint, formats)
    if fmt is None:
        raise Reject(f"unknown format (not any of: {', '.join(formats)})")
    try:
        return formats[fmt].parse(obj, f"{source}:{line}", limits), fmt
    except ControlMessage as exc:
        raise ControlMessage(f"control: {fmt}: {exc}") from None
    except Reject as exc:
        raise Reject(f"{fmt}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - an adapter outside the guard must not stop ingestion either
        raise Reject(f"{fmt}: unexpected structure ({type(exc).__name__}: {str(exc)[:200]})") from None
