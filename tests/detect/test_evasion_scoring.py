"""Pair scoring for ban evasion: a returning account's handle, display name and bio, changed the ways
evaders change them (a prefix, a suffix, a few added words), still point at the suspended one; a
common stem shared by strangers does not."""

from csewatch.detect.evasion_scoring import Profile, _same_spelling, handle_core, handle_stem, score_pair
from csewatch.normalize import Normalizer

NORM = Normalizer({}, {})


def _p(key: str, handle: str, name: str = "", bio: set[str] | None = None, **kw) -> Profile:
    return Profile(key, handle, handle_stem(NORM, handle), name, bio or set(), set(), None, None, **kw)


def test_prefix_dropped_from_stem() -> None:
    assert handle_stem(NORM, "the_daily_club") == handle_stem(NORM, "daily_club")
    assert handle_stem(NORM, "real-plugx24.bsky.social") == handle_stem(NORM, "plugx24.bsky.social")


def test_spelling_with_a_few_characters_added() -> None:
    assert _same_spelling(handle_core("k1dxxh"), handle_core("k1dxx"))
    assert _same_spelling(handle_core("shop_02417_"), handle_core("shop_02417"))
    assert not _same_spelling(handle_core("anna"), handle_core("annabelle_art"))


def test_digit_run_kept_beats_common_stem() -> None:
    old = _p("x:1", "links_0241985", suspended_at=1000.0)
    kept = _p("x:2", "links_0241985_bkp")
    other = _p("x:3", "links_77")
    common = {"h:links": 12}
    s_kept, _ = score_pair(kept, old, common)
    s_other, _ = score_pair(other, old, common)
    assert s_kept > 0.5 > s_other


def test_old_bio_kept_whole_and_name_extended() -> None:
    old = _p("x:1", "zipshop69", "vault", {"only", "18", "dm"})
    new = _p("x:2", "zipshop69v2", "vault (backup)", {"only", "18", "dm", "backup"})
    _, ev = score_pair(new, old, {})
    assert "bio" in ev and "display_name" in ev
    stranger = _p("x:3", "zipshop69v2", "vault", {"only", "18"})
    _, ev2 = score_pair(stranger, old, {})
    assert "bio" not in ev2
