"""Multi-index hashing over NumPy arrays, batched: exact Hamming radius search for millions of PDQ
hashes.

The 256 bits are cut into ``m`` chunks of ``b`` bits (``m = 256 // b``, ``b`` about log2 of the bank
size so that a bucket holds about one hash). A hash within ``r`` bits of a query differs in at most
``r // m`` bits on at least one chunk (pigeonhole over the covered bits), so probing every chunk of
the query with all flips of up to ``r // m`` bits finds every such hash; candidates are then
checked on all 256 bits. Each chunk's table is a sorted id array with bucket offsets (CSR), so a
batch of queries is a handful of vectorised gathers rather than millions of hash-map lookups, which
is where ``faiss.IndexBinaryMultiHash`` spends its time on this machine.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np


def _words(hashes: np.ndarray) -> np.ndarray:
    """(N, 32) uint8 -> (N, 4) uint64, most significant bit first."""
    return np.ascontiguousarray(hashes).view(">u8").astype(np.uint64).reshape(-1, 4)


def _chunk(words: np.ndarray, start: int, length: int) -> np.ndarray:
    """Bits [start, start+length) of each hash as integers."""
    wi, off = divmod(start, 64)
    mask = np.uint64((1 << length) - 1)
    if off + length <= 64:
        return ((words[:, wi] >> np.uint64(64 - off - length)) & mask).astype(np.int64)
    hi_len = 64 - off
    lo_len = length - hi_len
    hi = words[:, wi] & np.uint64((1 << hi_len) - 1)
    lo = words[:, wi + 1] >> np.uint64(64 - lo_len)
    return ((hi << np.uint64(lo_len)) | lo).astype(np.int64)


def _flip_masks(b: int, nflip: int) -> np.ndarray:
    masks = [0]
    for k in range(1, nflip + 1):
        for bits in itertools.combinations(range(b), k):
            masks.append(sum(1 << i for i in bits))
    return np.array(masks, dtype=np.int64)


class MIHTable:
    def __init__(self, hashes: np.ndarray, radius: int, bits: int | None = None):
        n = len(hashes)
        self.bits = bits or int(min(24, max(16, round(np.log2(max(n, 2))))))
        self.m = 256 // self.bits
        self.radius = radius
        self.nflip = radius // self.m
        self.masks = _flip_masks(self.bits, self.nflip)
        self.words = _words(hashes)
        self.ids: list[np.ndarray] = []
        self.offsets: list[np.ndarray] = []
        nb = 1 << self.bits
        for j in range(self.m):
            keys = _chunk(self.words, j * self.bits, self.bits)
            order = np.argsort(keys, kind="stable").astype(np.int32)
            counts = np.bincount(keys, minlength=nb)
            offsets = np.zeros(nb + 1, dtype=np.int32)
            np.cumsum(counts, out=offsets[1:])
            self.ids.append(order)
            self.offsets.append(offsets)

    def __len__(self) -> int:
        return len(self.words)

    def nbytes(self) -> int:
        return self.words.nbytes + sum(a.nbytes for a in self.ids) + sum(a.nbytes for a in self.offsets)

    def search(
        self, queries: np.ndarray, radius: int | None = None, batch: int = 128, threads: int | None = None
    ) -> list[list[tuple[int, int]]]:
        """Batches of queries on a thread pool (NumPy releases the GIL in the gathers)."""
        r = self.radius if radius is None else radius
        if r > self.radius:
            raise ValueError(f"the table was built for radius {self.radius}")
        starts = range(0, len(queries), batch)
        workers = min(threads or os.cpu_count() or 1, len(starts))
        if workers <= 1:
            parts = [self._search_batch(queries[s : s + batch], r) for s in starts]
        else:
            with ThreadPoolExecutor(workers) as pool:
                parts = list(pool.map(lambda s: self._search_batch(queries[s : s + batch], r), starts))
        return [row for part in parts for row in part]

    def _search_batch(self, queries: np.ndarray, r: int) -> list[list[tuple[int, int]]]:
        qw = _words(queries)
        nq = len(qw)
        qidx_parts, cand_parts = [], []
        for j in range(self.m):
            qkeys = _chunk(qw, j * self.bits, self.bits)
            probes = (qkeys[:, None] ^ self.masks[None, :]).ravel()
            offs = self.offsets[j]
            starts = offs[probes]
            lens = offs[probes + 1] - starts
            total = int(lens.sum())
            if not total:
                continue
            nonzero = lens > 0
            starts, lens = starts[nonzero], lens[nonzero]
            probe_q = np.repeat(np.arange(nq), len(self.masks))[nonzero]
            run_start = np.cumsum(lens) - lens
            pos = np.arange(total) - np.repeat(run_start, lens) + np.repeat(starts, lens)
            cand_parts.append(self.ids[j][pos])
            qidx_parts.append(np.repeat(probe_q, lens))
        results: list[list[tuple[int, int]]] = [[] for _ in range(nq)]
        if not cand_parts:
            return results
        qidx = np.concatenate(qidx_parts)
        cand = np.concatenate(cand_parts)
        # check every candidate (a hash found through two chunks is checked twice: cheaper than a
        # unique over millions of pairs), then de-duplicate the few that are within the radius
        dist = np.bitwise_count(self.words[cand] ^ qw[qidx]).sum(axis=1)
        keep = dist <= r
        for q, c, d in set(zip(qidx[keep].tolist(), cand[keep].tolist(), dist[keep].tolist(), strict=True)):
            results[q].append((c, d))
        for row in results:
            row.sort(key=lambda t: (t[1], t[0]))
        return results
