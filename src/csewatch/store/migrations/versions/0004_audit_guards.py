"""Revision 0004: the audit log's guards in the schema instead of at every AuditLog start: triggers that
refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL; at 6cb9ac4 only SQLite had triggers) and a unique
index on ``prev_hash`` so the hash chain cannot fork. All idempotent (code in between made them ad hoc).
A log that has forked already keeps no unique index (``csewatch audit verify`` reports where).
A later batch (copy-table) migration of ``audit_log`` on SQLite must re-create these triggers.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op
from sqlalchemy import inspect, text

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

INDEX = "ux_audit_log_prev_hash"
SQLITE = [
    "CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
POSTGRESQL = [
    "CREATE OR REPLACE FUNCTION csewatch_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "DO $$ BEGIN "
    "IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'audit_no_modify' "
    "AND tgrelid = 'audit_log'::regclass) THEN "
    "CREATE TRIGGER audit_no_modify BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE PROCEDURE csewatch_audit_append_only(); END IF; "
    "IF NOT EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'audit_no_truncate' "
    "AND tgrelid = 'audit_log'::regclass) THEN "
    "CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE PROCEDURE csewatch_audit_append_only(); END IF; "
    "END $$",
]


def upgrade() -> None:
    bind = op.get_bind()
    if INDEX not in {ix["name"] for ix in inspect(bind).get_indexes("audit_log")}:
        forked = bind.execute(
            text("SELECT prev_hash FROM audit_log GROUP BY prev_hash HAVING COUNT(*) > 1")
        ).first()
        if forked is None:
            op.create_index(INDEX, "audit_log", ["prev_hash"], unique=True)
    for stmt in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(bind.dialect.name, []):
        bind.exec_driver_sql(stmt)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_update")
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_delete")
    elif bind.dialect.name == "postgresql":
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_modify ON audit_log")
        bind.exec_driver_sql("DROP TRIGGER IF EXISTS audit_no_truncate ON audit_log")
    op.drop_index(INDEX, table_name="audit_log")
