"""Graph jobs on small graphs whose right answer is known."""

from csewatch.graph.build import build_graph
from csewatch.graph.evasion import link_evaders
from csewatch.graph.expand import default_seeds, expand
from csewatch.graph.findings import save_evasion, save_expansion
from csewatch.model import Account, Edge, Post
from csewatch.store import Batch, Store
from csewatch.triage import Triage


def _store(tmp_path, policy, accounts, edges=(), posts=()):
    store = Store(str(tmp_path / "g.db"), policy.version)
    batch = Batch(
        source="test", position=1, line=1, fmt="native", accounts=list(accounts), edges=list(edges), posts=list(posts)
    )
    store.commit_batch(batch, Triage(policy))
    return store


def acc(i, **kw):
    return Account(id=i, platform="native", **kw)


def test_graph_build_interactions_and_derived_links(tmp_path, policy):
    store = _store(
        tmp_path,
        policy,
        [acc("a"), acc("b"), acc("c"), acc("d")],
        edges=[Edge("native", "follow", "a", "b"), Edge("native", "reply", "c", "pb1")],
        posts=[
            Post(id="pb1", platform="native", author_id="b", text="hello"),
            Post(id="p2", platform="native", author_id="a", text="files at t.me/joinchat/XyZ123"),
            Post(id="p3", platform="native", author_id="d", text="same t.me/joinchat/XyZ123 here"),
        ],
    )
    g = build_graph(store, policy)
    a, b, c, d = (g.vertex(f"native:{x}") for x in "abcd")
    assert g.edge_kinds(a, b) == ["follow"] and g.follows_of(a) == {b}
    assert g.edge_kinds(c, b) == ["reply"]  # the reply points at b's post: c is linked to b
    assert g.edge_kinds(a, d) == ["co_link"]
    assert g.shared["link:t.me/joinchat/xyz123"] == sorted([a, d])


def test_expansion_ranks_the_closely_tied_account_first_and_explains_the_path(tmp_path, policy):
    accounts = [acc("seed", status="suspended"), acc("near"), acc("far"), acc("hub"), acc("lonely")]
    accounts += [acc(f"fan{i}") for i in range(6)]
    edges = [
        Edge("native", "repost", "near", "ps"),
        Edge("native", "follow", "near", "seed"),
        Edge("native", "follow", "far", "near"),
    ]
    edges += [Edge("native", "follow", f"fan{i}", "hub") for i in range(6)]  # a popular, unrelated account
    edges += [Edge("native", "follow", "seed", "hub")]
    posts = [Post(id="ps", platform="native", author_id="seed", text="x")]
    store = _store(tmp_path, policy, accounts, edges, posts)
    g = build_graph(store, policy, derived=False)
    assert default_seeds(store) == ["native:seed"]
    hits = expand(g, ["native:seed"], top=5)
    assert hits[0].account == "native:near"
    assert hits[0].path == [("native:seed", "seed"), ("native:near", "follow+repost")]
    far = next(h for h in hits if h.account == "native:far")
    assert [p[0] for p in far.path] == ["native:seed", "native:near", "native:far"]
    assert "native:lonely" not in {h.account for h in hits}
    assert save_expansion(store, Triage(policy), hits) == len(hits)
    assert store.case("native:account:near").category == "network_expansion"


