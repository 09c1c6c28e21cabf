"""The store's area for hash banks (entries, versions, removals):
the only code that touches these tables (see store/area.py)."""

from __future__ import annotations

from csewatch.store.area import Area


class Banks(Area):
    """Domain methods over the tables of this area."""
