"""The store's area for graph jobs' reads (follow edges, accounts, signals, verdicts for the batch graph jobs):
the only code that touches these tables (see store/area.py)."""

from __future__ import annotations

from csewatch.store.area import Area


class GraphReads(Area):
    """Domain methods over the tables of this area."""
