"""Revision 0002: what came after 6cb9ac4 up to the migrations: shadow verdicts and stored models
(the learned layer), users.disabled_at and api_tokens.expires_at (web hardening), and legal_holds in
the store's own schema (before, only importing actions.ncmec made it). Each step checks first, since
databases of the code in between may already have some of these (``create_all`` and an ad-hoc ALTER).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import JSON, Column, Float, LargeBinary, String, Text, inspect

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _tables() -> set[str]:
    return set(inspect(op.get_bind()).get_table_names())


def _columns(table: str) -> set[str]:
    return {c["name"] for c in inspect(op.get_bind()).get_columns(table)}


def upgrade() -> None:
    have = _tables()
    if "shadow_verdicts" not in have:
        op.create_table(
            "shadow_verdicts",
            Column("platform", String(32), primary_key=True),
            Column("post_id", String(200), primary_key=True),
            Column("author_id", String(200), nullable=False),
            Column("score", Float, nullable=False),
            Column("category", String(64), nullable=False),
            Column("rules", JSON, nullable=False),
            Column("live_category", String(64)),
            Column("model_version", String(64), nullable=False),
            Column("policy_version", String(120), nullable=False),
        )
    if "models" not in have:
        op.create_table(
            "models",
            Column("version", String(64), primary_key=True),
            Column("created_at", Float, nullable=False),
            Column("card", JSON, nullable=False),
            Column("blob", LargeBinary, nullable=False),
        )
    if "legal_holds" not in have:
        op.create_table(
            "legal_holds",
            Column("kind", String(16), primary_key=True),
            Column("subject", String(400), primary_key=True),
            Column("until", Float, nullable=False),
            Column("reason", Text, nullable=False),
        )
    if "disabled_at" not in _columns("users"):
        with op.batch_alter_table("users") as batch:
            batch.add_column(Column("disabled_at", Float))
    if "expires_at" not in _columns("api_tokens"):
        with op.batch_alter_table("api_tokens") as batch:
            batch.add_column(Column("expires_at", Float))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("disabled_at")
    op.drop_table("legal_holds")
    op.drop_table("models")
    op.drop_table("shadow_verdicts")
