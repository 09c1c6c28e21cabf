"""Revision 0003: bank_entries.value as text of any length (hash types whose normal form is longer
than 64 hex digits, e.g. vPDQ's frame lists); SQLite copies the table (batch), PostgreSQL alters it.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import String, Text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bank_entries") as batch:
        batch.alter_column("value", type_=Text, existing_type=String(64), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("bank_entries") as batch:
        batch.alter_column("value", type_=String(64), existing_type=Text, existing_nullable=False)
