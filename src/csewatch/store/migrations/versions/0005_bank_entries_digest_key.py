"""Revision 0005: bank_entries keyed on (bank, hash_type, value_digest), the SHA-256 (hex) of the value,
instead of the value itself. PostgreSQL refuses btree index rows over 2,704 bytes, so neither the
primary key nor the (hash_type, value) index could hold a vPDQ value (many frames: tens of KB); the value
stays, as text of any length, in a column no index covers. Every entry is kept and gets its digest
(``csewatch.store.banks.value_digest``: SHA-256 of the value's UTF-8 text). PostgreSQL alters the table in
place (the digest computed in SQL); SQLite copies it into a table of the new shape (the digest computed by
a function registered on the connection). The lookup index becomes ``ix_bank_entries_digest``
(hash_type, value_digest). A downgrade on PostgreSQL fails while a value longer than the old index rows
allowed is banked.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import hashlib

from alembic import op
from sqlalchemy import Column, Float, Integer, String, Text, inspect

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

TABLE = "bank_entries"
OLD_INDEX = "ix_bank_entries_value"
NEW_INDEX = "ix_bank_entries_digest"
COPY = "_bank_entries_0005"
DATA = ["category", "source", "added_at", "expires_at", "added_version", "removed_version"]
PG_DIGEST = "encode(sha256(convert_to(value, 'UTF8')), 'hex')"


def _sha256_hex(value: str | None) -> str | None:
    return None if value is None else hashlib.sha256(value.encode("utf-8")).hexdigest()


def _columns(keyed_on_digest: bool) -> list[Column]:
    """bank_entries of revision 0005 (keyed on the digest) or of 0003-0004 (keyed on the value)."""
    key = [Column("value_digest", String(64), primary_key=True)] if keyed_on_digest else []
    return [
        Column("bank", String(64), primary_key=True),
        Column("hash_type", String(16), primary_key=True),
        *key,
        Column("value", Text, primary_key=not keyed_on_digest, nullable=False),
        Column("category", String(64), nullable=False),
        Column("source", String(200), nullable=False),
        Column("added_at", Float, nullable=False),
        Column("expires_at", Float),
        Column("added_version", Integer, nullable=False),
        Column("removed_version", Integer),
    ]


def _indexes() -> set[str]:
    return {ix["name"] for ix in inspect(op.get_bind()).get_indexes(TABLE)}


def _sqlite_copy(keyed_on_digest: bool) -> None:
    """SQLite: copy every row into a table of the wanted shape, then put it in the old one's place."""
    bind = op.get_bind()
    op.create_table(COPY, *_columns(keyed_on_digest))
    cols = ["bank", "hash_type", "value", *DATA]
    if keyed_on_digest:
        bind.connection.driver_connection.create_function("csewatch_sha256", 1, _sha256_hex, deterministic=True)
        select_list = ", ".join([*cols, "csewatch_sha256(value)"])
        cols = [*cols, "value_digest"]
    else:
        select_list = ", ".join(cols)
    bind.exec_driver_sql(f"INSERT INTO {COPY} ({', '.join(cols)}) SELECT {select_list} FROM {TABLE}")
    op.drop_table(TABLE)  # its indexes go with it
    op.rename_table(COPY, TABLE)


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_copy(keyed_on_digest=True)
    else:
        pk = inspect(bind).get_pk_constraint(TABLE).get("name") or f"{TABLE}_pkey"
        op.add_column(TABLE, Column("value_digest", String(64)))
        op.execute(f"UPDATE {TABLE} SET value_digest = {PG_DIGEST}")
        op.alter_column(TABLE, "value_digest", existing_type=String(64), nullable=False)
        if OLD_INDEX in _indexes():
            op.drop_index(OLD_INDEX, table_name=TABLE)
        op.drop_constraint(pk, TABLE, type_="primary")
        op.create_primary_key(f"{TABLE}_pkey", TABLE, ["bank", "hash_type", "value_digest"])
    op.create_index(NEW_INDEX, TABLE, ["hash_type", "value_digest"])


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_copy(keyed_on_digest=False)
    else:
        pk = inspect(bind).get_pk_constraint(TABLE).get("name") or f"{TABLE}_pkey"
        op.drop_index(NEW_INDEX, table_name=TABLE)
        op.drop_constraint(pk, TABLE, type_="primary")
        op.create_primary_key(f"{TABLE}_pkey", TABLE, ["bank", "hash_type", "value"])
        op.drop_column(TABLE, "value_digest")
    op.create_index(OLD_INDEX, TABLE, ["hash_type", "value"])