def test_evasion_links_the_returning_account_with_evidence(tmp_path, policy):
    old = acc(
        "old",
        handle="vidz_seller77",
        display_name="V Seller",
        bio="new stuff daily, prices in tg t.me/vzs01",
        status="suspended",
        created_at=1000.0,
    )
    new = acc(
        "new",
        handle="vidz_seller_back",
        display_name="V Seller",
        bio="new stuff daily, prices in tg t.me/vzs01",
        created_at=900_000.0,
    )
    unrelated = acc(
        "garden", handle="green_thumbs", display_name="Gardener", bio="tomatoes and roses", created_at=900_100.0
    )
    lookalike = acc("other", handle="vidz_seller_fan", display_name="Fan", bio="i like films", created_at=900_200.0)
    hub = [acc(f"h{i}") for i in range(4)]
    edges = [Edge("native", "follow", x, f"h{i}") for x in ("old", "new") for i in range(4)]
    store = _store(tmp_path, policy, [old, new, unrelated, lookalike, *hub], edges)
    g = build_graph(store, policy)
    links = link_evaders(store, policy, g)
    assert [(x.account, x.predecessor) for x in links] == [("native:new", "native:old")]
    ev = links[0].evidence
    assert {"handle", "display_name", "bio", "links", "follows"} <= set(ev)
    assert ev["links"] == "t.me/vzs01" and ev["follows"].startswith("1.00")
    assert save_evasion(store, Triage(policy), links) == 1
    case = store.case("native:account:new")
    assert case.category == "ban_evasion" and case.severity == 4
    (sig,) = store.subject_signals("native", "account", "new")
    assert sig["indicator"] == "ban_evasion" and any(e["rule"] == "evasion:predecessor" for e in sig["evidence"])


def test_evasion_follows_a_chain_of_suspended_accounts(tmp_path, policy):
    """An evader that was suspended in turn is linked to its own predecessor, and its successor to it:
    not the successor to the first account, nor the first account to a later one."""
    bio = "new stuff daily, prices in tg t.me/vzs01"
    first = acc("first", handle="vidz_seller77", display_name="V Seller", bio=bio, status="suspended", created_at=1e3)
    second = acc(
        "second", handle="vidz_seller_back", display_name="V Seller", bio=bio, status="suspended",
        created_at=9e5, avatar_hash="a" * 16,
    )  # fmt: skip
    third = acc(
        "third", handle="vidz_seller_bkp", display_name="V Seller", bio=bio, created_at=9.5e5, avatar_hash="a" * 16
    )
    store = _store(tmp_path, policy, [first, second, third])
    links = {(x.account, x.predecessor) for x in link_evaders(store, policy, build_graph(store, policy))}
    assert links == {("native:second", "native:first"), ("native:third", "native:second")}


def test_evasion_discounts_handle_stems_many_accounts_share(tmp_path, policy):
    old = acc("old", handle="noah_art1", display_name="Noah", status="suspended", created_at=1.0)
    others = [acc(f"n{i}", handle=f"noah_art{100 + i}", display_name="Noah", created_at=2.0) for i in range(12)]
    store = _store(tmp_path, policy, [old, *others])
    assert link_evaders(store, policy, build_graph(store, policy)) == []


def test_cofollow_clusters_find_the_group_and_make_one_case(tmp_path, policy):
    from csewatch.graph.clusters import cofollow_clusters, leiden_communities
    from csewatch.graph.findings import save_clusters

    group = [acc(f"g{i}", status="suspended" if i == 0 else None) for i in range(6)]
    hubs = [acc(f"hub{i}") for i in range(5)]
    loners = [acc(f"l{i}") for i in range(6)]  # each follows three accounts of its own, and one hub
    edges = [Edge("native", "follow", f"g{i}", f"hub{j}") for i in range(6) for j in range(5) if (i + j) % 7]
    edges += [Edge("native", "follow", f"l{i}", f"x{i}_{k}") for i in range(6) for k in range(3)]
    edges += [Edge("native", "follow", f"l{i}", "hub0") for i in range(6)]
    store = _store(tmp_path, policy, group + hubs + loners, edges)
    g = build_graph(store, policy)
    clusters = cofollow_clusters(g, threshold=0.5, num_perm=64, bands=32)
    assert [sorted(g.names[m] for m in c.members) for c in clusters] == [[f"native:g{i}" for i in range(6)]]
    assert clusters[0].common_follows[0][1] >= 5 and "follow much the same" in clusters[0].explanation(g)
    assert save_clusters(store, Triage(policy), g, clusters) == 1
    (case,) = store.top_cases(subject_type="cluster")
    assert case.category == "network_cluster" and case.reach == 6
    membership = leiden_communities(g)
    assert len({membership[g.vertex(f"native:g{i}")] for i in range(6)}) == 1


