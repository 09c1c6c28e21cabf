"""The store's area for review decisions, claims, rule feedback and the reads a reviewer's queue needs:
the only code that touches these tables (see store/area.py)."""

from __future__ import annotations

from csewatch.store.area import Area


class Reviews(Area):
    """Domain methods over the tables of this area."""
