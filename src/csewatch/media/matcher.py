"""Matching media against every bank in force: MD5 / SHA-256 exactly, PDQ within the radius through
the PDQ index (optionally with the 8 dihedral variants of the query). Each match names the bank, the
bank version it was made against, the distance and the query's PDQ quality. Hashes whose quality is
below the floor are not matched (they are counted by the caller)."""

from __future__ import annotations

from pathlib import Path

import msgspec

from csewatch.media.bank import Banks
from csewatch.media.hashing import MediaHashes, hash_bytes
from csewatch.media.index import DEFAULT_RADIUS, PDQIndex, to_array

VARIANT_NAMES = ("original", "rot90", "rot180", "rot270", "flipx", "flipy", "flip+1", "flip-1")


class MediaMatch(msgspec.Struct, frozen=True):
    bank: str
    bank_version: int
    hash_type: str
    value: str
    distance: int
    category: str
    source: str
    quality: int | None = None
    variant: str = "original"


class MediaMatcher:
    def __init__(
        self,
        banks: Banks,
        radius: int = DEFAULT_RADIUS,
        quality_floor: int = 50,
        index_dir: str | Path | None = None,
        method: str = "auto",
    ):
        self.radius = radius
        self.quality_floor = quality_floor
        self.banks = banks
        self.versions = banks.versions()
        pdq = banks.active(hash_type="pdq")  # PDQ hashes go to the in-memory index; exact ones stay in the DB
        self.pdq_entries = pdq
        stamp = {"versions": self.versions, "radius": radius, "count": len(pdq)}
        index = None
        if index_dir and (Path(index_dir) / "meta.json").exists():
            loaded, info = PDQIndex.load(index_dir)
            if info.get("versions") == self.versions and info.get("radius") == radius and info.get("count") == len(pdq):
                index = loaded
        if index is None:
            index = PDQIndex(radius=radius, method=method)
            index.add(to_array([e["value"] for e in pdq]))
            if index_dir:
                index.save(index_dir, stamp)
        self.index = index

    def _entry_match(self, e: dict, distance: int, quality: int | None, variant: str = "original") -> MediaMatch:
        return MediaMatch(
            bank=e["bank"],
            bank_version=self.versions.get(e["bank"], 0),
            hash_type=e["hash_type"],
            value=e["value"],
            distance=distance,
            category=e["category"],
            source=e["source"],
            quality=quality,
            variant=variant,
        )

    def match_hashes(self, h: MediaHashes) -> list[MediaMatch]:
        out: list[MediaMatch] = []
        for t, v in (("sha256", h.sha256), ("md5", h.md5)):
            for e in self.banks.lookup(t, v):
                out.append(self._entry_match(e, 0, h.quality))
        if h.pdq and (h.quality or 0) >= self.quality_floor and len(self.index):
            queries = h.dihedral or [h.pdq]
            results = self.index.search(to_array(queries))
            best: dict[int, tuple[int, str]] = {}
            for qi, hits in enumerate(results):
                for idx, dist in hits:
                    if idx not in best or dist < best[idx][0]:
                        best[idx] = (dist, VARIANT_NAMES[qi])
            for idx, (dist, variant) in sorted(best.items(), key=lambda kv: kv[1][0]):
                out.append(self._entry_match(self.pdq_entries[idx], dist, h.quality, variant))
        return out

    def match_bytes(self, data: bytes, dihedral: bool = False) -> tuple[MediaHashes, list[MediaMatch]]:
        h = hash_bytes(data, dihedral=dihedral)
        return h, self.match_hashes(h)
