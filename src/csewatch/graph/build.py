"""The account graph: one vertex per account, undirected weighted edges from stored interactions
(follow, repost, reply, quote, mention) and derived ones (the same off-platform invite link, the
same media hash, the same normalized text from different accounts), built with igraph."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import igraph as ig
import orjson
from sqlalchemy import select

from csewatch.detect.links import LinkMatcher
from csewatch.normalize import Normalizer
from csewatch.policy import Policy
from csewatch.store import Store
from csewatch.store import schema as S

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


@dataclass
class AccountGraph:
    names: list[str]
    index: dict[str, int]
    graph: ig.Graph
    follows: dict[int, set[int]] = field(default_factory=dict)  # vertex -> vertices it follows
    shared: dict[str, list[int]] = field(default_factory=dict)  # "link:t.me/x" -> accounts that posted it

    def vertex(self, key: str) -> int | None:
        return self.index.get(key)

    def edge_kinds(self, u: int, v: int) -> list[str]:
        eid = self.graph.get_eid(u, v, error=False)
        return [] if eid < 0 else self.graph.es[eid]["kinds"].split(",")


def build_graph(
    store: Store, policy: Policy, weights: dict[str, float] | None = None, derived: bool = True
) -> AccountGraph:
    w = {**WEIGHTS, **(weights or {})}
    names: list[str] = []
    index: dict[str, int] = {}

    def vid(key: str) -> int:
        i = index.get(key)
        if i is None:
            i = index[key] = len(names)
            names.append(key)
        return i

    with store.engine.connect() as conn:
        for platform, aid in conn.execute(select(S.accounts.c.platform, S.accounts.c.id)):
            vid(f"{platform}:{aid}")
        author = {(p, i): a for p, i, a in conn.execute(select(S.posts.c.platform, S.posts.c.id, S.posts.c.author_id))}
        pair_w: dict[tuple[int, int], float] = defaultdict(float)
        pair_k: dict[tuple[int, int], set[str]] = defaultdict(set)
        follows: dict[int, set[int]] = defaultdict(set)

        def link(a: int, b: int, kind: str) -> None:
            if a == b:
                return
            k = (a, b) if a < b else (b, a)
            pair_w[k] += w.get(kind, 1.0)
            pair_k[k].add(kind)

        for platform, kind, src, dst in conn.execute(
            select(S.edges.c.platform, S.edges.c.kind, S.edges.c.src, S.edges.c.dst)
        ):
            a = vid(f"{platform}:{src}")
            if kind in ("follow", "mention"):
                b = vid(f"{platform}:{dst}")
            else:  # repost, reply, quote point at a post: link to its author
                target = author.get((platform, dst))
                if target is None:
                    continue
                b = vid(f"{platform}:{target}")
            if kind == "follow":
                follows[a].add(b)
            link(a, b, kind)

        shared: dict[str, list[int]] = {}
        if derived:
            groups: dict[str, set[int]] = defaultdict(set)
            links = LinkMatcher(policy)
            norm = Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)
            q = select(S.posts.c.platform, S.posts.c.author_id, S.posts.c.text, S.posts.c.urls, S.posts.c.media)
            for platform, aid, text, urls, media in conn.execute(q):
                a = vid(f"{platform}:{aid}")
                for t in (text or "", *(orjson.loads(urls) if isinstance(urls, str) else urls or [])):
                    for _s, _e, _svc, lk in links.find(norm.plain(t)):
                        if "/" in lk and not lk.endswith("/"):
                            groups[f"link:{lk}"].add(a)
                for m in orjson.loads(media) if isinstance(media, str) else media or []:
                    h = m.get("sha256") or m.get("pdq")
                    if h:
                        groups[f"media:{h}"].add(a)
                if text and len(text) >= MIN_TEXT_CHARS:
                    groups[f"text:{norm.fold(text).text.strip()}"].add(a)
            for key, members in groups.items():
                if len(members) < 2:
                    continue
                kind = {"link": "co_link", "media": "co_media", "text": "co_text"}[key.split(":", 1)[0]]
                ms = sorted(members)
                shared[key] = ms
                if len(ms) > MAX_GROUP:
                    pairs = [(ms[0], m) for m in ms[1:]]
                else:
                    pairs = [(x, y) for i, x in enumerate(ms) for y in ms[i + 1 :]]
                for x, y in pairs:
                    link(x, y, kind)

    g = ig.Graph(n=len(names), edges=list(pair_w), directed=False)
    g.es["weight"] = list(pair_w.values())
    g.es["kinds"] = [",".join(sorted(pair_k[k])) for k in pair_w]
    g.vs["name"] = names
    return AccountGraph(names, index, g, dict(follows), shared)
