"""PDQ radius search: every banked hash within ``radius`` bits (default 31 of 256) of a query.

Two exact paths with the same answers (a test holds them equal on random data):

* brute force with NumPy (XOR and popcount over the packed hashes) for small banks;
* ``faiss.IndexBinaryMultiHash`` (multi-index hashing) for large ones: the 256 bits are cut into
  ``nhash`` sub-hashes of ``b`` bits and each query probes every sub-hash with up to ``nflip`` bits
  flipped, with ``nflip = radius // nhash``. A hash within ``radius`` bits differs in at most
  ``radius // nhash`` bits on at least one sub-hash (pigeonhole), so nothing within the radius is
  missed; candidates are re-checked on the full 256 bits.

The index persists as ``hashes.npy`` (loaded memory-mapped) plus the faiss index file, and takes
additions without a rebuild.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

DEFAULT_RADIUS = 31
BRUTE_FORCE_MAX = 200_000


def to_array(hex_hashes: list[str]) -> np.ndarray:
    """Hex PDQ hashes to an (N, 32) uint8 array."""
    if not hex_hashes:
        return np.zeros((0, 32), dtype=np.uint8)
    return np.frombuffer(bytes.fromhex("".join(hex_hashes)), dtype=np.uint8).reshape(-1, 32).copy()


def brute_force(db: np.ndarray, queries: np.ndarray, radius: int) -> list[list[tuple[int, int]]]:
    """For each query, [(db index, distance)] within radius, by distance then index."""
    out = []
    for q in queries:
        d = np.bitwise_count(np.bitwise_xor(db, q)).sum(axis=1, dtype=np.int32)
        idx = np.nonzero(d <= radius)[0]
        out.append(sorted(((int(i), int(d[i])) for i in idx), key=lambda t: (t[1], t[0])))
    return out


class PDQIndex:
    def __init__(self, radius: int = DEFAULT_RADIUS, nhash: int = 11, bits: int = 23, method: str = "auto"):
        if nhash * bits > 256 or bits > 63:
            raise ValueError("nhash * bits must be <= 256 and bits <= 63")
        self.radius = radius
        self.nhash = nhash
        self.bits = bits
        self.method = method
        self.hashes = np.zeros((0, 32), dtype=np.uint8)
        self._faiss = None

    def __len__(self) -> int:
        return len(self.hashes)

    @property
    def uses_faiss(self) -> bool:
        return self.method == "faiss" or (self.method == "auto" and len(self.hashes) > BRUTE_FORCE_MAX)

    def _make_faiss(self):
        import faiss

        index = faiss.IndexBinaryMultiHash(256, self.nhash, self.bits)
        index.nflip = self.radius // self.nhash
        return index

    def add(self, hashes: np.ndarray) -> None:
        hashes = np.ascontiguousarray(hashes, dtype=np.uint8).reshape(-1, 32)
        self.hashes = np.concatenate([np.asarray(self.hashes), hashes]) if len(self.hashes) else hashes.copy()
        if self._faiss is not None:
            self._faiss.add(hashes)
        elif self.uses_faiss:
            self._faiss = self._make_faiss()
            self._faiss.add(np.ascontiguousarray(self.hashes))

    def search(self, queries: np.ndarray, radius: int | None = None) -> list[list[tuple[int, int]]]:
        """For each query, [(index, distance)] of every hash within ``radius`` (<= the built radius)."""
        r = self.radius if radius is None else radius
        if r > self.radius and self.uses_faiss:
            raise ValueError(f"the index was built for radius {self.radius}; rebuild it for {r}")
        queries = np.ascontiguousarray(queries, dtype=np.uint8).reshape(-1, 32)
        if not self.uses_faiss or len(self.hashes) == 0:
            return brute_force(np.asarray(self.hashes), queries, r)
        if self._faiss is None:
            self._faiss = self._make_faiss()
            self._faiss.add(np.ascontiguousarray(self.hashes))
        lims, dist, ids = self._faiss.range_search(queries, r + 1)  # faiss keeps distances < radius
        out = []
        for i in range(len(queries)):
            a, b = lims[i], lims[i + 1]
            out.append(sorted(zip(ids[a:b].tolist(), dist[a:b].tolist(), strict=True), key=lambda t: (t[1], t[0])))
        return out

    # -- persistence ------------------------------------------------------------------------
    def save(self, directory: str | Path, meta: dict | None = None) -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        np.save(d / "hashes.npy", np.asarray(self.hashes))
        if self._faiss is not None:
            import faiss

            faiss.write_index_binary(self._faiss, str(d / "multihash.faissbin"))
        info = {
            "radius": self.radius,
            "nhash": self.nhash,
            "bits": self.bits,
            "method": self.method,
            "count": len(self.hashes),
            **(meta or {}),
        }
        (d / "meta.json").write_text(json.dumps(info))

    @classmethod
    def load(cls, directory: str | Path) -> tuple[PDQIndex, dict]:
        d = Path(directory)
        info = json.loads((d / "meta.json").read_text())
        index = cls(info["radius"], info["nhash"], info["bits"], info["method"])
        index.hashes = np.load(d / "hashes.npy", mmap_mode="r")  # memory-mapped
        f = d / "multihash.faissbin"
        if f.exists():
            import faiss

            index._faiss = faiss.read_index_binary(str(f))
        return index, info
