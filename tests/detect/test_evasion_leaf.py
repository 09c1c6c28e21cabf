"""Ban-evasion scoring as a leaf: the weight names a pack may set are defined once in policy and the leaf's
defaults follow them; the pair score takes the graph's extra evidence (shared channels, follow sets) as
arguments; the scan's watch and the batch job explain a link the same way."""

from csewatch.detect.evasion_scoring import WEIGHTS, Profile, explanation, handle_stem, score_pair
from csewatch.graph.evasion import EvasionLink
from csewatch.normalize import Normalizer
from csewatch.policy import EVASION_WEIGHT_NAMES, check_policy, load_policy

NORM = Normalizer({}, {})


def _p(key: str, handle: str, created: float | None = None, **kw) -> Profile:
    return Profile(key, handle, handle_stem(NORM, handle), "", set(), set(), None, created, **kw)


def test_default_weights_cover_exactly_the_policy_names() -> None:
    assert tuple(WEIGHTS) == EVASION_WEIGHT_NAMES
    assert all(0 < w <= 1 for w in WEIGHTS.values())


def test_check_policy_names_unknown_and_out_of_range_weights() -> None:
    pol = load_policy()
    assert not [p for p in check_policy(pol) if "evasion.weights" in p]
    pol.pack.evasion.weights = {"handel": 0.5, "bio": 1.5, "timing": 0.4}
    problems = [p for p in check_policy(pol) if "evasion.weights" in p]
    assert len(problems) == 2
    assert any("unknown feature 'handel'" in p and "names_predecessor" in p for p in problems)
    assert any("evasion.weights.bio must lie in [0, 1]" in p for p in problems)


def test_channel_the_graph_shares_counts_like_a_profile_link() -> None:
    old = _p("x:1", "vault_drops", suspended_at=1_000_000.0)
    new = _p("x:2", "vault_drops_bkp", created=1_000_600.0)
    alone, ev_alone = score_pair(new, old, {})
    shared, ev = score_pair(new, old, {"l:t.me/chan_q": 3}, shared_links={"t.me/chan_q"})
    assert "links" not in ev_alone and ev["links"] == "t.me/chan_q (posted by 1 other accounts)"
    assert shared > alone


def test_follow_sets_and_weight_overrides_are_arguments() -> None:
    old = _p("x:1", "vault_drops", suspended_at=1_000_000.0)
    new = _p("x:2", "vault_drops_bkp", created=1_000_600.0)
    base, _ = score_pair(new, old, {})
    followed, ev = score_pair(new, old, {}, follows=({"a", "b", "c"}, {"a", "b", "c", "d"}))
    assert ev["follows"] == "0.75 of followed accounts shared" and followed > base
    lighter, _ = score_pair(new, old, {}, weights={"handle": 0.1})
    assert lighter < base


def test_batch_link_and_watch_explain_alike() -> None:
    ev = {"handle": "'a' ~ 'b' (0.90)", "margin": "1.00 nats more evidence than the next candidate"}
    link = EvasionLink("x:2", "x:1", 0.8123, ev)
    assert link.explanation() == explanation("x:1", 0.8123, ev)
    text = explanation("x:1", 0.8123, ev)
    assert text.startswith("likely the returning account of suspended x:1 (score 0.81): handle: 'a' ~ 'b'")
