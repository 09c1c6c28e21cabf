"""The store's area for enforcement actions, legal holds, hash sharing and NCMEC report rows:
the only code that touches these tables (see store/area.py)."""

from __future__ import annotations

from csewatch.store.area import Area


class Enforcement(Area):
    """Domain methods over the tables of this area."""
