"""Tables of the csewatch store (SQLAlchemy Core): posts, accounts, edges, signals, verdicts, cases,
case membership, scan checkpoints, rejects and detector state."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    event,
)

metadata = MetaData()

posts = Table(
    "posts",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("id", String(200), primary_key=True),
    Column("author_id", String(200), nullable=False, index=True),
    Column("created_at", Float, nullable=False),
    Column("text", Text, nullable=False),
    Column("hashtags", JSON),
    Column("urls", JSON),
    Column("media", JSON),
    Column("reply_to", String(200)),
    Column("quote_of", String(200)),
    Column("repost_of", String(200)),
    Column("group_id", String(200)),
    Column("lang", String(16)),
    Column("source", String(1000)),
)

accounts = Table(
    "accounts",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("id", String(200), primary_key=True),
    Column("handle", String(200)),
    Column("display_name", Text),
    Column("bio", Text),
    Column("links", JSON),
    Column("created_at", Float),
    Column("followers", Integer),
    Column("following", Integer),
    Column("posts_count", Integer),
    Column("avatar_hash", String(128)),
    Column("status", String(32)),
    Column("status_reason", Text),
)

edges = Table(
    "edges",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("src", String(200), primary_key=True),
    Column("dst", String(200), primary_key=True),
    Column("created_at", Float),
)

signals = Table(
    "signals",
    metadata,
    Column("id", String(40), primary_key=True),  # digest of what makes the signal itself
    Column("platform", String(32), nullable=False),
    Column("post_id", String(200), index=True),
    Column("subject_type", String(16), nullable=False),
    Column("subject_id", String(200), nullable=False),
    Column("detector", String(32), nullable=False),
    Column("version", String(16), nullable=False),
    Column("indicator", String(64), nullable=False),
    Column("score", Float, nullable=False),
    Column("explanation", Text, nullable=False),
    Column("evidence", JSON, nullable=False),
    Index("ix_signals_subject", "platform", "subject_type", "subject_id"),
)

verdicts = Table(
    "verdicts",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("post_id", String(200), primary_key=True),
    Column("author_id", String(200), nullable=False),
    Column("score", Float, nullable=False),
    Column("category", String(64), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("rules", JSON, nullable=False),
    Column("policy_version", String(120), nullable=False),
)

# would-be verdicts of a model or rule in shadow mode: recorded, measured against reviewers'
# decisions, never acted on (and never read as verdicts)
shadow_verdicts = Table(
    "shadow_verdicts",
    metadata,
    Column("platform", String(32), primary_key=True),
    Column("post_id", String(200), primary_key=True),
    Column("author_id", String(200), nullable=False),
    Column("score", Float, nullable=False),
    Column("category", String(64), nullable=False),
    Column("rules", JSON, nullable=False),
    Column("live_category", String(64)),  # what the live rules said of the post (None: not flagged)
    Column("model_version", String(64), nullable=False),
    Column("policy_version", String(120), nullable=False),
)

# learned models trained into the store (csewatch model train --db): the file, its card and mode
models = Table(
    "models",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("created_at", Float, nullable=False),
    Column("card", JSON, nullable=False),
    Column("blob", LargeBinary, nullable=False),
)

cases = Table(
    "cases",
    metadata,
    Column("id", String(300), primary_key=True),
    Column("platform", String(32), nullable=False),
    Column("subject_type", String(16), nullable=False),
    Column("subject_id", String(200), nullable=False),
    Column("category", String(64), nullable=False),
    Column("severity", Integer, nullable=False),
    Column("score", Float, nullable=False),
    Column("priority", Float, nullable=False, index=True),
    Column("state", String(16), nullable=False),
    Column("n_posts", Integer, nullable=False),
    Column("reach", Integer, nullable=False),
    Column("first_seen", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
)

case_posts = Table(
    "case_posts",
    metadata,
    Column("case_id", String(300), primary_key=True),
    Column("platform", String(32), primary_key=True),
    Column("post_id", String(200), primary_key=True),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("source", String(1000), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("line", Integer, nullable=False),
    Column("format", String(16)),
    Column("updated_at", Float, nullable=False),
)

rejects = Table(
    "rejects",
    metadata,
    Column("source", String(1000), primary_key=True),
    Column("line", Integer, primary_key=True),
    Column("reason", Text, nullable=False),
)

detector_state = Table(
    "detector_state",
    metadata,
    Column("namespace", String(32), primary_key=True),
    Column("key", String(400), primary_key=True),
    Column("value", LargeBinary, nullable=False),
)

banks = Table(
    "banks",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("version", Integer, nullable=False),
    Column("updated_at", Float, nullable=False),
)

bank_entries = Table(
    "bank_entries",
    metadata,
    Column("bank", String(64), primary_key=True),
    Column("hash_type", String(16), primary_key=True),  # a name in csewatch.media.hashtypes.REGISTRY
    # the key is the SHA-256 (hex) of the value, not the value: PostgreSQL refuses btree index rows over
    # 2,704 bytes and a vPDQ value is tens of KB (revision 0005); store/banks.py computes it
    Column("value_digest", String(64), primary_key=True),
    Column("value", Text, nullable=False),  # normal form of its hash type; any length (vPDQ: many frames)
    Column("category", String(64), nullable=False),
    Column("source", String(200), nullable=False),
    Column("added_at", Float, nullable=False),
    Column("expires_at", Float),
    Column("added_version", Integer, nullable=False),
    Column("removed_version", Integer),  # NULL while the entry is in the bank
    Index("ix_bank_entries_digest", "hash_type", "value_digest"),  # exact lookups across banks
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("actor", String(120), nullable=False),
    Column("action", String(64), nullable=False),
    Column("subject", String(400), nullable=False),
    Column("details", Text, nullable=False),  # canonical JSON
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ux_audit_log_prev_hash", "prev_hash", unique=True),  # one entry per predecessor: no forks
)

# the audit log is append-only: triggers refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL); made
# with the table (a new store) and by migration 0004 (older stores)
AUDIT_GUARDS = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log "
        "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION csewatch_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
        "CREATE TRIGGER audit_no_modify BEFORE UPDATE OR DELETE ON audit_log "
        "FOR EACH ROW EXECUTE PROCEDURE csewatch_audit_append_only()",
        "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log "
        "FOR EACH STATEMENT EXECUTE PROCEDURE csewatch_audit_append_only()",
    ],
}


@event.listens_for(audit_log, "after_create")
def _audit_guards(target: Table, connection: Connection, **_kw: object) -> None:
    for stmt in AUDIT_GUARDS.get(connection.dialect.name, []):
        connection.exec_driver_sql(stmt)

decisions = Table(
    "decisions",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(300), nullable=False, index=True),
    Column("reviewer", String(120), nullable=False),
    Column("decided_at", Float, nullable=False),
    Column("outcome", String(32), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("policy_category", String(64)),
)

rule_feedback = Table(
    "rule_feedback",
    metadata,
    Column("rule", String(120), primary_key=True),  # a triage rule id or "detector:<name>"
    Column("decisions", Integer, nullable=False),
    Column("violating", Integer, nullable=False),
)

actions = Table(
    "actions",
    metadata,
    Column("key", String(64), primary_key=True),  # idempotency key
    Column("kind", String(32), nullable=False),
    Column("platform", String(32), nullable=False),
    Column("target", String(400), nullable=False),
    Column("case_id", String(300), nullable=False),
    Column("decided_by", String(120), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_at", Float, nullable=False),
    Column("delivered_at", Float),
    Column("attempts", Integer, nullable=False, default=0),
    # the sender's lease (revision 0006): taken by one conditional UPDATE before sending, so one sender at a
    # time; given back when the delivery (or its failure) is recorded; a crashed sender's lease expires
    Column("lease_until", Float),
    Column("leased_by", String(120)),
)

users = Table(
    "users",
    metadata,
    Column("name", String(120), primary_key=True),
    Column("role", String(16), nullable=False),  # reviewer | lead | admin
    Column("password_hash", String(200), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("disabled_at", Float),  # set: no login, no session, no token
)

sessions = Table(
    "sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie value
    Column("user", String(120), nullable=False),
    Column("csrf", String(64), nullable=False),
    Column("expires_at", Float, nullable=False),
)

api_tokens = Table(
    "api_tokens",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user", String(120), nullable=False),
    Column("created_at", Float, nullable=False),
    Column("expires_at", Float),  # null (older rows): created_at + the default lifetime
)

claims = Table(
    "claims",
    metadata,
    Column("case_id", String(300), primary_key=True),
    Column("user", String(120), nullable=False),
    Column("claimed_at", Float, nullable=False),
)

# evidence preservation (actions/ncmec.py): held items are never purged until ``until``
legal_holds = Table(
    "legal_holds",
    metadata,
    Column("kind", String(16), primary_key=True),  # post | account | case
    Column("subject", String(400), primary_key=True),
    Column("until", Float, nullable=False),
    Column("reason", Text, nullable=False),
)
