"""Bot floods: near-identical posts of one account or of a ring within minutes carry bot_flood."""

from __future__ import annotations

from csewatch.detect import Prepared, StreamState
from csewatch.detect.flood import FloodDetector
from csewatch.model import Post
from csewatch.normalize import Normalizer

BASE = "fresh folder drop today, message me on the usual app for the link"


def _run(det, state, norm, author: str, text: str, t: float, pid: str):
    post = Post(id=pid, platform="x", author_id=author, text=text, created_at=t)
    return det.detect(Prepared(post, None, norm), state)


def test_one_account_repeating_itself_is_a_flood_from_its_third_post():
    det, state, norm = FloodDetector(), StreamState(), Normalizer()
    got = [
        _run(det, state, norm, "bot", f"{BASE} #{tag}{i} {i * 7}", 100.0 + 20 * i, f"p{i}")
        for i, tag in enumerate(["aa", "bb", "cc", "dd"])
    ]
    assert [bool(g) for g in got] == [False, False, True, True]
    sig = got[2][0]
    assert sig.indicator == "bot_flood" and "from this account" in sig.explanation
    assert sig.evidence[0].text == f"{BASE} #cc2 14"


def test_a_ring_of_accounts_is_a_flood_and_unrelated_or_late_posts_are_not():
    det, state, norm = FloodDetector(), StreamState(), Normalizer()
    assert not _run(det, state, norm, "r1", BASE + " now", 0.0, "a")
    assert not _run(det, state, norm, "r2", BASE + " ok", 30.0, "b")
    ring = _run(det, state, norm, "r3", BASE + " hi", 60.0, "c")
    assert ring and "from 3 accounts" in ring[0].explanation
    assert not _run(det, state, norm, "r4", "the weather in the park was lovely this morning with friends", 70.0, "d")
    assert not _run(det, state, norm, "r5", BASE, 60.0 + 3600, "e")  # an hour later: the window has passed
