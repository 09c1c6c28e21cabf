"""PDQ radius search: every banked hash within ``radius`` bits (default 31 of 256) of a query.

Three exact paths with the same answers (a test holds them equal on random data):

* ``numpy``: brute force (XOR and popcount over the packed hashes), for small banks;
* ``mih``: multi-index hashing over NumPy arrays (``csewatch.media.mih``), for large banks: the
  default above 200,000 hashes;
* ``faiss``: ``faiss.IndexBinaryMultiHash`` with ``nflip = radius // nhash`` (the same pigeonhole
  guarantee), kept as an alternative; on this machine it is several times slower than ``mih``.

The index persists as ``hashes.npy`` (loaded memory-mapped) with the multi-index tables beside it
(``mih_entries.npy``, ``mih_offsets.npy``: a restart loads them instead of a rebuild; tables that do
not fit are rebuilt), or the faiss file when that path is used. Additions go to a small delta
searched by brute force and are folded into the tables when the delta grows past ``DELTA_MAX``.

The bank indexes a hash type names (``HashType.index_class``) live here too, below the store: ``PDQBankIndex``
(banked PDQ hashes, optionally with the query's 8 dihedral variants) and ``VPDQBankIndex`` (banked videos'
frame hashes, the published vPDQ criterion). They take the entries in force and the matcher's settings
(``BankIndexSettings``); ``MediaMatch`` is what a match against a bank reports.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any, Protocol

import msgspec
import numpy as np

from csewatch.media import video as V
from csewatch.media.hashing import MediaHashes
from csewatch.media.mih import MIHTable

DEFAULT_RADIUS = 31
BRUTE_FORCE_MAX = 200_000
DELTA_MAX = 50_000


def to_array(hex_hashes: list[str]) -> np.ndarray:
    """Hex PDQ hashes to an (N, 32) uint8 array."""
    if not hex_hashes:
        return np.zeros((0, 32), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(hex_hashes)), dtype=np.uint8).reshape(-1, 32).copy()


def brute_force(db: np.ndarray, queries: np.ndarray, radius: int, base: int = 0) -> list[list[tuple[int, int]]]:
    """For each query, [(db index + base, distance)] within radius, by distance then index."""
    out = []
    for q in queries:
        d = np.bitwise_count(np.bitwise_xor(db, q)).sum(axis=1, dtype=np.int32)
        idx = np.nonzero(d <= radius)[0]
        out.append(sorted(((int(i) + base, int(d[i])) for i in idx), key=lambda t: (t[1], t[0])))
    return out


class PDQIndex:
    def __init__(self, radius: int = DEFAULT_RADIUS, method: str = "auto", nhash: int = 11, bits: int = 23):
        if method not in ("auto", "numpy", "mih", "faiss"):
            raise ValueError(f"unknown index method {method!r}")
        self.radius = radius
        self.method = method
        self.nhash, self.bits = nhash, bits  # faiss multi-hash shape
        self.hashes = np.zeros((0, 32), dtype=np.uint8)
        self.built = 0  # hashes[:built] are in the table; the rest is the delta
        self._table: MIHTable | None = None
        self._faiss = None

    def __len__(self) -> int:
        return len(self.hashes)

    @property
    def kind(self) -> str:
        if self.method != "auto":
            return self.method
        return "mih" if len(self.hashes) > BRUTE_FORCE_MAX else "numpy"

    def _build(self) -> None:
        kind = self.kind
        self._table, self._faiss = None, None
        data = np.ascontiguousarray(self.hashes)
        if kind == "mih":
            self._table = MIHTable(data, self.radius)
        elif kind == "faiss":
            import faiss

            self._faiss = faiss.IndexBinaryMultiHash(256, self.nhash, self.bits)
            self._faiss.nflip = self.radius // self.nhash
            self._faiss.add(data)
        self.built = len(self.hashes) if kind != "numpy" else 0

    def add(self, hashes: np.ndarray) -> None:
        hashes = np.ascontiguousarray(hashes, dtype=np.uint8).reshape(-1, 32)
        self.hashes = np.concatenate([np.asarray(self.hashes), hashes]) if len(self.hashes) else hashes.copy()
        if self.kind == "numpy":
            return
        if self._table is None and self._faiss is None or len(self.hashes) - self.built > DELTA_MAX:
            self._build()

    def search(self, queries: np.ndarray, radius: int | None = None) -> list[list[tuple[int, int]]]:
        """For each query, [(index, distance)] of every hash within ``radius`` (<= the built radius)."""
        r = self.radius if radius is None else radius
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, 32)
        if self.kind == "numpy" or len(self.hashes) == 0:
            return brute_force(np.asarray(self.hashes), queries, r)
        if r > self.radius and self.kind == "faiss":  # faiss fixes its flips at build; mih probes per search
            raise ValueError(f"the index was built for radius {self.radius}; rebuild it for {r}")
        if self._table is None and self._faiss is None:
            self._build()
        if self._table is not None:
            out = self._table.search(queries, r)
        else:
            lims, dist, ids = self._faiss.range_search(queries, r + 1)  # faiss keeps distances < radius
            out = [
                sorted(
                    zip(ids[lims[i] : lims[i + 1]].tolist(), dist[lims[i] : lims[i + 1]].tolist(), strict=True),
                    key=lambda t: (t[1], t[0]),
                )
                for i in range(len(queries))
            ]
        if self.built < len(self.hashes):  # the delta since the last build
            delta = brute_force(np.asarray(self.hashes[self.built :]), queries, r, base=self.built)
            out = [sorted(a + b, key=lambda t: (t[1], t[0])) for a, b in zip(out, delta, strict=True)]
        return out

    # -- persistence ------------------------------------------------------------------------
    def save(self, directory: str | Path, meta: dict | None = None) -> None:
        """The hashes, and the multi-index tables when built (a 10M bank then loads in seconds instead of
        a rebuild). meta.json is written last: a save cut short leaves the previous meta or none."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        (d / "meta.json").unlink(missing_ok=True)
        np.save(d / "hashes.npy", np.asarray(self.hashes))
        info = {"radius": self.radius, "method": self.method, "count": len(self.hashes), **(meta or {})}
        if self._table is not None:
            entries, offs = self._table.tables()
            np.save(d / "mih_entries.npy", entries)
            np.save(d / "mih_offsets.npy", offs)
            info["mih"] = {"bits": self._table.bits, "built": self.built}
        (d / "mih_ids.npy").unlink(missing_ok=True)  # tables of an earlier layout
        (d / "meta.json").write_text(json.dumps(info))

    @classmethod
    def load(cls, directory: str | Path, mmap_tables: bool = False) -> tuple[PDQIndex, dict]:
        """The hashes are memory-mapped. Saved multi-index tables are read into memory (random reads
        over a memory-mapped file are several times slower), or mapped with ``mmap_tables``; without
        them, or when they do not fit the hashes, the tables are rebuilt on the first search."""
        d = Path(directory)
        info = json.loads((d / "meta.json").read_text())
        index = cls(info["radius"], info["method"])
        index.hashes = np.load(d / "hashes.npy", mmap_mode="r")
        mih = info.get("mih")
        if mih and index.kind == "mih" and 0 < mih["built"] <= len(index.hashes):
            mode = "r" if mmap_tables else None
            try:
                entries = np.load(d / "mih_entries.npy", mmap_mode=mode)
                tables = (entries, np.load(d / "mih_offsets.npy", mmap_mode=mode))
                index._table = MIHTable(index.hashes[: mih["built"]], index.radius, mih["bits"], tables=tables)
                index.built = mih["built"]
            except (OSError, ValueError):  # missing or not matching: rebuilt on first search
                index._table, index.built = None, 0
        return index, info


