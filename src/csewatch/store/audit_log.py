"""The store's area for the append-only, hash-chained audit log:
the only code that touches these tables (see store/area.py)."""

from __future__ import annotations

from csewatch.store.area import Area


class AuditLog(Area):
    """Domain methods over the tables of this area."""
