"""Hashtag discovery proposes a new advert tag early from its company (flagged accounts, lift over
the stream's base rate, likeness to known bad tags) and never a benign trend."""

from __future__ import annotations

from csewatch.graph.discovery import HashtagDiscovery


def _background(disc: HashtagDiscovery, n: int = 400) -> None:
    for i in range(n):  # an ordinary stream: 2% flagged
        disc.observe(["daily"], i % 50 == 0, f"u{i}", float(i))


def test_tag_carried_by_already_flagged_accounts_is_proposed_before_its_posts_are_flagged():
    disc = HashtagDiscovery(listed=set())
    _background(disc)
    for a in range(4):  # four accounts flagged before for other posts
        disc.observe(["other"], True, f"adv{a}", 500.0 + a)
    proposed = None
    for i in range(12):  # their new tag: only 1 in 4 of its posts flagged by themselves
        if disc.observe(["zorvanel"], i % 4 == 0, f"adv{i % 4}", 600.0 + i) and proposed is None:
            proposed = i + 1
    assert proposed is not None and proposed <= 6
    assert disc.proposals["zorvanel"].posts == proposed


def test_tag_that_looks_like_a_known_bad_tag_needs_less_evidence():
    disc = HashtagDiscovery(listed=set(), bad_segments={"cp"})
    _background(disc)
    for i in range(8):  # half of its posts flagged, by different new accounts
        disc.observe(["cpvault"], i % 2 == 0, f"n{i}", 700.0 + i)
        disc.observe(["rainvault"], i % 2 == 0, f"m{i}", 700.0 + i)
    assert "cpvault" in disc.proposals
    assert "rainvault" not in disc.proposals  # the same company without the likeness is not enough


def test_benign_trend_with_some_flagged_posts_is_never_proposed():
    disc = HashtagDiscovery(listed=set(), bad_segments={"cp"})
    _background(disc)
    for i in range(300):  # a trending tag: many authors, 3% flagged (about the base rate)
        disc.observe(["worldcupfinal"], i % 33 == 0, f"t{i}", 800.0 + i)
    assert "worldcupfinal" not in disc.proposals
