"""Ban evasion, a return announced in plain words ("got banned, new account", no advert marks beside it):
beside the old handle it links an account made after the suspension, even when strangers share the
handle's stem (only suspended accounts can be the one it replaces); without the words, or from an account
made before the suspension, the common stem alone links nothing. A bio saying it counts as a post does.
The words are read in several languages."""

import orjson

from csewatch.detect.evasion_scoring import Profile, handle_stem, made_after, score_pair
from csewatch.normalize import Normalizer
from csewatch.pipeline import Scanner

NORM = Normalizer({}, {})
T0 = 1_790_000_000.0
DAY = 86_400.0


def _account(i: str, handle: str, created: float, **kw) -> dict:
    return {"type": "account", "platform": "native", "id": i, "handle": handle, "display_name": "",
            "bio": "", "created_at": created, **kw}


def _post(pid: str, author: str, text: str, t: float) -> dict:
    return {"type": "post", "platform": "native", "id": pid, "author_id": author, "text": text, "created_at": t}


def _scan(tmp_path, policy, text: str, created: float, bio: str = "") -> dict[str, str]:
    # four active strangers share the stem "cratehub"; one account with it is suspended
    lines = [_account(f"s{i}", f"crate_hub{i}", T0 - 400 * DAY) for i in range(2, 6)]
    old = _account("old", "crate_hub", T0 - 90 * DAY)
    lines += [old, _post("p0", "old", "hello", T0 - DAY), {**old, "status": "suspended", "status_at": T0}]
    lines.append({**_account("new", "crate_hub_new", created), "bio": bio})
    lines.append(_post("p1", "new", text, max(created, T0) + 3 * DAY))
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    sc = Scanner(policy)
    sc.scan([str(path)])
    return {k: v[1] for k, v in sc.state.evasion_seen.data.items() if v and v[1]}


def test_plain_return_announcement_links_the_handle_of_the_suspended_account(tmp_path, policy) -> None:
    assert _scan(tmp_path, policy, "got banned, this is my new account", T0 + 2 * DAY) == {"native:new": "native:old"}


def test_without_the_words_a_common_stem_links_nothing(tmp_path, policy) -> None:
    assert _scan(tmp_path, policy, "good morning everyone", T0 + 2 * DAY) == {}


def test_a_bio_that_says_it_is_back_announces_too(tmp_path, policy) -> None:
    linked = _scan(tmp_path, policy, "good morning everyone", T0 + 2 * DAY, bio="old one banned. dm open")
    assert linked == {"native:new": "native:old"}


def test_an_account_made_before_the_suspension_is_not_its_return(tmp_path, policy) -> None:
    assert _scan(tmp_path, policy, "got banned, this is my new account", T0 - 20 * DAY) == {}


def test_the_words_in_other_languages(run_post) -> None:
    for text in ("akun cadangan, follow ya", "fui banido, conta nova aqui", "резервный акк", "me suspendieron"):
        signals, _ = run_post(text)
        assert "evasion" in {s.indicator for s in signals}, text


def test_announcement_counts_beside_the_handle_only_after_the_suspension() -> None:
    def prof(key: str, handle: str, **kw) -> Profile:
        return Profile(key, handle, handle_stem(NORM, handle), "", set(), set(), None, **kw)

    old = prof("x:1", "crate_hub", created_at=T0 - 90 * DAY, suspended_at=T0)
    after = prof("x:2", "crate_hub_new", created_at=T0 + 2 * DAY, returning=True)
    before = prof("x:3", "crate_hub_new", created_at=T0 - 20 * DAY, returning=True)
    assert made_after(after, old) and not made_after(before, old)
    s_after, ev_after = score_pair(after, old, {})
    s_before, ev_before = score_pair(before, old, {})
    assert "announcement" in ev_after and "announcement" not in ev_before
    assert s_after > s_before
