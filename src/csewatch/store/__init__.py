"""The store: SQLAlchemy 2 over SQLite (WAL, default ``./csewatch.db``) or PostgreSQL (``--db URL``).

``commit_batch`` writes one batch's posts, accounts, edges, signals, verdicts, case changes,
detector state, rejects AND the source checkpoint in a single transaction, so a scan killed at any
moment resumes from the last committed batch with nothing lost and nothing counted twice. Every
write is an idempotent upsert keyed on (platform, id) or a content digest.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
import orjson
from sqlalchemy import JSON, Connection, Engine, String, create_engine, event, func, select
from sqlalchemy.dialects import postgresql, sqlite

from csewatch.model import Account, Case, Edge, Post, Signal, Verdict
from csewatch.store import schema
from csewatch.store.audit_log import AuditTable
from csewatch.store.banks import BankTables
from csewatch.store.console import ConsoleReads
from csewatch.store.enforcement import Enforcement
from csewatch.store.graph_reads import GraphReads
from csewatch.store.memory import is_memory, memory_engine
from csewatch.store.migrate import ensure_schema
from csewatch.store.reviews import Reviews
from csewatch.store.users import Users
from csewatch.triage import Triage, merge_cases

DEFAULT_URL = "sqlite:///csewatch.db"
_CHUNK = 500
_ACCOUNT_FIELDS = (
    "handle",
    "display_name",
    "bio",
    "links",
    "created_at",
    "followers",
    "following",
    "posts_count",
    "avatar_hash",
    "status",
    "status_reason",
)


def normalize_url(db: str | None) -> str:
    if not db:
        return DEFAULT_URL
    if "://" not in db:  # a bare path means a SQLite file
        return f"sqlite:///{db}"
    return db


def _like_escape(value: str) -> str:
    """``value`` for a LIKE pattern with escape='\\': '%' and '_' match only themselves."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")

class StoreMissing(FileNotFoundError):
    """A SQLite database that does not exist, opened by something that must not create it."""


class StoreBusy(RuntimeError):
    """Another scan holds this store."""


def sqlite_file(url: str | None) -> Path | None:
    """The file of a SQLite URL or bare path; None for other databases and in-memory SQLite."""
    u = normalize_url(url)
    if not u.startswith("sqlite"):
        return None
    path = u.split(":///", 1)[1] if ":///" in u else ""
    path = path.split("?", 1)[0]
    if path in ("", ":memory:") or path.startswith("file:"):
        return None
    return Path(path)


def missing_sqlite_file(url: str | None) -> Path | None:
    """The SQLite file ``url`` names when it does not exist (so opening it would create it empty)."""
    p = sqlite_file(url)
    return p if p is not None and not p.exists() else None


# an arbitrary 63-bit constant: the PostgreSQL session advisory lock held by the one scanner of a store
PG_SCAN_LOCK = 0x63736577_7363616E


def signal_id(s: Signal, platform: str) -> str:
    spans = ";".join(f"{e.field}:{e.start}:{e.end}:{e.rule}" for e in s.evidence)
    raw = f"{platform}|{s.post_id}|{s.detector}|{s.indicator}|{s.subject_type}|{s.subject_id}|{spans}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()


@dataclass
class Batch:
    """What one batch of input produced, to be committed atomically with its checkpoint."""

    source: str
    position: int
    line: int
    fmt: str | None
    posts: list[Post] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    edges: list[Edge] = field(default_factory=list)
    signals: list[tuple[str, Signal]] = field(default_factory=list)  # (platform, signal)
    verdicts: list[Verdict] = field(default_factory=list)
    shadow: list[tuple[Verdict, str | None, str]] = field(default_factory=list)  # (would-be, live category, model)
    cases: dict[str, Case] = field(default_factory=dict)
    case_posts: list[tuple[str, str, str]] = field(default_factory=list)  # (case id, platform, post id)
    rejects: list[tuple[str, int, str]] = field(default_factory=list)
    state: dict[str, dict[str, Any]] = field(default_factory=dict)


