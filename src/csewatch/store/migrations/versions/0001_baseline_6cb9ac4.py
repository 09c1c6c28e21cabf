"""Revision 0001: the store's tables as csewatch made them at commit 6cb9ac4 (the baseline that
databases made before migrations are stamped with). Frozen: later changes are later revisions.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import JSON, Column, Float, Index, Integer, LargeBinary, String, Text

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "posts",
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
    op.create_table(
        "accounts",
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
    op.create_table(
        "edges",
        Column("platform", String(32), primary_key=True),
        Column("kind", String(16), primary_key=True),
        Column("src", String(200), primary_key=True),
        Column("dst", String(200), primary_key=True),
        Column("created_at", Float),
    )
    op.create_table(
        "signals",
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
    op.create_table(
        "verdicts",
        Column("platform", String(32), primary_key=True),
        Column("post_id", String(200), primary_key=True),
        Column("author_id", String(200), nullable=False),
        Column("score", Float, nullable=False),
        Column("category", String(64), nullable=False),
        Column("severity", Integer, nullable=False),
        Column("rules", JSON, nullable=False),
        Column("policy_version", String(120), nullable=False),
    )
    op.create_table(
        "cases",
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
    op.create_table(
        "case_posts",
        Column("case_id", String(300), primary_key=True),
        Column("platform", String(32), primary_key=True),
        Column("post_id", String(200), primary_key=True),
    )
    op.create_table(
        "checkpoints",
        Column("source", String(1000), primary_key=True),
        Column("position", Integer, nullable=False),
        Column("line", Integer, nullable=False),
        Column("format", String(16)),
        Column("updated_at", Float, nullable=False),
    )
    op.create_table(
        "rejects",
        Column("source", String(1000), primary_key=True),
        Column("line", Integer, primary_key=True),
        Column("reason", Text, nullable=False),
    )
    op.create_table(
        "detector_state",
        Column("namespace", String(32), primary_key=True),
        Column("key", String(400), primary_key=True),
        Column("value", LargeBinary, nullable=False),
    )
    op.create_table(
        "banks",
        Column("name", String(64), primary_key=True),
        Column("version", Integer, nullable=False),
        Column("updated_at", Float, nullable=False),
    )
    op.create_table(
        "bank_entries",
        Column("bank", String(64), primary_key=True),
        Column("hash_type", String(16), primary_key=True),  # pdq | md5 | sha256
        Column("value", String(64), primary_key=True),  # lower-case hex
        Column("category", String(64), nullable=False),
        Column("source", String(200), nullable=False),
        Column("added_at", Float, nullable=False),
        Column("expires_at", Float),
        Column("added_version", Integer, nullable=False),
        Column("removed_version", Integer),  # NULL while the entry is in the bank
        Index("ix_bank_entries_value", "hash_type", "value"),
    )
    op.create_table(
        "audit_log",
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("at", Float, nullable=False),
        Column("actor", String(120), nullable=False),
        Column("action", String(64), nullable=False),
        Column("subject", String(400), nullable=False),
        Column("details", Text, nullable=False),  # canonical JSON
        Column("prev_hash", String(64), nullable=False),
        Column("hash", String(64), nullable=False),
    )
    op.create_table(
        "decisions",
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("case_id", String(300), nullable=False, index=True),
        Column("reviewer", String(120), nullable=False),
        Column("decided_at", Float, nullable=False),
        Column("outcome", String(32), nullable=False),
        Column("rationale", Text, nullable=False),
        Column("policy_category", String(64)),
    )
    op.create_table(
        "rule_feedback",
        Column("rule", String(120), primary_key=True),  # a triage rule id or "detector:<name>"
        Column("decisions", Integer, nullable=False),
        Column("violating", Integer, nullable=False),
    )
    op.create_table(
        "actions",
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
    )
    op.create_table(
        "users",
        Column("name", String(120), primary_key=True),
        Column("role", String(16), nullable=False),  # reviewer | lead | admin
        Column("password_hash", String(200), nullable=False),
        Column("created_at", Float, nullable=False),
    )
    op.create_table(
        "sessions",
        Column("token_hash", String(64), primary_key=True),  # SHA-256 of the cookie value
        Column("user", String(120), nullable=False),
        Column("csrf", String(64), nullable=False),
        Column("expires_at", Float, nullable=False),
    )
    op.create_table(
        "api_tokens",
        Column("token_hash", String(64), primary_key=True),
        Column("user", String(120), nullable=False),
        Column("created_at", Float, nullable=False),
    )
    op.create_table(
        "claims",
        Column("case_id", String(300), primary_key=True),
        Column("user", String(120), nullable=False),
        Column("claimed_at", Float, nullable=False),
    )


def downgrade() -> None:
    for name in (
        "claims", "api_tokens", "sessions", "users", "actions", "rule_feedback", "decisions", "audit_log",
        "bank_entries", "banks", "detector_state", "rejects", "checkpoints", "case_posts", "cases", "verdicts",
        "signals", "edges", "accounts", "posts",
    ):
        op.drop_table(name)
