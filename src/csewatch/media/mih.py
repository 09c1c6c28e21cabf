"""Multi-index hashing over NumPy arrays, batched: exact Hamming radius search for millions of PDQ
hashes.

The 256 bits are cut into ``m`` chunks of ``b`` bits (``m = 256 // b``, ``b`` about log2 of the bank
size so that a bucket holds about one hash). A hash within ``r`` bits of a query differs in at most
``r // m`` bits on at least one chunk (pigeonhole over the covered bits), so probing every chunk of
the query with all flips of up to ``r // m`` bits finds every such hash; candidates are then
checked on all 256 bits. Each chunk's table is a sorted id array with bucket offsets (CSR), so a
batch of queries is a handful of vectorised gathers rather than millions of hash-map lookups, which
is where ``faiss.IndexBinaryMultiHash`` spends its time on this machine.

With Numba installed (a dependency), the probe-gather-verify loop runs as one compiled kernel per
query, in parallel over queries, with no candidate arrays in between: a hash found through several
chunks is reported only from the first chunk that can find it. Both paths return the same pairs.
"""

from __future__ import annotations

import itertools
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

try:  # the compiled kernel; without Numba the NumPy path below serves
    import numba
except ImportError:  # pragma: no cover - numba is a declared dependency
    numba = None


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
        nb = 1 << self.bits
        # one (m, N) id table and one (m, 2^b + 1) offset table; the per-chunk rows are views
        self._ids2 = np.empty((self.m, n), dtype=np.int32)
        self._offs2 = np.zeros((self.m, nb + 1), dtype=np.int32)
        for j in range(self.m):
            keys = _chunk(self.words, j * self.bits, self.bits)
            self._ids2[j] = np.argsort(keys, kind="stable")
            np.cumsum(np.bincount(keys, minlength=nb), out=self._offs2[j, 1:])
        self.ids: list[np.ndarray] = list(self._ids2)
        self.offsets: list[np.ndarray] = list(self._offs2)

    def __len__(self) -> int:
        return len(self.words)

    def nbytes(self) -> int:
        return self.words.nbytes + self._ids2.nbytes + self._offs2.nbytes

    def search(
        self, queries: np.ndarray, radius: int | None = None, batch: int = 128, threads: int | None = None
    ) -> list[list[tuple[int, int]]]:
        """The compiled kernel parallelises over the queries itself: one call per 4,096 queries (bounds
        its result buffers). The NumPy path runs batches on a thread pool (NumPy releases the GIL in
        the gathers)."""
        r = self.radius if radius is None else radius
        if r > self.radius:
            raise ValueError(f"the table was built for radius {self.radius}")
        if _KERNEL is not None and not _FORCE_NUMPY:
            # not from the thread pool: Numba's default threading layer refuses concurrent launches
            return [
                row for s in range(0, len(queries), 4096) for row in self._search_compiled(queries[s : s + 4096], r)
            ]
        starts = range(0, len(queries), batch)
        workers = min(threads or os.cpu_count() or 1, len(starts))
        if workers <= 1:
            parts = [self._search_numpy(queries[s : s + batch], r) for s in starts]
        else:
            with ThreadPoolExecutor(workers) as pool:
                parts = list(pool.map(lambda s: self._search_numpy(queries[s : s + batch], r), starts))
        return [row for part in parts for row in part]

    def _search_compiled(self, queries: np.ndarray, r: int, cap: int = 64) -> list[list[tuple[int, int]]]:
        qw = _words(queries)
        ids, offs = self._ids2, self._offs2
        out_id = np.empty((len(qw), cap), dtype=np.int64)
        out_d = np.empty((len(qw), cap), dtype=np.int64)
        counts = np.zeros(len(qw), dtype=np.int64)
        _KERNEL(self.words, ids, offs, self.bits, self.m, self.nflip, self.masks, qw, r, out_id, out_d, counts)
        results: list[list[tuple[int, int]]] = []
        for i in range(len(qw)):
            n = int(counts[i])
            if n > cap:  # more neighbours than the buffer holds: that query takes the NumPy path
                results.append(self._search_numpy(queries[i : i + 1], r)[0])
                continue
            row = sorted(zip(out_id[i, :n].tolist(), out_d[i, :n].tolist(), strict=True), key=lambda t: (t[1], t[0]))
            results.append(row)
        return results

    def _search_numpy(self, queries: np.ndarray, r: int) -> list[list[tuple[int, int]]]:
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


_FORCE_NUMPY = False  # tests flip this to compare the two paths

if numba is not None:

    @numba.njit(inline="always")
    def _chunk1(w0, w1, w2, w3, start, length):  # pragma: no cover - compiled
        words = (w0, w1, w2, w3)
        wi = start // 64
        off = start % 64
        mask = (numba.uint64(1) << numba.uint64(length)) - numba.uint64(1)
        if off + length <= 64:
            return numba.int64((words[wi] >> numba.uint64(64 - off - length)) & mask)
        hi_len = 64 - off
        lo_len = length - hi_len
        hi = words[wi] & ((numba.uint64(1) << numba.uint64(hi_len)) - numba.uint64(1))
        lo = words[wi + 1] >> numba.uint64(64 - lo_len)
        return numba.int64((hi << numba.uint64(lo_len)) | lo)

    @numba.njit(parallel=True, nogil=True, cache=True)
    def _kernel(words, ids, offs, bits, m, nflip, masks, qw, r, out_id, out_d, counts):  # pragma: no cover
        cap = out_id.shape[1]
        for i in numba.prange(qw.shape[0]):
            q0, q1, q2, q3 = qw[i, 0], qw[i, 1], qw[i, 2], qw[i, 3]
            n = 0
            for j in range(m):
                key = _chunk1(q0, q1, q2, q3, j * bits, bits)
                for mk in masks:
                    probe = key ^ mk
                    a = offs[j, probe]
                    b = offs[j, probe + 1]
                    for t in range(a, b):
                        c = ids[j, t]
                        d = 0
                        d += _popcount(words[c, 0] ^ q0)
                        d += _popcount(words[c, 1] ^ q1)
                        d += _popcount(words[c, 2] ^ q2)
                        d += _popcount(words[c, 3] ^ q3)
                        if d > r:
                            continue
                        # reported once: from the first chunk whose probes reach it
                        first = True
                        for jj in range(j):
                            ck = _chunk1(words[c, 0], words[c, 1], words[c, 2], words[c, 3], jj * bits, bits)
                            qk = _chunk1(q0, q1, q2, q3, jj * bits, bits)
                            if _popcount(numba.uint64(ck ^ qk)) <= nflip:
                                first = False
                                break
                        if first:
                            if n < cap:
                                out_id[i, n] = c
                                out_d[i, n] = d
                            n += 1
            counts[i] = n

    @numba.njit(inline="always")
    def _popcount(x):  # pragma: no cover - compiled
        x = x - ((x >> numba.uint64(1)) & numba.uint64(0x5555555555555555))
        x = (x & numba.uint64(0x3333333333333333)) + ((x >> numba.uint64(2)) & numba.uint64(0x3333333333333333))
        x = (x + (x >> numba.uint64(4))) & numba.uint64(0x0F0F0F0F0F0F0F0F)
        return numba.int64((x * numba.uint64(0x0101010101010101)) >> numba.uint64(56))

    _KERNEL = _kernel
else:  # pragma: no cover
    _KERNEL = None