class Store:
    def __init__(self, url: str | None = None, policy_version: str = "", create: bool = True):
        """Open (and with ``create``, make when missing) the store; ``create=False`` refuses a missing
        SQLite file with StoreMissing instead of creating an empty database."""
        missing = None if create else missing_sqlite_file(url)
        if missing is not None:
            raise StoreMissing(f"no database at {missing}: check --db (only `csewatch scan` creates a store)")
        self.url = normalize_url(url)
        self.policy_version = policy_version
        self.is_sqlite = self.url.startswith("sqlite")
        # in memory: one connection shared by every thread, one at a time (store/memory.py)
        self.engine: Engine = memory_engine(self.url) if is_memory(self.url) else create_engine(self.url)
        if self.is_sqlite:
            event.listen(self.engine, "connect", _sqlite_pragmas)
        ensure_schema(self.engine)  # new: created at head and stamped; older: migrated (store/migrate.py)
        self._insert = sqlite.insert if self.is_sqlite else postgresql.insert
        self._bulk_cache: dict[tuple, tuple[str, tuple[str, ...] | None]] = {}
        # the store's areas (store/area.py): one module each, the only code outside this file touching tables
        self.graph = GraphReads(self)
        self.banks = BankTables(self)
        self.enforcement = Enforcement(self)
        self.users = Users(self)
        self.reviews = Reviews(self)
        self.audit = AuditTable(self)
        self.console = ConsoleReads(self)

    def close(self) -> None:
        self.engine.dispose()

    @contextlib.contextmanager
    def scan_lock(self, who: str = "scan") -> Iterator[None]:
        """Hold the store's one scanner lock, or raise StoreBusy at once. SQLite: an exclusive
        ``flock`` on ``<db>.scan.lock`` beside the file; PostgreSQL: a session advisory lock on a
        connection of its own. Either is released on exit and by the system when the process dies."""
        path = sqlite_file(self.url)
        if self.is_sqlite and path is not None:
            lock_path = Path(f"{path}.scan.lock")
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    holder = os.pread(fd, 200, 0).decode("utf-8", "replace").strip()
                    raise StoreBusy(
                        f"another scan is writing to {path} ({holder or 'holder unknown'}); "
                        f"one scanner per store (lock file {lock_path})"
                    ) from None
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{who} pid {os.getpid()} since {time.strftime('%Y-%m-%d %H:%M:%S')}".encode(), 0)
                yield
            finally:
                os.close(fd)  # releases the flock
        elif self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            try:
                got = conn.execute(select(func.pg_try_advisory_lock(PG_SCAN_LOCK))).scalar()
                conn.commit()
                if not got:
                    where = self.engine.url.render_as_string()
                    raise StoreBusy(f"another scan is writing to {where}; one scanner per store")
                try:
                    yield
                finally:
                    conn.execute(select(func.pg_advisory_unlock(PG_SCAN_LOCK)))
                    conn.commit()
            except BaseException:
                conn.invalidate()  # never hand a connection that may hold the lock back to the pool
                raise
            finally:
                conn.close()
        else:
            yield

    # -- generic writes ----------------------------------------------------------------------
    # Bulk writes: the statement is built by SQLAlchemy (the dialect's INSERT ... ON CONFLICT, so names
    # such as ``user`` are quoted for each database), compiled once per table, columns and keys, and
    # run through the driver's executemany with JSON columns serialized here with orjson. This skips
    # the ORM layer's per-value processing, which cost more than the detection itself.
    def _bulk(self, conn: Connection, table: Any, rows: list[dict], keys: Sequence[str] | None) -> None:
        if not rows:
            return
        cols = tuple(rows[0])
        sql, order = self._bulk_sql(table, cols, None if keys is None else tuple(keys))
        json_cols = {c for c in cols if isinstance(table.c[c].type, JSON)}
        if json_cols:
            rows = [{c: (_json_text(v) if c in json_cols else v) for c, v in r.items()} for r in rows]
        if order is None:  # named parameters (psycopg's pyformat)
            conn.exec_driver_sql(sql, rows)
        else:  # positional parameters (sqlite's qmark), in the compiled statement's order
            conn.exec_driver_sql(sql, [tuple(r[c] for c in order) for r in rows])

    def _bulk_sql(
        self, table: Any, cols: tuple[str, ...], keys: tuple[str, ...] | None
    ) -> tuple[str, tuple[str, ...] | None]:
        """The compiled upsert (``keys``) or insert-or-ignore (None) for these columns, and the order of
        its positional parameters (None when the dialect's parameters are named)."""
        cache_key = (table.name, cols, keys)
        hit = self._bulk_cache.get(cache_key)
        if hit is not None:
            return hit
        stmt = self._insert(table)
        if keys is None:
            stmt = stmt.on_conflict_do_nothing()
        else:
            sets = {c: stmt.excluded[c] for c in cols if c not in keys}
            stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=sets)
        compiled = stmt.compile(dialect=self.engine.dialect, column_keys=list(cols))
        order = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup is not None else None
        hit = self._bulk_cache[cache_key] = (str(compiled), order)
        return hit

    def _insert_ignore(self, conn: Connection, table: Any, rows: list[dict]) -> None:
        self._bulk(conn, table, rows, None)

    def _upsert(self, conn: Connection, table: Any, rows: list[dict], keys: Sequence[str]) -> None:
        self._bulk(conn, table, rows, keys)

    # -- domain writes (the only code that writes these tables; ``conn`` joins a caller's transaction) --
    @contextlib.contextmanager
    def transaction(self, conn: Connection | None = None) -> Iterator[Connection]:
        """The caller's transaction when given one, else a new one committed on exit."""
        if conn is not None:
            yield conn
        else:
            with self.engine.begin() as own:
                yield own

    # -- the batch ---------------------------------------------------------------------------
    def commit_batch(self, batch: Batch, triage: Triage, retain_all_posts: bool = True) -> None:
        with self.engine.begin() as conn:
            flagged = {(v.platform, v.post_id) for v in batch.verdicts}
            post_rows = [_post_row(p) for p in batch.posts if retain_all_posts or (p.platform, p.id) in flagged]
            self._insert_ignore(conn, schema.posts, _dedupe(post_rows, ("platform", "id")))
            self._write_accounts(conn, batch.accounts)
            self._insert_ignore(
                conn,
                schema.edges,
                _dedupe([msgspec.structs.asdict(e) for e in batch.edges], ("platform", "kind", "src", "dst")),
            )
            self._insert_ignore(conn, schema.signals, _dedupe([_signal_row(p, s) for p, s in batch.signals], ("id",)))
            self._upsert(
                conn,
                schema.verdicts,
                _dedupe([_verdict_row(v, self.policy_version) for v in batch.verdicts], ("platform", "post_id")),
                ("platform", "post_id"),
            )
            if batch.shadow:
                rows = [_shadow_row(v, live, model, self.policy_version) for v, live, model in batch.shadow]
                keys = ("platform", "post_id")
                self._upsert(conn, schema.shadow_verdicts, _dedupe(rows, keys), keys)
            self._insert_ignore(
                conn,
                schema.case_posts,
                _dedupe(
                    [{"case_id": c, "platform": pl, "post_id": p} for c, pl, p in batch.case_posts],
                    ("case_id", "platform", "post_id"),
                ),
            )
            self._write_cases(conn, batch.cases, triage)
            self._insert_ignore(
                conn,
                schema.rejects,
                _dedupe([{"source": s, "line": n, "reason": r} for s, n, r in batch.rejects], ("source", "line")),
            )
            state_rows = [
                {"namespace": ns, "key": k, "value": msgspec.msgpack.encode(v)}
                for ns, values in batch.state.items()
                for k, v in values.items()
            ]
            self._upsert(conn, schema.detector_state, state_rows, ("namespace", "key"))
            self._upsert(
                conn,
                schema.checkpoints,
                [
                    {
                        "source": batch.source,
                        "position": batch.position,
                        "line": batch.line,
                        "format": batch.fmt,
                        "updated_at": time.time(),
                    }
                ],
                ("source",),
            )

    def write_findings(self, signals: list[tuple[str, Signal]], cases: dict[str, Case], triage: Triage) -> None:
        """Signals and cases from a graph job, in one transaction, merged like the scan's."""
        with self.engine.begin() as conn:
            self._insert_ignore(conn, schema.signals, _dedupe([_signal_row(p, s) for p, s in signals], ("id",)))
            self._write_cases(conn, cases, triage)

    def _write_accounts(self, conn: Connection, incoming: list[Account]) -> None:
        if not incoming:
            return
        merged: dict[tuple[str, str], Account] = {}
        for acc in incoming:  # the batch's records of each account, oldest first, then over the stored row
            k = (acc.platform, acc.id)
            if k in merged:
                merged[k].update_from(acc)
            else:
                merged[k] = msgspec.structs.replace(acc)  # a copy: the records are the caller's
        existing = self._fetch_by_keys(conn, schema.accounts, list(merged))
        rows = []
        for k, acc in merged.items():
            if k in existing:
                stored = _row_account(existing[k])
                stored.update_from(acc)
                acc = stored
            rows.append(_account_row(acc))
        self._upsert(conn, schema.accounts, rows, ("platform", "id"))

    def _fetch_by_keys(self, conn: Connection, table: Any, keys: list[tuple[str, str]]) -> dict:
        out: dict[tuple[str, str], dict] = {}
        by_platform: dict[str, list[str]] = {}
        for platform, id_ in keys:
            by_platform.setdefault(platform, []).append(id_)
        for platform, ids in by_platform.items():
            for chunk in _chunks(ids, _CHUNK):
                q = select(table).where(table.c.platform == platform, table.c.id.in_(chunk))
                for row in conn.execute(q).mappings():
                    out[(row["platform"], row["id"])] = _plain(row)
        return out

    def _write_cases(self, conn: Connection, incoming: dict[str, Case], triage: Triage) -> None:
        if not incoming:
            return
        ids = list(incoming)
        existing: dict[str, dict] = {}
        counts: dict[str, int] = {}
        cp = schema.case_posts
        for chunk in _chunks(ids, _CHUNK):
            for row in conn.execute(select(schema.cases).where(schema.cases.c.id.in_(chunk))).mappings():
                existing[row["id"]] = _plain(row)
            q = select(cp.c.case_id, func.count()).where(cp.c.case_id.in_(chunk)).group_by(cp.c.case_id)
            for cid, n in conn.execute(q):
                counts[cid] = n
        rows = []
        for cid, case in incoming.items():
            old = existing.get(cid)
            merged = merge_cases(msgspec.convert(old, Case), case) if old else case
            if old:
                merged.state = old["state"]
            merged.n_posts = counts.get(cid, merged.n_posts)
            merged.priority = triage.priority(merged.severity, merged.score, merged.reach, merged.n_posts)
            rows.append(msgspec.structs.asdict(merged))
        self._upsert(conn, schema.cases, rows, ("id",))

    # -- reads -------------------------------------------------------------------------------
    def checkpoint(self, source: str) -> tuple[int, int, str | None]:
        with self.engine.connect() as conn:
            row = (
                conn.execute(select(schema.checkpoints).where(schema.checkpoints.c.source == source)).mappings().first()
            )
        if row is None:
            return 0, 0, None
        return row["position"], row["line"], row["format"]

    def reset_checkpoint(self, source: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(schema.checkpoints.delete().where(schema.checkpoints.c.source == source))

    def load_state(self, namespace: str, keys: list[str]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        ds = schema.detector_state
        with self.engine.connect() as conn:
            for chunk in _chunks(keys, _CHUNK):
                q = select(ds.c.key, ds.c.value).where(ds.c.namespace == namespace, ds.c.key.in_(chunk))
                for k, v in conn.execute(q):
                    out[k] = msgspec.msgpack.decode(v)
        return out

    def follows_of(self, platform: str, ids: list[str]) -> dict[str, set[str]]:
        """Stored follow edges of these accounts: id -> ids followed (the edges' primary key serves it)."""
        out: dict[str, set[str]] = {}
        e = schema.edges
        with self.engine.connect() as conn:
            for chunk in _chunks(ids, _CHUNK):
                q = select(e.c.src, e.c.dst).where(e.c.platform == platform, e.c.kind == "follow", e.c.src.in_(chunk))
                for src, dst in conn.execute(q):
                    out.setdefault(src, set()).add(dst)
        return out

    def load_accounts(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], Account]:
        with self.engine.connect() as conn:
            rows = self._fetch_by_keys(conn, schema.accounts, keys)
        return {k: _row_account(r) for k, r in rows.items()}

    def top_cases(
        self,
        limit: int = 20,
        category: str | None = None,
        state: str | None = None,
        subject_type: str | None = None,
        min_severity: int | None = None,
        detector: str | None = None,
        hashtag: str | None = None,
    ) -> list[Case]:
        """The queue, highest priority first, with the reviewer's filters."""
        t, cp, sg, p = schema.cases, schema.case_posts, schema.signals, schema.posts
        q = select(t)
        if category:
            q = q.where(t.c.category == category)
        if state:
            q = q.where(t.c.state == state)
        if subject_type:
            q = q.where(t.c.subject_type == subject_type)
        if min_severity:
            q = q.where(t.c.severity >= min_severity)
        if detector:  # a signal of that detector on one of the case's posts or on its subject
            on_posts = select(cp.c.case_id).join(sg, (sg.c.platform == cp.c.platform) & (sg.c.post_id == cp.c.post_id))
            on_subject = select(sg.c.subject_id).where(sg.c.detector == detector)
            q = q.where(t.c.id.in_(on_posts.where(sg.c.detector == detector)) | t.c.subject_id.in_(on_subject))
        if hashtag:  # the hashtag's own case, or cases with a post that carries it
            tag = hashtag.lstrip("#").lower()
            tagged = (
                select(cp.c.case_id)
                .join(p, (p.c.platform == cp.c.platform) & (p.c.id == cp.c.post_id))
                .where(func.lower(func.cast(p.c.hashtags, String)).like(f'%"{_like_escape(tag)}"%', escape="\\"))
            )
            q = q.where(((t.c.subject_type == "hashtag") & (t.c.subject_id == tag)) | t.c.id.in_(tagged))
        q = q.order_by(t.c.priority.desc(), t.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [msgspec.convert(_plain(r), Case) for r in conn.execute(q).mappings()]

    def case(self, cid: str) -> Case | None:
        with self.engine.connect() as conn:
            r = conn.execute(select(schema.cases).where(schema.cases.c.id == cid)).mappings().first()
        return msgspec.convert(_plain(r), Case) if r else None

    def case_verdicts(self, cid: str, limit: int = 50) -> list[dict]:
        cp, v, p = schema.case_posts, schema.verdicts, schema.posts
        q = (
            select(v, p.c.text, p.c.created_at)
            .select_from(
                cp.join(v, (v.c.platform == cp.c.platform) & (v.c.post_id == cp.c.post_id)).outerjoin(
                    p, (p.c.platform == cp.c.platform) & (p.c.id == cp.c.post_id)
                )
            )
            .where(cp.c.case_id == cid)
            .order_by(v.c.score.desc(), v.c.post_id)
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def post_signals(self, platform: str, post_id: str) -> list[dict]:
        s = schema.signals
        with self.engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    select(s)
                    .where(s.c.platform == platform, s.c.post_id == post_id)
                    .order_by(s.c.detector, s.c.indicator)
                ).mappings()
            ]

    def subject_signals(self, platform: str, subject_type: str, subject_id: str) -> list[dict]:
        s = schema.signals
        with self.engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    select(s).where(
                        s.c.platform == platform,
                        s.c.subject_type == subject_type,
                        s.c.subject_id == subject_id,
                        s.c.post_id.is_(None),
                    )
                ).mappings()
            ]

    def post(self, platform: str, post_id: str) -> dict | None:
        with self.engine.connect() as conn:
            r = (
                conn.execute(
                    select(schema.posts).where(schema.posts.c.platform == platform, schema.posts.c.id == post_id)
                )
                .mappings()
                .first()
            )
        return dict(r) if r else None

    def verdict_map(self) -> dict[tuple[str, str], dict]:
        with self.engine.connect() as conn:
            return {(r["platform"], r["post_id"]): dict(r) for r in conn.execute(select(schema.verdicts)).mappings()}

    def rejects(self, source: str | None = None) -> list[tuple[str, int, str]]:
        t = schema.rejects
        q = select(t.c.source, t.c.line, t.c.reason).order_by(t.c.source, t.c.line)
        if source:
            q = q.where(t.c.source == source)
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(q)]  # type: ignore[misc]

    # -- learned models and their shadow verdicts ---------------------------------------------
    def save_model(self, version: str, card: dict, blob: bytes) -> None:
        with self.engine.begin() as conn:
            self._upsert(
                conn,
                schema.models,
                [{"version": version, "created_at": time.time(), "card": card, "blob": blob}],
                ("version",),
            )

    def models(self) -> list[dict]:
        t = schema.models
        with self.engine.connect() as conn:
            q = select(t.c.version, t.c.created_at, t.c.card).order_by(t.c.created_at.desc())
            return [dict(r) for r in conn.execute(q).mappings()]

    def model_blob(self, version: str) -> bytes | None:
        t = schema.models
        with self.engine.connect() as conn:
            return conn.execute(select(t.c.blob).where(t.c.version == version)).scalar_one_or_none()

    def decided_posts(self) -> list[tuple[dict, dict | None, str, str]]:
        """(post row, author row, latest outcome, case category) for every post of a decided case."""
        d, c, cp, p, a = schema.decisions, schema.cases, schema.case_posts, schema.posts, schema.accounts
        latest = select(d.c.case_id, func.max(d.c.seq).label("seq")).group_by(d.c.case_id).subquery()
        q = (
            select(p, d.c.outcome, c.c.category)
            .select_from(
                latest.join(d, d.c.seq == latest.c.seq)
                .join(c, c.c.id == d.c.case_id)
                .join(cp, cp.c.case_id == c.c.id)
                .join(p, (p.c.platform == cp.c.platform) & (p.c.id == cp.c.post_id))
            )
            .where(d.c.outcome.in_(("violating", "not_violating")))
        )
        with self.engine.connect() as conn:
            rows = [dict(r) for r in conn.execute(q).mappings()]
            keys = {(r["platform"], r["author_id"]) for r in rows}
            authors: dict[tuple[str, str], dict] = {}
            for chunk in _chunks(sorted({i for _pl, i in keys}), 500):
                for ar in conn.execute(select(a).where(a.c.id.in_(chunk))).mappings():
                    if (ar["platform"], ar["id"]) in keys:
                        authors[(ar["platform"], ar["id"])] = dict(ar)
        out = []
        for r in rows:
            outcome, category = r.pop("outcome"), r.pop("category")
            out.append((r, authors.get((r["platform"], r["author_id"])), outcome, category))
        return out

    def shadow_verdicts(self, only_unflagged: bool = False, limit: int | None = None) -> list[dict]:
        t = schema.shadow_verdicts
        q = select(t).order_by(t.c.platform, t.c.post_id)
        if only_unflagged:
            q = q.where(t.c.live_category.is_(None))
        if limit:
            q = q.limit(limit)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(q).mappings()]

    def open_review_cases(self, cases: list[Case], members: list[tuple[str, str, str]], triage: Triage) -> None:
        """Open cases (e.g. a sample of shadow verdicts for reviewers) with their member posts."""
        with self.engine.begin() as conn:
            self._insert_ignore(
                conn,
                schema.case_posts,
                _dedupe(
                    [{"case_id": c, "platform": pl, "post_id": p} for c, pl, p in members],
                    ("case_id", "platform", "post_id"),
                ),
            )
            self._write_cases(conn, {c.id: c for c in cases}, triage)

    def counts(self) -> dict[str, int]:
        out = {}
        with self.engine.connect() as conn:
            for name in ("posts", "accounts", "edges", "signals", "verdicts", "cases", "case_posts", "rejects"):
                out[name] = conn.execute(select(func.count()).select_from(schema.metadata.tables[name])).scalar_one()
        return out


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def _json_text(value: Any) -> str | None:
    return None if value is None else orjson.dumps(value).decode()


