"""The store's area for the reads the review console shows (categories, a case's decision history, the
dashboard's figures): the only code that touches these tables for it (see store/area.py)."""

from __future__ import annotations

from csewatch.store.area import Area


class ConsoleReads(Area):
    """Domain methods over the tables of this area."""
