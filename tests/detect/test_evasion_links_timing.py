"""Pair scoring for ban evasion, round 2: a shared channel is discounted by how many accounts post it,
an account that was posting before the other's suspension is not its replacement on a link or @mention
alone, host aliases of one channel match, and an announcement that keeps nothing of the old profile
links only when it came within the hour after exactly one suspension."""

from csewatch.detect.evasion_scoring import (
    Profile,
    _other_number,
    block_keys,
    canon_link,
    clear_winner,
    handle_stem,
    score_pair,
)
from csewatch.normalize import Normalizer

NORM = Normalizer({}, {})
SUSP = 1_000_000.0


def _p(key: str, handle: str, links: set[str] | None = None, **kw) -> Profile:
    created = kw.pop("created", None)
    return Profile(key, handle, handle_stem(NORM, handle), "", set(), links or set(), None, created, **kw)


def test_host_aliases_fold_to_one_channel() -> None:
    assert canon_link("telegram.me/ChanX1") == canon_link("t.me/chanx1") == "t.me/chanx1"
    assert canon_link("discord.com/invite/abc") == "discord.gg/abc"
    assert canon_link("mega.nz/folder/x") == "mega.nz/folder/x"


def test_shared_link_discounted_by_its_posters() -> None:
    old = _p("x:1", "qqzrt", {"t.me/chan_a"}, suspended_at=SUSP)
    new = _p("x:2", "bbmwk", {"t.me/chan_a"}, created=SUSP + 600, first_post_at=SUSP + 700)
    alone, _ = score_pair(new, old, {"l:t.me/chan_a": 2})
    crowded, ev = score_pair(new, old, {"l:t.me/chan_a": 6})
    assert alone >= 0.8  # the pair's own channel, back within minutes
    assert crowded < 0.6 and "4 other accounts" in ev["links"]  # the pair and four more


def test_posting_before_the_suspension_is_no_replacement_on_a_link_alone() -> None:
    old = _p("x:1", "qqzrt", {"t.me/chan_a"}, suspended_at=SUSP)
    sharer = _p("x:3", "bbmwk", {"t.me/chan_a"}, created=SUSP - 40 * 86400, first_post_at=SUSP - 30 * 86400)
    sharer.mentioned = {"qqzrt"}
    score, ev = score_pair(sharer, old, {"l:t.me/chan_a": 2})
    assert score == 0.0 and ev == {}
    # a premade backup (made earlier, first posting after the suspension) still counts
    backup = _p("x:4", "bbmwk", {"t.me/chan_a"}, created=SUSP - 40 * 86400, first_post_at=SUSP + 300)
    assert score_pair(backup, old, {"l:t.me/chan_a": 2})[0] >= 0.6
    # ... but not one that only started hours later
    later = _p("x:5", "bbmwk", {"t.me/chan_a"}, created=SUSP - 40 * 86400, first_post_at=SUSP + 5 * 3600)
    assert score_pair(later, old, {"l:t.me/chan_a": 2})[0] == 0.0


def test_announcement_alone_links_within_the_hour_only() -> None:
    old = _p("x:1", "qqzrt", suspended_at=SUSP)
    soon = _p("x:2", "bbmwk", created=SUSP + 900, first_post_at=SUSP + 1000, announced=True)
    late = _p("x:3", "ccnvp", created=SUSP + 3 * 3600, first_post_at=SUSP + 3 * 3600, announced=True)
    quiet = _p("x:4", "ddlxh", created=SUSP + 900, first_post_at=SUSP + 1000)
    before = _p("x:5", "eekfj", created=SUSP - 900, first_post_at=SUSP - 800, announced=True)
    s_soon, ev = score_pair(soon, old, {})
    assert s_soon >= 0.6 and "announcement" in ev and "timing" in ev
    assert score_pair(late, old, {})[0] == 0.0
    assert score_pair(quiet, old, {})[0] == 0.0
    assert score_pair(before, old, {})[0] == 0.0
    # two suspensions in that hour: which account is back is unknown
    other = _p("x:6", "ffrtz", suspended_at=SUSP + 300)
    s_other, _ = score_pair(soon, other, {})
    assert not clear_winner([(s_soon, "x:1"), (s_other, "x:6")], 0.6, 0.3)


def test_block_keys_meet_on_the_hour() -> None:
    old = _p("x:1", "qqzrt", suspended_at=SUSP)
    soon = _p("x:2", "bbmwk", created=SUSP + 900, first_post_at=SUSP + 1000, announced=True)
    quiet = _p("x:4", "ddlxh", created=SUSP + 900, first_post_at=SUSP + 1000)
    assert set(block_keys(old)) & set(block_keys(soon))
    assert not set(block_keys(old)) & set(block_keys(quiet))


def test_a_mention_alone_long_after_is_no_return() -> None:
    old = _p("x:1", "qqzrt", suspended_at=SUSP)
    soon = _p("x:2", "bbmwk", created=SUSP + 1800, first_post_at=SUSP + 1900, mentioned={"qqzrt"})
    days = _p("x:3", "ccnvp", created=SUSP + 3 * 86400, first_post_at=SUSP + 3 * 86400, mentioned={"qqzrt"})
    assert score_pair(soon, old, {})[0] >= 0.6
    assert score_pair(days, old, {})[0] == 0.0


def test_another_number_is_another_account() -> None:
    old = _p("x:1", "mango_vault_276", suspended_at=SUSP)
    renumbered = _p("x:2", "mango_vault_477", created=SUSP + 600, first_post_at=SUSP + 700)
    kept = _p("x:3", "mango_vault_276_bk", created=SUSP + 600, first_post_at=SUSP + 700)
    assert score_pair(renumbered, old, {})[0] < 0.6 <= score_pair(kept, old, {})[0]
    assert not _other_number("store.zone200", "store.zone2006")  # a number cut short is still the old one's
