"""The store's area for the console's reviewers, sessions and API tokens:
the only code that touches these tables (see store/area.py)."""

from __future__ import annotations

from csewatch.store.area import Area


class Users(Area):
    """Domain methods over the tables of this area."""
