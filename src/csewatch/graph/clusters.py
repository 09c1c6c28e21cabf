"""Clusters of accounts: accounts that follow the same selection of others (MinHash LSH over follow
sets, verified by exact Jaccard, joined into connected components), and Leiden communities of the
weighted interaction graph. A cluster with flagged members becomes one Case a reviewer can decide
in bulk; its evidence is its size, how alike the members' follows are, and what they all follow.

The MinHash signatures are computed for every account at once with NumPy over the follow CSR (one
pass per hash function), which is what lets this run on a million accounts."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from csewatch.graph.build import AccountGraph

_P = (1 << 31) - 1


@dataclass
class Cluster:
    members: list[int]
    mean_jaccard: float
    common_follows: list[tuple[int, int]]  # (followed vertex, how many members follow it)

    def key(self, g: AccountGraph) -> str:
        joined = ",".join(sorted(g.names[m] for m in self.members))
        return "cf-" + hashlib.sha1(joined.encode()).hexdigest()[:16]

    def explanation(self, g: AccountGraph) -> str:
        common = ", ".join(f"{g.names[v]} ({n})" for v, n in self.common_follows[:5])
        return (
            f"{len(self.members)} accounts follow much the same accounts (mean Jaccard "
            f"{self.mean_jaccard:.2f}); most followed in common: {common}"
        )


def minhash_signatures(csr: sp.csr_matrix, rows: np.ndarray, num_perm: int, seed: int = 1) -> np.ndarray:
    """(len(rows), num_perm) MinHash signatures of the column sets of the given non-empty rows."""
    rng = np.random.default_rng(seed)
    a = rng.integers(1, _P, size=num_perm, dtype=np.int64)
    b = rng.integers(0, _P, size=num_perm, dtype=np.int64)
    starts = csr.indptr[rows]
    ends = csr.indptr[rows + 1]
    take = (
        np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)]) if len(rows) else np.zeros(0, int)
    )
    cols = csr.indices[take].astype(np.int64)
    offsets = np.r_[0, np.cumsum(ends - starts)[:-1]]
    sig = np.empty((len(rows), num_perm), dtype=np.int64)
    for i in range(num_perm):
        h = (a[i] * cols + b[i]) % _P
        sig[:, i] = np.minimum.reduceat(h, offsets) if len(cols) else 0
    return sig


def cofollow_clusters(
    g: AccountGraph,
    min_follows: int = 3,
    threshold: float = 0.5,
    num_perm: int = 64,
    bands: int = 16,
    min_size: int = 3,
    max_bucket: int = 300,
) -> list[Cluster]:
    """Connected components of the pairs whose follow sets have Jaccard >= ``threshold``; candidate
    pairs come from MinHash LSH (``bands`` bands of ``num_perm // bands`` rows: an S-curve around
    (1/bands)^(1/rows), 0.5 by default) and are verified exactly with sparse products."""
    csr = g.follow_csr.tocsr()
    csr.data = np.ones_like(csr.data)
    degree = np.diff(csr.indptr)
    rows = np.flatnonzero(degree >= min_follows)
    if len(rows) < 2:
        return []
    sig = minhash_signatures(csr, rows, num_perm)
    r = num_perm // bands
    pi_parts, pj_parts = [], []
    for band in range(bands):
        block = sig[:, band * r : (band + 1) * r]
        key = np.zeros(len(rows), dtype=np.int64)
        for c in range(r):
            key = key * np.int64(1_000_003) + block[:, c]  # wraps on overflow: a hash, not a number
        order = np.argsort(key, kind="stable")
        ks = key[order]
        bounds = np.flatnonzero(np.r_[True, ks[1:] != ks[:-1], True])
        sizes = np.diff(bounds)
        for b in np.flatnonzero((sizes >= 2) & (sizes <= max_bucket)).tolist():
            members = order[bounds[b] : bounds[b + 1]]
            a, c = np.triu_indices(len(members), 1)
            pi_parts.append(members[a])
            pj_parts.append(members[c])
    if not pi_parts:
        return []
    pair = np.unique(
        np.minimum(np.concatenate(pi_parts), np.concatenate(pj_parts)).astype(np.int64) * len(rows)
        + np.maximum(np.concatenate(pi_parts), np.concatenate(pj_parts))
    )
    pi, pj = pair // len(rows), pair % len(rows)
    x = csr[rows]
    inter = np.asarray(x[pi].multiply(x[pj]).sum(axis=1)).ravel()
    size = degree[rows]
    jac = inter / (size[pi] + size[pj] - inter)
    keep = jac >= threshold
    if not keep.any():
        return []
    ki, kj, kw = pi[keep], pj[keep], jac[keep]
    adj = sp.coo_matrix((kw, (ki, kj)), shape=(len(rows), len(rows)))
    _n, labels = connected_components(adj, directed=False)
    comp_of_pair = labels[ki]
    out = []
    for comp, n in Counter(labels.tolist()).items():
        if n < min_size:
            continue
        idx = np.flatnonzero(labels == comp)
        members = sorted(int(rows[i]) for i in idx)
        common = Counter(int(f) for i in idx for f in csr.indices[csr.indptr[rows[i]] : csr.indptr[rows[i] + 1]])
        out.append(
            Cluster(
                members, float(kw[comp_of_pair == comp].mean()), [(v, c) for v, c in common.most_common(10) if c >= 2]
            )
        )
    return sorted(out, key=lambda c: (-len(c.members), c.members))


def leiden_communities(g: AccountGraph, resolution: float = 1.0, seed: int = 1) -> list[int]:
    """Community id of every account (Leiden, modularity with a resolution, on the weighted graph)."""
    import leidenalg

    part = leidenalg.find_partition(
        g.graph, leidenalg.RBConfigurationVertexPartition, weights="weight", resolution_parameter=resolution, seed=seed
    )
    return list(part.membership)