def test_account_activity_and_hashtag_bursts():
    from csewatch.graph.activity import account_activity, hashtag_bursts

    acts = {
        a.account: a
        for a in account_activity(
            {
                "bot": [1000.0 + 10 * i for i in range(10)],  # every 10 s
                "human": [1000.0, 4000.0, 4100.0, 9000.0, 20000.0, 20500.0],
            }
        )
    }
    assert acts["bot"].bot_like and acts["bot"].max_per_minute == 6 and acts["bot"].gap_cv == 0.0
    assert not acts["human"].bot_like
    counts = {"steady": {h: 10 for h in range(24)}, "spike": {**{h: 2 for h in range(12)}, 12: 60}}
    bursts = hashtag_bursts(counts)
    assert [(b.tag, b.count) for b in bursts] == [("spike", 60)] and bursts[0].baseline == 2.0


def test_hashtag_discovery_proposes_tags_that_keep_flagged_company():
    from csewatch.graph.discovery import HashtagDiscovery

    disc = HashtagDiscovery(listed={"cpsale"}, min_posts=5)
    proposed_at = None
    for i in range(12):  # a new tag used by flagged posts of several accounts
        if disc.observe(["newcode"], True, f"a{i % 4}", float(i)) and proposed_at is None:
            proposed_at = i + 1
    for i in range(40):  # a benign trend: many accounts, nothing flagged
        disc.observe(["finalday"], False, f"b{i}", float(i))
    for i in range(6):  # a tag that keeps company with a blocked one
        disc.observe(["sidecar", "cpsale"], False, f"c{i}", float(i))
    assert proposed_at == 5 and disc.proposals["newcode"].flagged == 5
    assert "finalday" not in disc.proposals and "cpsale" not in disc.stats
    assert disc.proposals["sidecar"].co_listed == 5


def test_coordination_windows():
    from csewatch.graph.coordination import windows

    events = [(0.0, "a"), (30.0, "b"), (50.0, "c"), (5000.0, "d"), (5010.0, "e"), (9000.0, "a")]
    assert windows(events, 600, 3) == [(0.0, 50.0, ["a", "b", "c"], 3)]
    assert windows(events, 600, 2) == [(0.0, 50.0, ["a", "b", "c"], 3), (5000.0, 5010.0, ["d", "e"], 2)]


def test_coordination_and_burst_cases(tmp_path, policy):
    from csewatch.graph.activity import Burst
    from csewatch.graph.coordination import coordination
    from csewatch.graph.findings import save_bursts, save_coordination

    posts = [
        Post(
            id=f"p{i}",
            platform="native",
            author_id=f"a{i}",
            text="join t.me/joinchat/SameCode1",
            created_at=1000.0 + 30 * i,
        )
        for i in range(4)
    ]
    posts.append(Post(id="late", platform="native", author_id="a9", text="t.me/joinchat/SameCode1", created_at=9e5))
    store = _store(
        tmp_path, policy, [acc(f"a{i}", status="suspended" if i == 0 else None) for i in range(4)], posts=posts
    )
    groups = coordination(store, policy, window=600, min_accounts=3)
    (link_group,) = [g for g in groups if g.kind == "link"]
    assert link_group.accounts == [f"native:a{i}" for i in range(4)] and link_group.item == "t.me/joinchat/samecode1"
    assert save_coordination(store, Triage(policy), groups) == 1
    (case,) = store.top_cases(category="coordination")
    assert case.reach == 4 and case.n_posts == 4 and (case.first_seen, case.last_seen) == (1000.0, 1090.0)
    assert save_bursts(store, Triage(policy), [Burst("newtag", 3600.0, 40, 2.0, 1e-20)]) == 1
    (burst,) = store.top_cases(category="hashtag_burst")
    assert burst.subject_id == "newtag" and burst.severity == 2
