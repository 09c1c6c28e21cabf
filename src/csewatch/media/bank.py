"""Hash banks: named lists of hashes (never images) from hotlines and internal review: each entry has
its hash, type (any registered hash type: ``csewatch.media.hashtypes.REGISTRY``; pdq, md5, sha256,
vpdq), category, source, added date and optional expiry. Banks are
versioned: every import or removal makes a new version, entries record the version that added (and
removed) them, and a match records the bank version it was made against.

Imports read CSV/TSV with a header (``hash``/``signal``/``signal_value``/``value``,
``type``/``signal_type``, ``category``/``tags``, ``source``, ``added``, ``expires``) and JSON lines of
the same fields, which covers python-threatexchange / HMA style exports (``signal_type``,
``signal_value``, ThreatExchange's ``HASH_PDQ``-style type names included). A type's own aliases come
from its class. Values are text of any length (a vPDQ hash lists many frames); stores made when the
column was 64 characters are widened by the store's migration (revision 0003), and entries are keyed on
the value's SHA-256 since revision 0005. Every read and write of entries goes through the store's banks
area (``store.banks``); this module reads files and validates values.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import orjson

from csewatch.ingest.common import parse_time
from csewatch.store import Store

_HEX = re.compile(r"^[0-9a-f]+$")
_FIELDS = {
    "hash": ("hash", "signal", "signal_value", "value", "pdq"),
    "type": ("type", "signal_type", "hash_type"),
    "category": ("category", "tags", "label"),
    "source": ("source", "provider", "collab"),
    "added": ("added", "added_at", "created", "date"),
    "expires": ("expires", "expires_at", "expiry"),
}


class BankError(ValueError):
    """A bank file or operation that cannot be accepted; names the line and the reason."""


@dataclass
class BankEntry:
    bank: str
    hash_type: str
    value: str
    category: str
    source: str
    added_at: float
    expires_at: float | None = None


@dataclass
class ImportResult:
    bank: str
    version: int
    added: int
    unchanged: int
    rejected: list[tuple[int, str]]


def normalize_hash(value: str, hash_type: str) -> str:
    """The normal form of a value of a registered type (BankError with the reason otherwise)."""
    from csewatch.media.hashtypes import REGISTRY, InvalidHash

    ht = REGISTRY.get(hash_type)
    if ht is None:
        raise BankError(f"unknown hash type {hash_type!r} ({', '.join(REGISTRY)})")
    try:
        return ht.validate(value)
    except InvalidHash as exc:
        raise BankError(str(exc)) from None


def _resolve_type(name: str) -> str:
    from csewatch.media.hashtypes import resolve

    ht = resolve(name)
    return ht.name if ht is not None else name


def _guess_type(value: str) -> str:
    """A type from the value's shape when that is unambiguous: 32 hex digits are MD5, frame lists vPDQ."""
    v = value.strip().lower()
    if len(v) == 32 and _HEX.match(v):
        return "md5"
    if "," in v:
        return "vpdq"
    return ""


def _pick(row: dict, field: str) -> str | None:
    for name in _FIELDS[field]:
        v = row.get(name)
        if v not in (None, ""):
            return str(v)
    return None