def _plain(row: Any) -> dict[str, Any]:
    """A result row as a dict with plain str keys (msgspec needs exact str)."""
    return {str(k): v for k, v in row.items()}


def _chunks(items: list, n: int) -> Iterable[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _dedupe(rows: list[dict], keys: tuple[str, ...]) -> list[dict]:
    seen: dict[tuple, dict] = {}
    for r in rows:
        seen[tuple(r[k] for k in keys)] = r
    return list(seen.values())


def _post_row(p: Post) -> dict:
    return {
        "platform": p.platform,
        "id": p.id,
        "author_id": p.author_id,
        "created_at": p.created_at,
        "text": p.text,
        "hashtags": p.hashtags,
        "urls": p.urls,
        "media": [msgspec.structs.asdict(m) for m in p.media],
        "reply_to": p.reply_to,
        "quote_of": p.quote_of,
        "repost_of": p.repost_of,
        "group_id": p.group_id,
        "lang": p.lang,
        "source": p.source,
    }


def _account_row(a: Account) -> dict:
    row = {"platform": a.platform, "id": a.id}
    for f in _ACCOUNT_FIELDS:
        row[f] = getattr(a, f)
    row["links"] = row["links"] or []
    return row


def _row_account(row: Any) -> Account:
    return msgspec.convert({c: v for c, v in _plain(row).items() if v is not None}, Account)


def _signal_row(platform: str, s: Signal) -> dict:
    return {
        "id": signal_id(s, platform),
        "platform": platform,
        "post_id": s.post_id,
        "subject_type": s.subject_type,
        "subject_id": s.subject_id,
        "detector": s.detector,
        "version": s.version,
        "indicator": s.indicator,
        "score": s.score,
        "explanation": s.explanation,
        "evidence": [msgspec.structs.asdict(e) for e in s.evidence],
    }


def _shadow_row(v: Verdict, live: str | None, model_version: str, policy_version: str) -> dict:
    return {
        "platform": v.platform,
        "post_id": v.post_id,
        "author_id": v.author_id,
        "score": v.score,
        "category": v.category,
        "rules": v.rules,
        "live_category": live,
        "model_version": model_version,
        "policy_version": policy_version,
    }


def _verdict_row(v: Verdict, policy_version: str) -> dict:
    return {
        "platform": v.platform,
        "post_id": v.post_id,
        "author_id": v.author_id,
        "score": v.score,
        "category": v.category,
        "severity": v.severity,
        "rules": v.rules,
        "policy_version": policy_version,
    }
