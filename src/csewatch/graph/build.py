"""The account graph: one vertex per account, undirected weighted edges from stored interactions
(follow, repost, reply, quote, mention) and derived ones (the same off-platform invite link, the
same media hash, the same normalized text from different accounts), built with igraph."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import igraph as ig
import numpy as np
import orjson
import scipy.sparse as sp

from csewatch.detect.links import LinkMatcher
from csewatch.keys import entity_key
from csewatch.media.hashtypes import media_link_value
from csewatch.normalize import Normalizer
from csewatch.policy import Policy
from csewatch.store import Store

WEIGHTS = {
    "follow": 1.0,
    "repost": 2.0,
    "reply": 1.0,
    "quote": 1.5,
    "mention": 0.5,
    "co_link": 3.0,
    "co_media": 3.0,
    "co_text": 2.0,
}
MIN_TEXT_CHARS = 25
MAX_GROUP = 200  # a link or text shared by more accounts than this is linked as a star, not a clique


KINDS = list(WEIGHTS)


@dataclass
class AccountGraph:
    names: list[str]
    index: dict[str, int]
    graph: ig.Graph  # undirected; edge attributes "weight" and "kinds" (a bit mask over KINDS)
    follow_csr: sp.csr_matrix  # row v: the accounts v follows
    shared: dict[str, list[int]] = field(default_factory=dict)  # "link:t.me/x" -> accounts that posted it

    def vertex(self, key: str) -> int | None:
        return self.index.get(key)

    def adjacency(self) -> sp.csr_matrix:
        """The undirected graph as a symmetric CSR matrix (cached), for SciPy's graph routines."""
        cached = getattr(self, "_adj", None)
        if cached is None:
            e = np.array(self.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)
            n = self.graph.vcount()
            ones = np.ones(2 * len(e), dtype=np.int8)
            cached = sp.csr_matrix((ones, (np.r_[e[:, 0], e[:, 1]], np.r_[e[:, 1], e[:, 0]])), shape=(n, n))
            self._adj = cached
        return cached

    def follows_of(self, v: int) -> set[int]:
        a, b = self.follow_csr.indptr[v], self.follow_csr.indptr[v + 1]
        return set(self.follow_csr.indices[a:b].tolist())

    def edge_kinds(self, u: int, v: int) -> list[str]:
        eid = self.graph.get_eid(u, v, error=False)
        if eid < 0:
            return []
        mask = self.graph.es[eid]["kinds"]
        return [k for i, k in enumerate(KINDS) if mask >> i & 1]


def graph_from_edges(
    n: int, src: np.ndarray, dst: np.ndarray, kind: np.ndarray, weights: dict[str, float] | None = None
) -> tuple[ig.Graph, sp.csr_matrix]:
    """Undirected weighted graph from typed edge arrays (vectorized: parallel edges are merged, their
    weights summed and their kinds kept as a bit mask), and the follow adjacency as CSR."""
    w = {**WEIGHTS, **(weights or {})}
    src, dst, kind = (np.asarray(x, dtype=np.int64) for x in (src, dst, kind))
    follow = kind == KINDS.index("follow")
    follow_csr = sp.csr_matrix((np.ones(int(follow.sum()), dtype=np.int8), (src[follow], dst[follow])), shape=(n, n))
    follow_csr.sum_duplicates()
    keep = src != dst
    a = np.minimum(src, dst)[keep]
    b = np.maximum(src, dst)[keep]
    k = kind[keep]
    key = a * n + b
    order = np.argsort(key, kind="stable")
    key, k = key[order], k[order]
    wt = np.array([w[x] for x in KINDS])[k]
    bits = np.int64(1) << k
    starts = np.flatnonzero(np.r_[True, key[1:] != key[:-1]]) if len(key) else np.zeros(0, dtype=np.int64)
    uniq = key[starts]
    g = ig.Graph(n=n, edges=np.column_stack([uniq // n, uniq % n]).tolist() if len(uniq) else [], directed=False)
    if len(uniq):
        g.es["weight"] = np.add.reduceat(wt, starts).tolist()
        g.es["kinds"] = np.bitwise_or.reduceat(bits, starts).tolist()
    return g, follow_csr


def build_graph(
    store: Store, policy: Policy, weights: dict[str, float] | None = None, derived: bool = True
) -> AccountGraph:
    names: list[str] = []
    index: dict[str, int] = {}

    def vid(key: str) -> int:
        i = index.get(key)
        if i is None:
            i = index[key] = len(names)
            names.append(key)
        return i

    src: list[int] = []
    dst: list[int] = []
    kinds: list[int] = []
    code = {k: i for i, k in enumerate(KINDS)}

    def link(a: int, b: int, kind: str) -> None:
        src.append(a)
        dst.append(b)
        kinds.append(code[kind])

    # vertex ids follow sorted keys, never the database's row order (or collation): the same data
    # gives the same graph, and so the same clusters, on SQLite and PostgreSQL
    rows = store.graph.graph_rows(with_posts=derived)
    for platform, aid in rows.accounts:
        vid(entity_key(platform, aid))
    author = rows.authors
    for platform, kind, s_id, d_id in rows.edges:
        if kind not in code:
            continue
        a = vid(entity_key(platform, s_id))
        if kind in ("follow", "mention"):
            b = vid(entity_key(platform, d_id))
        else:  # repost, reply, quote point at a post: link to its author
            target = author.get((platform, d_id))
            if target is None:
                continue
            b = vid(entity_key(platform, target))
        link(a, b, kind)

    shared: dict[str, list[int]] = {}
    if derived:
        groups: dict[tuple[str, str], set[int]] = defaultdict(set)  # (what, item) -> accounts
        links = LinkMatcher(policy)
        norm = Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)
        for platform, _pid, aid, text, urls, media in rows.posts:
            a = vid(entity_key(platform, aid))
            for t in (text or "", *(orjson.loads(urls) if isinstance(urls, str) else urls or [])):
                for _s, _e, _svc, lk in links.find(norm.plain(t)):
                    if "/" in lk and not lk.endswith("/"):
                        groups[("link", lk)].add(a)
            for m in orjson.loads(media) if isinstance(media, str) else media or []:
                h = media_link_value(m)
                if h:
                    groups[("media", h)].add(a)
            folded = norm.fold(text).text.strip() if text else ""
            if len(folded) >= MIN_TEXT_CHARS:  # the words themselves, links masked
                groups[("text", folded)].add(a)
        for (what, item), members in groups.items():
            if len(members) < 2:
                continue
            kind = {"link": "co_link", "media": "co_media", "text": "co_text"}[what]
            ms = sorted(members)
            shared[f"{what}:{item}"] = ms
            if len(ms) > MAX_GROUP:  # a star, not a clique
                pairs = [(ms[0], m) for m in ms[1:]]
            else:
                pairs = [(x, y) for i, x in enumerate(ms) for y in ms[i + 1 :]]
            for x, y in pairs:
                link(x, y, kind)

    g, follow_csr = graph_from_edges(len(names), np.array(src), np.array(dst), np.array(kinds), weights)
    g.vs["name"] = names
    return AccountGraph(names, index, g, follow_csr, shared)
