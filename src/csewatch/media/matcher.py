"""Matching media against every bank in force, one hash type at a time from the registry
(``csewatch.media.hashtypes.REGISTRY``): exact digests (MD5, SHA-256) by an indexed database lookup,
the others through their type's index class: PDQ within the radius through the PDQ index (optionally
with the 8 dihedral variants of the query), vPDQ by the published vPDQ criterion (query-match and
compare-match percentages of quality-filtered frame hashes within the frame distance threshold).
Each match names the bank, the bank version it was made against, the distance and the query's
quality. Hashes whose quality is below the floor are not matched (they are counted by the caller)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from csewatch.media import video as V
from csewatch.media.hashing import MediaHashes, hash_bytes
from csewatch.media.index import (  # the bank indexes and match structs live below the store (layer 2)
    DEFAULT_RADIUS,
    VARIANT_NAMES,
    Hit,
    MediaMatch,
    PDQBankIndex,
    VPDQBankIndex,
)

__all__ = ["VARIANT_NAMES", "BankReads", "Hit", "MediaMatch", "MediaMatcher", "PDQBankIndex", "VPDQBankIndex"]


class BankReads(Protocol):
    """The banks as the matcher reads them (``csewatch.media.bank.Banks`` over a store)."""

    def versions(self) -> dict[str, int]: ...

    def active(
        self, bank: str | None = None, hash_type: str | None = None, at: float | None = None
    ) -> list[dict[str, Any]]: ...

    def lookup(self, hash_type: str, value: str, at: float | None = None) -> list[dict[str, Any]]: ...


class MediaMatcher:
    """Matches media hashes against every bank in force (what ``detect.media.MediaDetector`` is given)."""

    def __init__(
        self,
        banks: BankReads,
        radius: int = DEFAULT_RADIUS,
        quality_floor: int = 50,
        index_dir: str | Path | None = None,
        method: str = "auto",
        video_query_percent: float = V.QUERY_MATCH_PERCENT,
        video_compare_percent: float = V.COMPARE_MATCH_PERCENT,
        video_quality: int = V.QUALITY_THRESHOLD,
    ):
        from csewatch.media.hashtypes import REGISTRY

        self.radius = radius
        self.quality_floor = quality_floor
        self.banks = banks
        self.index_dir = index_dir
        self.method = method
        self.video_query_percent = video_query_percent
        self.video_compare_percent = video_compare_percent
        self.video_quality = video_quality
        self.versions = banks.versions()
        self.types = dict(REGISTRY)
        self.indexes: dict[str, PDQBankIndex | VPDQBankIndex] = {}
        for name, ht in self.types.items():
            cls = ht.index_class()
            if cls is not None:  # in memory; exact hashes stay in the database
                self.indexes[name] = cls(banks.active(hash_type=name), self)

    def _entry_match(self, e: dict, hit: Hit, quality: int | None) -> MediaMatch:
        return MediaMatch(
            bank=e["bank"],
            bank_version=self.versions.get(e["bank"], 0),
            hash_type=e["hash_type"],
            value=e["value"],
            distance=hit.distance,
            category=e["category"],
            source=e["source"],
            quality=quality,
            variant=hit.variant,
            query_match=hit.query_match,
            compare_match=hit.compare_match,
        )

    def match_hashes(self, h: MediaHashes) -> list[MediaMatch]:
        """Every banked hash in force this item's hashes match (indexes in memory, exact digests in the database)."""
        out: list[MediaMatch] = []
        for name, ht in self.types.items():
            if name in self.indexes:
                index = self.indexes[name]
                out += [self._entry_match(index.entries[x.index], x, h.quality) for x in index.search(h)]
            elif ht.exact and (v := ht.value_of(h)):
                out += [self._entry_match(e, Hit(0, 0), h.quality) for e in self.banks.lookup(name, v)]
        return out

    def match_bytes(self, data: bytes, dihedral: bool = False) -> tuple[MediaHashes, list[MediaMatch]]:
        """Hash the bytes and match them."""
        h = hash_bytes(data, dihedral=dihedral)
        return h, self.match_hashes(h)
