"""Ban evasion along a chain: an account back a second time looks like both suspended accounts of its
chain, and is linked to the newest (the one it replaces), not left unlinked as a tie. Handles with the
suffixes evaders add ("reborn", "returns", "bckp") keep the old stem."""

import orjson

from csewatch.detect.evasion_scoring import handle_stem
from csewatch.normalize import Normalizer
from csewatch.pipeline import Scanner

NORM = Normalizer({}, {})
T0 = 1_790_000_000.0
H = 3600.0


def _account(i: str, handle: str, created: float, **kw) -> dict:
    return {"type": "account", "platform": "native", "id": i, "handle": handle, "display_name": "Drop Vault",
            "bio": "menu in bio, dm for prices", "created_at": created, **kw}


def _post(pid: str, author: str, text: str, t: float) -> dict:
    return {"type": "post", "platform": "native", "id": pid, "author_id": author, "text": text, "created_at": t}


def test_second_return_links_the_newest_account_of_the_chain(tmp_path, policy) -> None:
    first = _account("a1", "drop_vault", T0 - 90 * 24 * H)
    second = _account("a2", "drop_vault_new", T0 + 0.5 * H)
    lines = [first, _post("p1", "a1", "restock today", T0 - H), {**first, "status": "suspended", "status_at": T0}]
    lines += [second, _post("p2", "a2", "restock today", T0 + H)]
    lines += [{**second, "status": "suspended", "status_at": T0 + 2 * H}]
    # made days after both suspensions: no timing tells the two apart, only the chain
    lines += [_account("a3", "drop_vault_backup", T0 + 72 * H), _post("p3", "a3", "restock today", T0 + 73 * H)]
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    sc = Scanner(policy)
    sc.scan([str(path)])
    links = {k: v[1] for k, v in sc.state.evasion_seen.data.items() if v and v[1]}
    assert links == {"native:a2": "native:a1", "native:a3": "native:a2"}


def test_return_suffixes_keep_the_stem() -> None:
    for new, old in (("kayla-869bckp", "kayla-869"), ("juandad92_returns", "juandad92"), ("3ejble_reborn", "3ejble")):
        assert handle_stem(NORM, new) == handle_stem(NORM, old), new
    assert handle_stem(NORM, "mango_store") != handle_stem(NORM, "mango")


def test_number_kept_finds_and_matches_the_old_handle() -> None:
    from csewatch.detect.evasion_scoring import Profile, block_keys, score_pair

    def prof(key: str, handle: str, **kw) -> Profile:
        return Profile(key, handle, handle_stem(NORM, handle), "", set(), set(), None, **kw)

    assert handle_stem(NORM, "the_the_daily_club") == handle_stem(NORM, "the_daily_club")
    old = prof("x:1", "drop.249728", created_at=T0 - 900 * H, suspended_at=T0)
    new = prof("x:2", "drop.249728h", created_at=T0 + 2 * H)
    assert "d:249728" in set(block_keys(old)) & set(block_keys(new))
    score, ev = score_pair(new, old, {"h:drop": 9, "h:droph": 1})
    assert "handle" in ev and score >= 0.6  # the spelling with its number kept, back within hours
    short_old = prof("x:3", "xx2518", created_at=T0 - 900 * H, suspended_at=T0)
    assert "handle" in score_pair(prof("x:4", "xx2518.again", created_at=T0 + 2 * H), short_old, {})[1]
    assert score_pair(prof("x:5", "xx2519", created_at=T0 + 2 * H), short_old, {}) == (0.0, {})