def read_bank_file(
    path: str | Path,
    default_type: str | None = None,
    default_category: str = "unspecified",
    default_source: str | None = None,
) -> tuple[list[tuple[int, dict]], list[tuple[int, str]]]:
    """Rows (line number, normalized fields) and rejects (line number, reason) of a bank file."""
    p = Path(path)
    raw = p.read_bytes()
    text = raw.decode("utf-8-sig", errors="strict")
    rows: list[tuple[int, dict]] = []
    if p.suffix in (".jsonl", ".json", ".ndjson"):
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    rows.append((n, {k.lower(): v for k, v in orjson.loads(line).items()}))
                except (orjson.JSONDecodeError, AttributeError) as exc:
                    rows.append((n, {"__error__": f"not a JSON object: {exc}"}))
    else:
        dialect = "excel-tab" if p.suffix in (".tsv", ".tab") or "\t" in text.split("\n", 1)[0] else "excel"
        reader = csv.DictReader(io.StringIO(text), dialect=dialect)
        if not reader.fieldnames or not any(f and f.strip().lower() in _FIELDS["hash"] for f in reader.fieldnames):
            raise BankError(f"{p}: the header needs a hash column (one of {', '.join(_FIELDS['hash'])})")
        for n, row in enumerate(reader, 2):
            rows.append((n, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}))
    out: list[tuple[int, dict]] = []
    rejects: list[tuple[int, str]] = []
    for n, row in rows:
        if "__error__" in row:
            rejects.append((n, row["__error__"]))
            continue
        try:
            value = _pick(row, "hash")
            if value is None:
                raise BankError("no hash")
            t = (_pick(row, "type") or default_type or _guess_type(value)).lower()
            t = _resolve_type(t)
            if not t:
                raise BankError("64 hex digits can be PDQ or SHA-256: give a type column or --type")
            added = _pick(row, "added")
            expires = _pick(row, "expires")
            out.append(
                (
                    n,
                    {
                        "hash_type": t,
                        "value": normalize_hash(value, t),
                        "category": _pick(row, "category") or default_category,
                        "source": _pick(row, "source") or default_source or p.name,
                        "added_at": parse_time(added, "added") if added else time.time(),
                        "expires_at": parse_time(expires, "expires") if expires else None,
                    },
                )
            )
        except (BankError, ValueError) as exc:
            rejects.append((n, str(exc)))
    return out, rejects


class Banks:
    """Bank operations over the csewatch store: files are read here, entries are kept by the store's banks
    area (``store.banks``, csewatch/store/banks.py), the only code touching the bank tables."""

    def __init__(self, store: Store):
        self.store = store
        self.area = store.banks

    def version(self, bank: str) -> int:
        """The bank's current version (0 for a bank never written)."""
        return self.area.version(bank)

    def versions(self) -> dict[str, int]:
        """Every bank's current version."""
        return self.area.versions()

    def add(self, bank: str, entries: Iterable[dict]) -> tuple[int, int, int]:
        """Add entries (dicts of BankEntry fields without bank); returns (version, added, unchanged)."""
        return self.area.add_entries(bank, list(entries))

    def import_file(self, bank: str, path: str | Path, **defaults) -> ImportResult:
        """Read a bank file and add its valid rows as one new version; rejects name their line."""
        rows, rejects = read_bank_file(path, **defaults)
        version, added, unchanged = self.add(bank, [r for _n, r in rows])
        return ImportResult(bank, version, added, unchanged, rejects)

    def remove(self, bank: str, values: list[str] | None = None) -> tuple[int, int]:
        """Remove some hashes (or all, when values is None); returns (version, removed)."""
        return self.area.remove_entries(bank, values)

    def active(self, bank: str | None = None, hash_type: str | None = None, at: float | None = None) -> list[dict]:
        """Entries in force now: not removed, not expired."""
        return self.area.entries_in_force(bank, hash_type, at)

    def lookup(self, hash_type: str, value: str, at: float | None = None) -> list[dict]:
        """Entries in force with exactly this hash (an indexed query: exact hashes stay in the database)."""
        return self.area.lookup(hash_type, value, at)

    def stats(self) -> list[dict]:
        """Per bank: its version and the entries in force of each registered hash type."""
        from csewatch.media.hashtypes import REGISTRY

        versions = self.versions()
        zero = dict.fromkeys(REGISTRY, 0)
        out: dict[str, dict] = {b: {"bank": b, "version": v, **zero} for b, v in versions.items()}
        for bank, ht, n in self.area.counts_in_force():
            out.setdefault(bank, {"bank": bank, "version": versions.get(bank, 0), **zero})
            out[bank][ht] = n
        return sorted(out.values(), key=lambda r: r["bank"])
