"""Multi-index hashing over NumPy arrays, batched: exact Hamming radius search for millions of PDQ
hashes.

The 256 bits are cut into ``m`` chunks of ``b`` bits (``m = 256 // b``, ``b`` from a cost model of
probes against bucket sizes: 16 bits at 1M hashes, 23 at 10M). A hash within ``r`` bits of a query
differs in at most ``r // m`` bits on at least one chunk (pigeonhole over the covered bits), so
probing every chunk of the query with all flips of up to ``r // m`` bits finds every such hash;
candidates are then checked on all 256 bits. Each chunk's table is a sorted entry array with bucket
offsets (CSR), so a batch of queries is a handful of vectorised gathers rather than millions of
hash-map lookups, which is where ``faiss.IndexBinaryMultiHash`` spends its time on this machine.

An entry is 16 bytes: the hash's id and a 96-bit fingerprint, the bits that follow the chunk
(wrapping around). A hash within ``r`` bits of the query is within ``r`` on those 96 bits too,
while an unrelated hash is (48 bits apart on average) in 3 of 10,000 cases: the fingerprint rejects
nearly every candidate where it lies, in the bucket's own cache line, and only the survivors' 256
bits are read.

The radius is split unevenly when ``m`` does not divide it (Norouzi et al.'s multi-index hashing):
with ``r = s*m + a``, a hash within ``r`` differs in at most ``s`` bits on one of the first ``a + 1``
chunks or in at most ``s - 1`` bits on one of the others, so the last chunks are probed with fewer
flips (at 10M hashes and r = 31: 2,794 probes a query instead of 3,047). The probes depend on the
search radius only, so one table serves any radius.

With Numba installed (a dependency), the search runs as a compiled kernel, in parallel over queries.
Its cost is random memory reads (at 10M hashes the tables are 2.4 GB, each probe a cache miss), so
a query's probes go through a three-stage software pipeline, 64 probes a step, each stage
prefetching for the next: probe keys (prefetching their bucket offsets), bounds of the non-empty
buckets (prefetching their entries, without a branch), the fingerprint check of every entry, and
the 256-bit check of the few that pass. Dozens of misses are then in flight at once instead of
one; this is worth 2-3x over the plain loop on this project's 2-core machine, the fingerprints
another 1.8x at 10M hashes (a query's candidates no longer each cost a read of their own), and the
pipeline (prefetches issued a step ahead rather than a whole query ahead, where many were dropped)
another 10-15%. A hash found through several chunks is reported only from the first chunk that
can find it. The NumPy path checks every candidate on its 256 bits; both return the same pairs.
"""

from __future__ import annotations

import itertools
import math
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
    """Every mask of up to ``nflip`` of ``b`` bits, by number of bits: the first ``sum(C(b, k), k <= t)``
    masks are those of up to ``t`` bits."""
    masks = [0]
    for k in range(1, nflip + 1):
        for bits in itertools.combinations(range(b), k):
            masks.append(sum(1 << i for i in bits))
    return np.array(masks, dtype=np.int64)


def chunk_radii(radius: int, m: int) -> np.ndarray:
    """Flips probed on each of ``m`` chunks so that every hash within ``radius`` is found: with
    ``radius = s*m + a``, ``s`` on the first ``a + 1`` chunks and ``s - 1`` on the rest (-1: not probed)."""
    s, a = divmod(radius, m)
    return np.array([s if j <= a else s - 1 for j in range(m)], dtype=np.int64)


FP_BITS = 96  # fingerprint bits per entry, the ones after the entry's chunk


def _bits32(words: np.ndarray, start: int) -> np.ndarray:
    """Bits [start, start+32) of each hash, wrapping past bit 255, as uint32."""
    wi, off = divmod(start % 256, 64)
    mask = np.uint64(0xFFFFFFFF)
    if off <= 32:
        return ((words[:, wi] >> np.uint64(32 - off)) & mask).astype(np.uint32)
    nxt = words[:, (wi + 1) % 4] >> np.uint64(96 - off)
    return (((words[:, wi] << np.uint64(off - 32)) | nxt) & mask).astype(np.uint32)


