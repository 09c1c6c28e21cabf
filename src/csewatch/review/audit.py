"""Append-only audit log, hash-chained: each entry's hash covers the previous entry's hash and the
entry itself (canonical JSON), so any edit, deletion or reordering breaks the chain at that entry.

Appends are serialised so that the chain never forks under concurrent use: on SQLite the append runs
in a ``BEGIN IMMEDIATE`` transaction (the write lock is taken before the head is read), on
PostgreSQL under a transaction-scoped advisory lock; a unique index on ``prev_hash`` refuses a fork
on any database. Triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL) on the table. The index
and the triggers are part of the store's schema (``store/schema.py``, migration 0004); the locking, the
head and the rows are the store's audit area (``store/audit_log.py``, ``store.audit``). This module
holds what is not SQL: the entries' hashing, the keyed anchor and the verification.

A chain alone cannot show that its tail was cut or that the whole chain was recomputed by someone
with write access to the database. For that the head is anchored outside the database: when an
audit key is configured (a key file, path from ``CSEWATCH_AUDIT_KEY_FILE``, created 0600 on first
use; the database never holds it), every append writes an anchor file (the head's seq and hash with
an HMAC-SHA256 over them) in the anchor directory (``CSEWATCH_AUDIT_ANCHOR_DIR``, default
``<key file>.anchors`` beside the key). ``verify`` then checks the anchored head is still in the
chain, unchanged, and says what it proved and what it could not.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from csewatch.store import Store

if TYPE_CHECKING:  # the store's transaction handle, passed through (never used for SQL here)
    from csewatch.store import Connection

GENESIS = "0" * 64
KEY_ENV = "CSEWATCH_AUDIT_KEY_FILE"
ANCHOR_ENV = "CSEWATCH_AUDIT_ANCHOR_DIR"


def entry_hash(prev: str, at: float, actor: str, action: str, subject: str, details: str) -> str:
    body = orjson.dumps([prev, repr(at), actor, action, subject, details])
    return hashlib.sha256(body).hexdigest()


def anchor_mac(key: bytes, log_id: str, seq: int, head: str) -> str:
    """HMAC-SHA256 over the anchored head: forging or moving an anchor needs the key."""
    return hmac.new(key, orjson.dumps([log_id, seq, head]), hashlib.sha256).hexdigest()


def load_key(path: str | Path, create: bool = False) -> bytes | None:
    """The audit key from ``path``; with ``create``, a new random key is written there (mode 0600)
    when the file does not exist. None when it does not exist and is not to be created."""
    p = Path(path)
    if create and not p.exists():
        p.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another thread or process made it first
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32) + "\n")
                f.flush()
                os.fsync(f.fileno())
    for _ in range(50):  # a key being written by someone else is read once it is whole
        try:
            raw = p.read_text().strip()
        except FileNotFoundError:
            return None
        if len(raw) >= 32:
            return raw.encode()
        time.sleep(0.01)
    raise ValueError(f"audit key file {p} is too short (need at least 32 characters)")


@dataclass
class VerifyResult:
    ok: bool
    entries: int
    first_bad: int | None = None
    reason: str = ""
    keyed: bool = False  # whether an audit key was available to check the anchor
    anchored_seq: int | None = None  # the anchored head that was found intact
    unanchored: int = 0  # entries after the anchored head (their removal could not be detected)
    proved: list[str] = field(default_factory=list)
    not_proved: list[str] = field(default_factory=list)


class AuditLog:
    def __init__(self, store: Store, key_file: str | Path | None = None, anchor_dir: str | Path | None = None):
        self.store = store
        kf = key_file if key_file is not None else os.environ.get(KEY_ENV) or None
        self.key_file: Path | None = Path(kf) if kf else None
        ad = anchor_dir if anchor_dir is not None else os.environ.get(ANCHOR_ENV) or None
        if ad:
            self.anchor_dir: Path | None = Path(ad)
        elif self.key_file is not None:
            self.anchor_dir = self.key_file.with_name(self.key_file.name + ".anchors")
        else:
            self.anchor_dir = None
        self._key: bytes | None = None
        self._log_id: str | None = None
        self._anchored = 0  # highest seq this object knows to be anchored

    # -- appends ------------------------------------------------------------------------------
    def append(
        self,
        actor: str,
        action: str,
        subject: str,
        details: dict[str, Any] | None = None,
        conn: Connection | None = None,
    ) -> str:
        """Append one entry (in the caller's transaction when ``conn`` is given); returns its hash."""
        body = orjson.dumps(details or {}, option=orjson.OPT_SORT_KEYS).decode()

        def build(prev: str) -> dict[str, Any]:
            at = time.time()
            h = entry_hash(prev, at, actor, action, subject, body)
            return {
                "at": at,
                "actor": actor,
                "action": action,
                "subject": subject,
                "details": body,
                "prev_hash": prev,
                "hash": h,
            }

        h, seq = self.store.audit.append(build, GENESIS, conn, on_committed_head=self._anchor)
        if conn is None and seq is not None:
            self._anchor(seq, h)
        return h

    # -- the anchor outside the database ------------------------------------------------------
    def _key_or_none(self, create: bool) -> bytes | None:
        if self._key is None and self.key_file is not None:
            self._key = load_key(self.key_file, create=create)
        return self._key

    def _first_hash(self, conn: Connection | None = None) -> str | None:
        if self._log_id is None:
            self._log_id = self.store.audit.first_hash(conn)
        return self._log_id

    def anchor_path(self, log_id: str) -> Path | None:
        return None if self.anchor_dir is None else self.anchor_dir / f"{log_id[:32]}.json"

    def _anchor(self, seq: int, head: str, conn: Connection | None = None) -> None:
        """Record (seq, head) as the anchored head unless a later one is anchored already."""
        if self.key_file is None or seq <= self._anchored:
            return
        key = self._key_or_none(create=True)
        log_id = self._first_hash(conn)
        path = self.anchor_path(log_id) if key and log_id else None
        if path is None or key is None or log_id is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path.with_suffix(".lock"), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            current = _read_anchor(path)
            if current is not None and int(current.get("seq", 0)) >= seq:
                self._anchored = int(current["seq"])
                return
            doc = {
                "log": log_id,
                "db": _safe_url(self.store),
                "seq": seq,
                "hash": head,
                "anchored_at": time.time(),
                "mac": anchor_mac(key, log_id, seq, head),
            }
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with open(tmp, "wb") as f:
                f.write(orjson.dumps(doc))
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
            self._anchored = seq

    # -- reads --------------------------------------------------------------------------------
    def entries(self, limit: int | None = None) -> list[dict]:
        """The entries in chain order, as plain dicts."""
        return self.store.audit.entries(limit)

    def verify(self) -> VerifyResult:
        """Recompute the chain; with the audit key, also check the anchored head (cut tail, recomputation)."""
        prev = GENESIS
        n = 0
        seq_hash: dict[int, str] = {}
        last_seq = 0
        for e in self.entries():
            n += 1
            if e["prev_hash"] != prev:
                return VerifyResult(False, n, e["seq"], "does not follow the previous entry (deleted or reordered)")
            if entry_hash(prev, e["at"], e["actor"], e["action"], e["subject"], e["details"]) != e["hash"]:
                return VerifyResult(False, n, e["seq"], "its content does not match its hash (edited)")
            prev = e["hash"]
            seq_hash[e["seq"]] = e["hash"]
            last_seq = e["seq"]
        chain = "no entry inside the chain was edited, removed or reordered"
        tail = "that the tail was not cut and the chain was not recomputed"
        if self.key_file is None:
            return VerifyResult(
                True, n, proved=[chain], not_proved=[tail + f" (no audit key: set {KEY_ENV} or --key-file)"]
            )
        key = self._key_or_none(create=False)
        if key is None:
            return VerifyResult(
                False, n, None, f"audit key file {self.key_file} does not exist", proved=[chain], not_proved=[tail]
            )
        res = VerifyResult(True, n, keyed=True, proved=[chain])
        if n == 0:
            emptied = self._anchors_naming_this_db()
            if emptied:
                res.ok, res.reason = False, f"the log is empty but an anchor names this database ({emptied})"
            return res
        log_id = next(iter(seq_hash.values()))
        path = self.anchor_path(log_id)
        anchor = _read_anchor(path) if path is not None else None
        if anchor is None:
            res.ok, res.reason = False, f"no anchor for this log at {path}: its tail cannot be proven"
            res.not_proved.append(tail)
            return res
        seq, head = int(anchor.get("seq", 0)), str(anchor.get("hash", ""))
        if not hmac.compare_digest(str(anchor.get("mac", "")), anchor_mac(key, log_id, seq, head)):
            res.ok, res.reason = False, f"the anchor at {path} does not verify with this key (forged, or a wrong key)"
            return res
        if seq not in seq_hash:
            res.ok, res.first_bad = False, seq
            res.reason = f"tail cut: the anchored head is entry {seq} but the log ends at entry {last_seq}"
            return res
        if seq_hash[seq] != head:
            res.ok, res.first_bad = False, seq
            res.reason = "recomputed: entry's hash differs from the anchored head (the chain was rewritten)"
            return res
        res.anchored_seq = seq
        res.unanchored = sum(1 for s in seq_hash if s > seq)
        res.proved.append(f"no cut tail or recomputation up to the anchored entry {seq}")
        if res.unanchored:
            res.not_proved.append(f"the {res.unanchored} entries after entry {seq} are not anchored yet")
        return res

    def _anchors_naming_this_db(self) -> str:
        if self.anchor_dir is None or not self.anchor_dir.is_dir():
            return ""
        me = _safe_url(self.store)
        for p in sorted(self.anchor_dir.glob("*.json")):
            a = _read_anchor(p)
            if a is not None and a.get("db") == me:
                return str(p)
        return ""


def _read_anchor(path: Path) -> dict | None:
    try:
        return orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None


def _safe_url(store: Store) -> str:
    """The store's URL without a password (anchors name the database they belong to)."""
    return store.audit.database()


__all__ = ["ANCHOR_ENV", "GENESIS", "KEY_ENV", "AuditLog", "VerifyResult", "anchor_mac", "load_key"]
