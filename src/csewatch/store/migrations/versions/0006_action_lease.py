"""Revision 0006: the sender's lease on an enforcement action (``actions.lease_until``, ``actions.leased_by``).

Two reviewers enforcing one case at once both found an action undelivered and both sent it. A sender now
takes the action first, with one conditional UPDATE setting these columns (only while it is undelivered and
not leased, or its lease has expired); both are NULL when nobody is sending. Every row is kept, with no
lease. Both backends add the nullable columns in place; the downgrade drops them (SQLite 3.35+ drops a
column in place).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import Column, Float, String

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLE = "actions"


def upgrade() -> None:
    op.add_column(TABLE, Column("lease_until", Float))
    op.add_column(TABLE, Column("leased_by", String(120)))


def downgrade() -> None:
    op.drop_column(TABLE, "leased_by")
    op.drop_column(TABLE, "lease_until")
