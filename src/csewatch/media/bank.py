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
column was 64 characters are widened by the store's migration (revision 0003).
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
from sqlalchemy import func, select, update

from csewatch.ingest.common import parse_time
from csewatch.store import Store
from csewatch.store import schema as S

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


def _in_force(now: float):
    """The condition for entries in force at ``now``: not removed, not expired."""
    t = S.bank_entries
    return t.c.removed_version.is_(None) & ((t.c.expires_at.is_(None)) | (t.c.expires_at > now))


class Banks:
    """Bank operations over the csewatch store."""

    def __init__(self, store: Store):
        self.store = store

    def version(self, bank: str) -> int:
        with self.store.engine.connect() as conn:
            v = conn.execute(select(S.banks.c.version).where(S.banks.c.name == bank)).scalar()
        return int(v or 0)

    def versions(self) -> dict[str, int]:
        with self.store.engine.connect() as conn:
            return {n: v for n, v in conn.execute(select(S.banks.c.name, S.banks.c.version))}

    def _bump(self, conn, bank: str) -> int:
        return self.store.bump_bank_version(bank, conn)

    def add(self, bank: str, entries: Iterable[dict]) -> tuple[int, int, int]:
        """Add entries (dicts of BankEntry fields without bank); returns (version, added, unchanged)."""
        entries = list(entries)
        t = S.bank_entries
        with self.store.engine.begin() as conn:
            version = self._bump(conn, bank)
            existing = {
                (r.hash_type, r.value): r.removed_version
                for r in conn.execute(select(t.c.hash_type, t.c.value, t.c.removed_version).where(t.c.bank == bank))
            }
            rows, unchanged = [], 0
            seen = set()
            for e in entries:
                k = (e["hash_type"], e["value"])
                if k in seen:
                    continue
                seen.add(k)
                if k in existing and existing[k] is None:
                    unchanged += 1
                    continue
                rows.append({"bank": bank, **e, "added_version": version, "removed_version": None})
            self.store.put_bank_entries(rows, conn)
        return version, len(rows), unchanged

    def import_file(self, bank: str, path: str | Path, **defaults) -> ImportResult:
        rows, rejects = read_bank_file(path, **defaults)
        version, added, unchanged = self.add(bank, [r for _n, r in rows])
        return ImportResult(bank, version, added, unchanged, rejects)

    def remove(self, bank: str, values: list[str] | None = None) -> tuple[int, int]:
        """Remove some hashes (or all, when values is None); returns (version, removed)."""
        t = S.bank_entries
        with self.store.engine.begin() as conn:
            version = self._bump(conn, bank)
            q = update(t).where(t.c.bank == bank, t.c.removed_version.is_(None))
            if values is not None:
                q = q.where(t.c.value.in_([v.strip().lower() for v in values]))
            n = conn.execute(q.values(removed_version=version)).rowcount
        return version, n

    def active(self, bank: str | None = None, hash_type: str | None = None, at: float | None = None) -> list[dict]:
        """Entries in force now: not removed, not expired."""
        t = S.bank_entries
        q = select(t).where(_in_force(at or time.time()))
        if bank:
            q = q.where(t.c.bank == bank)
        if hash_type:
            q = q.where(t.c.hash_type == hash_type)
        with self.store.engine.connect() as conn:
            return [{str(k): v for k, v in r.items()} for r in conn.execute(q.order_by(t.c.bank, t.c.value)).mappings()]

    def lookup(self, hash_type: str, value: str, at: float | None = None) -> list[dict]:
        """Entries in force with exactly this hash (an indexed query: exact hashes stay in the database)."""
        t = S.bank_entries
        now = at or time.time()
        q = select(t).where(t.c.hash_type == hash_type, t.c.value == value, _in_force(now))
        with self.store.engine.connect() as conn:
            return [{str(k): v for k, v in r.items()} for r in conn.execute(q).mappings()]

    def stats(self) -> list[dict]:
        t = S.bank_entries
        versions = self.versions()
        now = time.time()
        from csewatch.media.hashtypes import REGISTRY

        q = select(t.c.bank, t.c.hash_type, func.count()).where(_in_force(now)).group_by(t.c.bank, t.c.hash_type)
        zero = dict.fromkeys(REGISTRY, 0)
        out: dict[str, dict] = {b: {"bank": b, "version": v, **zero} for b, v in versions.items()}
        with self.store.engine.connect() as conn:
            for bank, ht, n in conn.execute(q):
                out.setdefault(bank, {"bank": bank, "version": versions.get(bank, 0), **zero})
                out[bank][ht] = n
        return sorted(out.values(), key=lambda r: r["bank"])