# -- bank indexes: what a hash type's ``index_class`` names ---------------------------------------------
VARIANT_NAMES = ("original", "rot90", "rot180", "rot270", "flipx", "flipy", "flip+1", "flip-1")


class MediaMatch(msgspec.Struct, frozen=True):
    """One match of a media item against a banked hash: the bank, its version and the evidence (never media)."""

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
    """A bank index's answer: the position of the entry in its ``entries`` and how close it is."""

    index: int  # position in the index's entries
    distance: int
    variant: str = "original"
    query_match: float | None = None
    compare_match: float | None = None


class BankIndexSettings(Protocol):
    """What a bank index reads from the matcher building it (``csewatch.media.matcher.MediaMatcher``)."""

    radius: int
    quality_floor: int
    index_dir: str | Path | None
    method: str
    versions: dict[str, int]
    video_quality: int
    video_query_percent: float
    video_compare_percent: float


class PDQBankIndex:
    """Banked PDQ hashes in a PDQIndex (persisted under ``index_dir`` when given)."""

    def __init__(self, entries: list[dict[str, Any]], matcher: BankIndexSettings):
        self.entries = entries
        self.quality_floor = matcher.quality_floor
        radius = matcher.radius
        stamp = {"versions": matcher.versions, "radius": radius, "count": len(entries)}
        index = None
        index_dir = matcher.index_dir
        if index_dir and (Path(index_dir) / "meta.json").exists():
            loaded, info = PDQIndex.load(index_dir)
            if (
                info.get("versions") == matcher.versions
                and info.get("radius") == radius
                and info.get("count") == len(entries)
            ):
                index = loaded
        if index is None:
            index = PDQIndex(radius=radius, method=matcher.method)
            index.add(to_array([e["value"] for e in entries]))
            if index_dir:
                index.save(index_dir, stamp)
        self.index = index

    def search(self, h: MediaHashes) -> list[Hit]:
        """Entries within the radius of the query (or of its best dihedral variant), closest first."""
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

    def __init__(self, entries: list[dict[str, Any]], matcher: BankIndexSettings):
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
        """Banked videos meeting the vPDQ criterion against the query's frames, best first."""
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
