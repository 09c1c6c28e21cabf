"""Matching media against every bank in force, one hash type at a time from the registry
(``csewatch.media.hashtypes.REGISTRY``): exact digests (MD5, SHA-256) by an indexed database lookup,
the others through their type's index class: PDQ within the radius through the PDQ index (optionally
with the 8 dihedral variants of the query), vPDQ by the published vPDQ criterion (query-match and
compare-match percentages of quality-filtered frame hashes within the frame distance threshold).
Each match names the bank, the bank version it was made against, the distance and the query's
quality. Hashes whose quality is below the floor are not matched (they are counted by the caller)."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import msgspec
import numpy as np

from csewatch.media import video as V
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
    query_match: float | None = None  # vPDQ: % of the query's frames matched in the banked video
    compare_match: float | None = None  # vPDQ: % of the banked video's frames matched by the query


class Hit(msgspec.Struct, frozen=True):
    index: int  # position in the index's entries
    distance: int
    variant: str = "original"
    query_match: float | None = None
    compare_match: float | None = None


class PDQBankIndex:
    """Banked PDQ hashes in a PDQIndex (persisted under ``index_dir`` when given)."""

    def __init__(self, entries: list[dict], matcher: MediaMatcher):
        self.entries = entries
        self.quality_floor = matcher.quality_floor
        radius = matcher.radius
        stamp = {"versions": matcher.versions, "radius": radius, "count": len(entries)}
        index = None
        index_dir = matcher.index_dir
        if index_dir and (Path(index_dir) / "meta.json").exists():
            loaded, info = PDQIndex.load(index_dir)
            if info.get("versions") == matcher.versions and info.get("radius") == radius and info.get(
                "count"
            ) == len(entries):
                index = loaded
        if index is None:
            index = PDQIndex(radius=radius, method=matcher.method)
            index.add(to_array([e["value"] for e in entries]))
            if index_dir:
                index.save(index_dir, stamp)
        self.index = index

    def search(self, h: MediaHashes) -> list[Hit]:
        if not h.pdq or (h.quality or 0) < self.quality_floor or not len(self.index):
            return []
        queries = h.dihedral or [h.pdq]
        best: dict[int, tuple[int, str]] = {}
        for qi, hits in enumerate(self.index.search(to_array(queries))):
            for idx, dist in hits:
                if idx not in best or dist < best[idx][0]:
                    best[idx] = (dist, VARIANT_NAMES[qi])
        return [Hit(i, d, v) for i, (d, v) in sorted(best.items(), key=lambda kv: (kv[1][0], kv[0]))]


class VPDQBankIndex:
    """Banked videos' frame hashes (quality-filtered, de-duplicated per video) in one PDQIndex at the
    frame distance threshold; a query's frames are searched once, and each banked video with a hit
    gets its query-match and compare-match percentages, kept when both reach their thresholds."""

    def __init__(self, entries: list[dict], matcher: MediaMatcher):
        self.entries = entries
        self.quality = matcher.video_quality
        self.query_percent = matcher.video_query_percent
        self.compare_percent = matcher.video_compare_percent
        frames: list[str] = []
        owner: list[int] = []
        self.sizes: list[int] = []
        for i, e in enumerate(entries):
            unique = sorted({f.pdq for f in V.parse(e["value"]) if f.quality >= self.quality})
            frames += unique
            owner += [i] * len(unique)
            self.sizes.append(len(unique))
        self.owner = np.asarray(owner, dtype=np.int64)
        self.index = PDQIndex(radius=V.DISTANCE_THRESHOLD)
        self.index.add(to_array(frames))

    def search(self, h: MediaHashes) -> list[Hit]:
        if not h.vpdq or not len(self.index):
            return []
        query = sorted({f.pdq for f in V.parse(h.vpdq) if f.quality >= self.quality})
        if not query:
            return []
        q_hits: dict[int, set[int]] = defaultdict(set)  # banked video -> query frames matched
        c_hits: dict[int, set[int]] = defaultdict(set)  # banked video -> its frames matched
        for qi, hits in enumerate(self.index.search(to_array(query))):
            for idx, _dist in hits:
                video = int(self.owner[idx])
                q_hits[video].add(qi)
                c_hits[video].add(idx)
        out = []
        for video, qs in q_hits.items():
            qm = 100.0 * len(qs) / len(query)
            cm = 100.0 * len(c_hits[video]) / max(self.sizes[video], 1)
            if qm >= self.query_percent and cm >= self.compare_percent:
                out.append(Hit(video, int(round(100.0 - qm)), "original", round(qm, 2), round(cm, 2)))
        return sorted(out, key=lambda x: (x.distance, -(x.compare_match or 0), x.index))


class MediaMatcher:
    def __init__(
        self,
        banks: Banks,
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
        out: list[MediaMatch] = []
        for name, ht in self.types.items():
            if name in self.indexes:
                index = self.indexes[name]
                out += [self._entry_match(index.entries[x.index], x, h.quality) for x in index.search(h)]
            elif ht.exact and (v := ht.value_of(h)):
                out += [self._entry_match(e, Hit(0, 0), h.quality) for e in self.banks.lookup(name, v)]
        return out

    def match_bytes(self, data: bytes, dihedral: bool = False) -> tuple[MediaHashes, list[MediaMatch]]:
        h = hash_bytes(data, dihedral=dihedral)
        return h, self.match_hashes(h)