def choose_bits(n: int) -> int:
    """Chunk width minimising the cache lines a query reads at radius 31: a bucket offset a probe, and
    the entries (4 to a line) of each non-empty bucket."""

    def cost(b: int) -> float:
        probes = sum(math.comb(b, k) for rj in chunk_radii(31, 256 // b) for k in range(rj + 1))
        load = n / 2**b
        return probes * (1 + (1 - math.exp(-load)) + load / 4)

    return min(range(16, 25), key=cost)


class MIHTable:
    def __init__(
        self,
        hashes: np.ndarray,
        radius: int,
        bits: int | None = None,
        tables: tuple[np.ndarray, np.ndarray] | None = None,
    ):
        """``tables``: the (entries, offsets) arrays of an earlier build of the same hashes and ``bits``
        (``tables()``), which skips the sort; checked for shape and totals."""
        n = len(hashes)
        self.bits = bits or choose_bits(n)
        if not 1 <= self.bits <= 256 - FP_BITS:
            raise ValueError(f"chunk bits must be 1..{256 - FP_BITS}")
        self.m = 256 // self.bits
        self.radius = radius
        self.words = _words(hashes)
        nb = 1 << self.bits
        if tables is not None:
            ent, offs = tables
            if ent.shape != (self.m, n, 4) or offs.shape != (self.m, nb + 1) or np.any(offs[:, -1] != n):
                raise ValueError(f"saved tables do not fit {n} hashes of {self.bits}-bit chunks")
            self._ent2, self._offs2 = ent, offs
        else:
            # one (m, N, 4) uint32 entry table (fingerprint words, id) and one (m, 2^b + 1) offset table
            self._ent2 = np.empty((self.m, n, 4), dtype=np.uint32)
            self._offs2 = np.zeros((self.m, nb + 1), dtype=np.int32)
            row = np.empty((n, 4), dtype=np.uint32)
            row[:, 3] = np.arange(n, dtype=np.uint32)
            for j in range(self.m):
                keys = _chunk(self.words, j * self.bits, self.bits)
                for k in range(3):
                    row[:, k] = _bits32(self.words, (j + 1) * self.bits + 32 * k)
                np.take(row, np.argsort(keys, kind="stable"), axis=0, out=self._ent2[j])
                np.cumsum(np.bincount(keys, minlength=nb), out=self._offs2[j, 1:])
        self.ids: list[np.ndarray] = [self._ent2[j, :, 3] for j in range(self.m)]
        self.offsets: list[np.ndarray] = list(self._offs2)
        self._probes: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._flat_probes: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def __len__(self) -> int:
        return len(self.words)

    def tables(self) -> tuple[np.ndarray, np.ndarray]:
        """The (entries, offsets) arrays, to persist beside the hashes."""
        return self._ent2, self._offs2

    def nbytes(self) -> int:
        return self.words.nbytes + self._ent2.nbytes + self._offs2.nbytes

    def probes(self, r: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(flips per chunk, probes per chunk, flip masks) for radius ``r``."""
        if r not in self._probes:
            radii = chunk_radii(r, self.m)
            counts = np.array([sum(math.comb(self.bits, k) for k in range(rj + 1)) for rj in radii], dtype=np.int64)
            self._probes[r] = (radii, counts, _flip_masks(self.bits, int(max(radii.max(), 0))))
        return self._probes[r]

    def flat_probes(self, r: int) -> tuple[np.ndarray, np.ndarray]:
        """(chunk, flip mask) of every probe a query makes at radius ``r``, chunk by chunk."""
        if r not in self._flat_probes:
            _radii, counts, masks = self.probes(r)
            chunk = np.repeat(np.arange(self.m, dtype=np.int64), counts)
            self._flat_probes[r] = (chunk, np.concatenate([masks[:k] for k in counts]))
        return self._flat_probes[r]

    def search(
        self, queries: np.ndarray, radius: int | None = None, batch: int = 128, threads: int | None = None
    ) -> list[list[tuple[int, int]]]:
        """Every hash within ``radius`` (default: the table's) of each query, as [(index, distance)] by
        distance then index. The compiled kernel parallelises over the queries itself: one call per
        4,096 queries (bounds its result buffers). The NumPy path runs batches on a thread pool (NumPy
        releases the GIL in the gathers)."""
        r = self.radius if radius is None else radius
        if r < 0:
            raise ValueError("radius must be >= 0")
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
        radii = self.probes(r)[0]
        probe_chunk, probe_mask = self.flat_probes(r)
        out_id = np.empty((len(qw), cap), dtype=np.int64)
        out_d = np.empty((len(qw), cap), dtype=np.int64)
        counts = np.zeros(len(qw), dtype=np.int64)
        blocks = min(len(qw), 8 * (numba.get_num_threads() if numba is not None else 1))
        args = (
            self.words,
            self._ent2,
            self._offs2,
            self.bits,
            radii,
            probe_chunk,
            probe_mask,
            qw,
            r,
            out_id,
            out_d,
            counts,
        )
        _KERNEL(*args, blocks)
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
        _radii, nprobe, all_masks = self.probes(r)
        qidx_parts, cand_parts = [], []
        for j in range(self.m):
            masks = all_masks[: nprobe[j]]
            if not len(masks):
                continue
            qkeys = _chunk(qw, j * self.bits, self.bits)
            probes = (qkeys[:, None] ^ masks[None, :]).ravel()
            offs = self.offsets[j]
            starts = offs[probes]
            lens = offs[probes + 1] - starts
            total = int(lens.sum())
            if not total:
                continue
            nonzero = lens > 0
            starts, lens = starts[nonzero], lens[nonzero]
            probe_q = np.repeat(np.arange(nq), len(masks))[nonzero]
            run_start = np.cumsum(lens) - lens
            pos = np.arange(total) - np.repeat(run_start, lens) + np.repeat(starts, lens)
            cand_parts.append(self.ids[j][pos].astype(np.int64))
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
_BUF = 8192  # candidates gathered per query before they are checked
_STEP = 64  # probes a pipeline step of the kernel

if numba is not None:
    from llvmlite import ir as _ir
    from numba.core import cgutils as _cgutils
    from numba.core import types as _types
    from numba.extending import intrinsic as _intrinsic

    @_intrinsic
    def _prefetch(typingctx, arr, i, j):  # pragma: no cover - compiled
        """A read prefetch of ``arr[i, j]`` into all cache levels (LLVM's llvm.prefetch; never faults)."""
        sig = _types.void(arr, i, j)

        def codegen(context, builder, signature, args):
            aryty = signature.args[0]
            ary = context.make_array(aryty)(context, builder, args[0])
            idx = [context.cast(builder, v, t, _types.intp) for v, t in zip(args[1:], signature.args[1:], strict=True)]
            ptr = _cgutils.get_item_pointer(context, builder, aryty, ary, idx, wraparound=False)
            i8p = _ir.IntType(8).as_pointer()
            i32 = _ir.IntType(32)
            fnty = _ir.FunctionType(_ir.VoidType(), [i8p, i32, i32, i32])
            fn = builder.module.declare_intrinsic("llvm.prefetch", [i8p], fnty)
            builder.call(fn, [builder.bitcast(ptr, i8p), i32(0), i32(3), i32(1)])
            return context.get_dummy_value()

        return sig, codegen

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

    @numba.njit(inline="always")
    def _bits32_1(w0, w1, w2, w3, start):  # pragma: no cover - compiled
        """Bits [start, start+32) of one hash, wrapping past bit 255 (as ``_bits32``)."""
        words = (w0, w1, w2, w3, w0)
        p = start % 256
        wi = p // 64
        off = p % 64
        mask = numba.uint64(0xFFFFFFFF)
        if off <= 32:
            return (words[wi] >> numba.uint64(32 - off)) & mask
        return ((words[wi] << numba.uint64(off - 32)) | (words[wi + 1] >> numba.uint64(96 - off))) & mask

    @numba.njit(inline="always")
    def _popcount(x):  # pragma: no cover - compiled
        x = x - ((x >> numba.uint64(1)) & numba.uint64(0x5555555555555555))
        x = (x & numba.uint64(0x3333333333333333)) + ((x >> numba.uint64(2)) & numba.uint64(0x3333333333333333))
        x = (x + (x >> numba.uint64(4))) & numba.uint64(0x0F0F0F0F0F0F0F0F)
        return numba.int64((x * numba.uint64(0x0101010101010101)) >> numba.uint64(56))

    @numba.njit(nogil=True, cache=True)
    def _check(words, bits, radii, qw, i, r, cand, chunk_of, nc, out_id, out_d, n):  # pragma: no cover
        """The 256-bit check of ``nc`` gathered candidates of query ``i``; returns the new match count."""
        q0, q1, q2, q3 = qw[i, 0], qw[i, 1], qw[i, 2], qw[i, 3]
        cap = out_id.shape[1]
        for u in range(nc):
            c = cand[u]
            w0, w1, w2, w3 = words[c, 0], words[c, 1], words[c, 2], words[c, 3]
            d = _popcount(w0 ^ q0) + _popcount(w1 ^ q1) + _popcount(w2 ^ q2) + _popcount(w3 ^ q3)
            if d > r:
                continue
            # reported once: from the first chunk whose probes reach it
            first = True
            for jj in range(chunk_of[u]):
                ck = _chunk1(w0, w1, w2, w3, jj * bits, bits)
                qk = _chunk1(q0, q1, q2, q3, jj * bits, bits)
                if _popcount(numba.uint64(ck ^ qk)) <= radii[jj]:
                    first = False
                    break
            if first:
                if n < cap:
                    out_id[i, n] = c
                    out_d[i, n] = d
                n += 1
        return n

    @numba.njit(parallel=True, nogil=True, cache=True)
    def _kernel(
        words, ent, offs, bits, radii, probe_chunk, probe_mask, qw, r, out_id, out_d, counts, nblocks
    ):  # pragma: no cover
        nq = qw.shape[0]
        m = radii.shape[0]
        total = probe_chunk.shape[0]
        nsteps = (total + _STEP - 1) // _STEP
        per = (nq + nblocks - 1) // nblocks
        for blk in numba.prange(nblocks):
            probe = np.empty(total, np.int64)
            lo = np.empty(total, np.int64)
            hi = np.empty(total, np.int64)
            run_chunk = np.empty(total, np.int64)
            runs_end = np.empty(nsteps + 1, np.int64)
            cand = np.empty(_BUF, np.int64)
            chunk_of = np.empty(_BUF, np.int64)
            keys = np.empty(m, np.int64)
            qfp = np.empty((m, 2), np.uint64)  # the query's fingerprint for each chunk
            for i in range(blk * per, min(nq, (blk + 1) * per)):
                q0, q1, q2, q3 = qw[i, 0], qw[i, 1], qw[i, 2], qw[i, 3]
                for j in range(m):
                    keys[j] = _chunk1(q0, q1, q2, q3, j * bits, bits)
                    f = (j + 1) * bits
                    qfp[j, 0] = (_bits32_1(q0, q1, q2, q3, f) << numba.uint64(32)) | _bits32_1(q0, q1, q2, q3, f + 32)
                    qfp[j, 1] = _bits32_1(q0, q1, q2, q3, f + 64)
                n = 0
                nc = 0
                y = 0
                runs_end[0] = 0
                # a three-stage pipeline over steps of _STEP probes: step s computes its probe keys while
                # the bucket bounds of step s-1 and the entries of step s-2, prefetched, arrive
                for step in range(nsteps + 2):
                    if step < nsteps:  # stage 1: probe keys; their bucket offsets are fetched
                        for x in range(step * _STEP, min(total, (step + 1) * _STEP)):
                            j = probe_chunk[x]
                            p = keys[j] ^ probe_mask[x]
                            probe[x] = p
                            _prefetch(offs, j, p)
                    s2 = step - 1
                    if 0 <= s2 < nsteps:  # stage 2: the non-empty buckets' runs; their entries are fetched
                        for x in range(s2 * _STEP, min(total, (s2 + 1) * _STEP)):
                            j = probe_chunk[x]
                            a = offs[j, probe[x]]
                            e = offs[j, probe[x] + 1]
                            # branch-free: a mispredicted branch on a value still in flight would
                            # discard the other reads in flight with it
                            lo[y] = a
                            hi[y] = e
                            run_chunk[y] = j
                            full = e > a
                            _prefetch(ent, j, a if full else 0)
                            _prefetch(ent, j, e - 1 if full else 0)  # a run may cross a cache line
                            y += numba.int64(full)
                        runs_end[s2 + 1] = y
                    s3 = step - 2
                    if 0 <= s3 < nsteps:  # stage 3: fingerprints; survivors are checked on 256 bits
                        for z in range(runs_end[s3], runs_end[s3 + 1]):
                            j = run_chunk[z]
                            f0 = qfp[j, 0]
                            f1 = qfp[j, 1]
                            for t in range(lo[z], hi[z]):
                                e0 = (numba.uint64(ent[j, t, 0]) << numba.uint64(32)) | numba.uint64(ent[j, t, 1])
                                if _popcount(e0 ^ f0) + _popcount(numba.uint64(ent[j, t, 2]) ^ f1) > r:
                                    continue
                                cand[nc] = ent[j, t, 3]
                                chunk_of[nc] = j
                                _prefetch(words, cand[nc], 0)
                                nc += 1
                                if nc == _BUF:
                                    n = _check(words, bits, radii, qw, i, r, cand, chunk_of, nc, out_id, out_d, n)
                                    nc = 0
                n = _check(words, bits, radii, qw, i, r, cand, chunk_of, nc, out_id, out_d, n)
                counts[i] = n

    _KERNEL = _kernel
else:  # pragma: no cover
    _KERNEL = None
