"""Graph jobs at scale: build + expansion + co-follow clusters + evasion linking on a synthetic graph
(default 1M accounts, 20M edges: heavy-tailed follows among a benign population, planted advert
networks that follow the same hubs and repost each other, suspended accounts and their evaders),
with peak memory, and the ratio against networkx on a 100k-account slice measured in the same run.

    python benchmarks/bench_graph.py                         # 1M accounts, 20M edges
    python benchmarks/bench_graph.py --accounts 100000 --edges 2000000
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np

from csewatch.graph.build import KINDS, AccountGraph, graph_from_edges
from csewatch.graph.clusters import cofollow_clusters
from csewatch.graph.evasion import Profile, link_profiles
from csewatch.graph.expand import expand


def synth_graph(n: int, m: int, seed: int = 7):
    rng = np.random.default_rng(seed)
    n_net = max(10, n // 10_000)  # planted networks of 30 members, each following 15 hubs
    net_size, hub_size = 30, 15
    members = rng.choice(n, size=(n_net, net_size + hub_size), replace=False)
    src_parts, dst_parts, kind_parts = [], [], []
    follow, repost = KINDS.index("follow"), KINDS.index("repost")
    for row in members:
        net, hubs = row[:net_size], row[net_size:]
        s = np.repeat(net, hub_size)
        d = np.tile(hubs, net_size)
        keep = rng.random(len(s)) < 0.8
        src_parts += [s[keep]]
        dst_parts += [d[keep]]
        kind_parts += [np.full(int(keep.sum()), follow)]
        rs = rng.choice(net, 60)
        rd = rng.choice(net, 60)
        src_parts += [rs]
        dst_parts += [rd]
        kind_parts += [np.full(60, repost)]
    planted = sum(len(p) for p in src_parts)
    rest = m - planted
    # heavy-tailed popularity: targets drawn from a Zipf-like distribution over account ids
    # network members are automated: they follow their network, not the wider population
    in_network = np.zeros(n, dtype=bool)
    in_network[members[:, :net_size].ravel()] = True
    rand_src = rng.integers(0, n, rest)
    for _ in range(3):
        bad = in_network[rand_src]
        rand_src[bad] = rng.integers(0, n, int(bad.sum()))
    src_parts.append(rand_src)
    dst_parts.append(np.minimum((rng.pareto(1.1, rest) * n / 200).astype(np.int64), n - 1))
    kinds = rng.choice([follow, repost, KINDS.index("reply"), KINDS.index("mention")], rest, p=[0.8, 0.1, 0.07, 0.03])
    kind_parts.append(kinds)
    return (np.concatenate(src_parts), np.concatenate(dst_parts), np.concatenate(kind_parts), members, net_size)


def profiles(n_suspended: int, members: np.ndarray, net_size: int, n: int, seed: int = 7):
    """Suspended network members, their evaders (handle and bio alike), and look-alike decoys."""
    rng = np.random.default_rng(seed)
    words = ["vids", "folder", "links", "pack", "trade", "sell", "daily", "new", "stuff", "prices", "tg"]
    suspended, others, truth = [], [], {}
    for k in range(n_suspended):
        v = int(members[k % len(members)][k // len(members) % net_size])
        stem = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), 7))
        bio = set(rng.choice(words, 5))
        suspended.append(Profile(f"x:{v}", f"{stem}{k}", stem, "", bio, {f"t.me/{stem}"}, None, 1.0))
        e = n + k  # the evader is a new vertex
        others.append(Profile(f"x:{e}", f"{stem}_new", stem, "", bio, set(), None, 2_000_000.0, announced=True))
        truth[f"x:{e}"] = f"x:{v}"
        decoy = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyz"), 7))
        others.append(
            Profile(f"x:{n + n_suspended + k}", decoy, decoy, "", set(rng.choice(words, 5)), set(), None, 2_000_000.0)
        )
    return suspended, others, truth


def run(n: int, m: int, seeds: int, label: str) -> dict:
    t0 = time.perf_counter()
    src, dst, kind, members, net_size = synth_graph(n, m)
    gen = time.perf_counter() - t0
    n_total = n + 2 * seeds  # room for evaders and decoys
    t0 = time.perf_counter()
    g_ig, follow_csr = graph_from_edges(n_total, src, dst, kind)
    names = [f"x:{i}" for i in range(n_total)]
    g = AccountGraph(names, {k: i for i, k in enumerate(names)}, g_ig, follow_csr)
    build = time.perf_counter() - t0
    suspended, others, truth = profiles(seeds, members, net_size, n)
    t0 = time.perf_counter()
    hits = expand(g, [p.key for p in suspended], top=1000)
    t_expand = time.perf_counter() - t0
    planted = {f"x:{int(v)}" for row in members for v in row}
    t0 = time.perf_counter()
    clusters = cofollow_clusters(g)
    t_clusters = time.perf_counter() - t0
    t0 = time.perf_counter()
    links = link_profiles(suspended, others, g)
    t_evasion = time.perf_counter() - t0
    correct = sum(1 for x in links if truth.get(x.account) == x.predecessor)
    # false links split by kind: a suspended account linked to another suspended one (the generated
    # suspended accounts are created inside the linking window, so each may be a "later evader" of
    # another member of its network) or a decoy / evader linked to the wrong predecessor
    suspended_keys = {p.key for p in suspended}
    false_links = [x for x in links if truth.get(x.account) != x.predecessor]
    between_suspended = sum(1 for x in false_links if x.account in suspended_keys)
    clustered = {g.names[v] for c in clusters for v in c.members}
    print(f"{label}: {n:,} accounts, {g.graph.ecount():,} merged edges from {len(src):,} (generated in {gen:.1f}s)")
    print(
        f"  build {build:.1f}s, expansion {t_expand:.1f}s ({sum(1 for h in hits if h.account in planted)} of top "
        f"{len(hits)} in planted networks), clusters {t_clusters:.1f}s ({len(clusters)} clusters, "
        f"{len(clustered & planted)}/{len(clustered)} clustered accounts planted), evasion {t_evasion:.1f}s "
        f"({correct}/{len(truth)} evaders linked, {len(false_links)} false links: {between_suspended} between two "
        f"suspended accounts, {len(false_links) - between_suspended} to a decoy or the wrong predecessor)"
    )
    total = build + t_expand + t_clusters + t_evasion
    print(f"  total build+expansion+clusters+evasion: {total:.1f}s")
    return {"src": src, "dst": dst, "kind": kind, "n": n, "total": total, "build": build, "expand": t_expand}


def networkx_baseline(src, dst, kind, n: int, seeds: list[int]) -> float:
    import networkx as nx

    from csewatch.graph.build import WEIGHTS

    weights = np.array([WEIGHTS[k] for k in KINDS])[kind]
    t0 = time.perf_counter()
    g = nx.Graph()
    g.add_nodes_from(range(n))
    for a, b, w in zip(src.tolist(), dst.tolist(), weights.tolist(), strict=True):
        if a == b:
            continue
        if g.has_edge(a, b):
            g[a][b]["weight"] += w
        else:
            g.add_edge(a, b, weight=w)
    nx.pagerank(g, personalization={s: 1.0 for s in seeds}, weight="weight")
    nx.pagerank(g, weight="weight")
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--accounts", type=int, default=1_000_000)
    ap.add_argument("--edges", type=int, default=20_000_000)
    ap.add_argument("--slice", type=int, default=100_000)
    args = ap.parse_args()
    run(args.accounts, args.edges, seeds=max(50, args.accounts // 2000), label="csewatch")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:,.0f} MiB")
    ratio_edges = args.edges * args.slice // args.accounts
    small = run(args.slice, ratio_edges, seeds=max(50, args.slice // 2000), label="slice (ours)")
    ours = small["build"] + small["expand"]
    seeds = list(range(0, args.slice, max(1, args.slice // 50)))
    nx_time = networkx_baseline(small["src"], small["dst"], small["kind"], args.slice, seeds)
    print(
        f"networkx on the same {args.slice:,}-account slice, build + personalized and global PageRank: "
        f"{nx_time:.1f}s; csewatch build + expansion on it: {ours:.1f}s; ratio {nx_time / ours:.1f}x"
    )


if __name__ == "__main__":
    main()
