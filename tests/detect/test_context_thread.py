"""Thread-aware context detection: replies at any depth and quotes find the media root and its subject;
cues flag strangers' replies under a child's photo (in several languages), never the root itself;
pets, cars and houses, the root's author, relatives, congratulations and safety advice are not
flagged; the thread memory survives a restart through the store."""

from __future__ import annotations

import orjson
import pytest

from csewatch.detect import Prepared, StreamState
from csewatch.detect.thread import thread_of
from csewatch.model import Account, MediaRef, Post
from csewatch.pipeline import Scanner
from csewatch.store import Store

T0 = 1_790_000_000.0
CHILD_ROOT = "First day of 3rd grade for our little one"
PARENT = Account(id="parent", platform="native", handle="sam_parent", display_name="Sam", bio="mom of two")


class Thread:
    """A media root and replies to it, all run through one engine and one stream state."""

    def __init__(self, engine, root_text: str = CHILD_ROOT, alt: str | None = None, root_account=PARENT):
        self.engine = engine
        self.state = StreamState()
        self.n = 0
        self.root = Post(
            id="root",
            platform="native",
            author_id="parent",
            text=root_text,
            media=[MediaRef(id="img1", alt=alt)],
            created_at=T0,
        )
        self.root_result = engine.process(self.root, root_account, self.state)

    def reply(self, text: str, to: str = "root", author: str = "stranger", account=None, quote: bool = False):
        self.n += 1
        post = Post(
            id=f"r{self.n}",
            platform="native",
            author_id=author,
            text=text,
            created_at=T0 + self.n,
            **({"quote_of": to} if quote else {"reply_to": to}),
        )
        signals, verdict = self.engine.process(post, account, self.state, explain_all=True)
        return post, signals, verdict


def _flagged(verdict) -> bool:
    """A context or solicitation rule fired (the learned model's own rules are tested elsewhere)."""
    return verdict is not None and any(r.startswith(("context.", "solicitation.")) for r in verdict.rules)


def test_root_is_never_flagged_and_the_case_is_the_thread(engine):
    t = Thread(engine)
    assert t.root_result[1] is None
    _post, signals, verdict = t.reply("how old is she?")
    assert _flagged(verdict)
    assert ("thread", "root") in verdict.case_subjects
    assert verdict.post_id == "r1" and verdict.author_id == "stranger"
    ctx = [s for s in signals if s.detector == "context"]
    assert ctx and all(s.subject_type == "thread" and s.subject_id == "root" for s in ctx)


def test_nested_replies_and_quotes_find_the_root(engine):
    t = Thread(engine)
    t.reply("Congrats, she looks so happy!", author="friend")  # r1, benign
    _p, _s, v2 = t.reply("what grade is she in? 👀", to="r1")  # r2: depth 2
    assert _flagged(v2) and ("thread", "root") in v2.case_subjects
    _p, _s, v3 = t.reply("sent", to="r2", author="other")  # r3: a follow-up to a flagged reply
    assert _flagged(v3) and ("thread", "root") in v3.case_subjects
    _p, _s, v4 = t.reply("saving this 🤤", to="root", quote=True)  # r4: quote of the photo
    assert _flagged(v4) and ("thread", "root") in v4.case_subjects
    # thread_of: the public API other detectors call
    post = Post(id="r9", platform="native", author_id="x", text="hi", reply_to="r3", created_at=T0 + 50)
    info = thread_of(Prepared(post, None, engine.normalizer), t.state)
    assert info is not None
    assert (info.root_key, info.root_author, info.root_media, info.subject) == ("native:root", "parent", True, "child")
    assert info.depth == 4 and not info.is_quote and info.parent_flagged and not info.replier_is_root_author
    quote = Post(id="q1", platform="native", author_id="parent", text="hi", quote_of="root", created_at=T0 + 60)
    qinfo = thread_of(Prepared(quote, PARENT, engine.normalizer), t.state)
    assert qinfo is not None and qinfo.is_quote and qinfo.depth == 1
    assert qinfo.replier_is_root_author and qinfo.replier_is_family


def test_no_thread_outside_media_posts(engine):
    state = StreamState()
    root = Post(id="t0", platform="native", author_id="a", text="First day of school!", created_at=T0)
    engine.process(root, None, state)
    reply = Post(id="t1", platform="native", author_id="b", text="how old is she?", reply_to="t0", created_at=T0 + 1)
    assert thread_of(Prepared(reply, None, engine.normalizer), state) is None
    _signals, verdict = engine.process(reply, None, state)
    assert verdict is None or verdict.category != "sexualising_context"


@pytest.mark.parametrize(
    ("root_text", "alt", "reply"),
    [
        ("My dog Biscuit on his morning walk", None, "how old is he?"),
        ("Took the old pickup out for a spin today", None, "how old is she? looks great"),
        ("We finally bought a house!", None, "how old is the roof?"),
        ("Sunday vibes", "a cat asleep on a sofa", "¿cuántos años tiene?"),
        ("Sunday vibes", None, "umur berapa kucingnya?"),
        ("Sunday vibes", None, "she's 14 and the engine still runs"),
    ],
)
def test_same_question_about_a_pet_car_or_house_is_not_flagged(engine, root_text, alt, reply):
    t = Thread(engine, root_text, alt, root_account=None)
    _p, signals, verdict = t.reply(reply)
    assert not _flagged(verdict), (root_text, reply)


@pytest.mark.parametrize(
    ("text", "author", "account"),
    [
        ("Our 9yo had the same teacher, she loved it!", "friend", None),
        (
            "She is 8 already, where did the time go",
            "aunt1",
            Account(id="aunt1", platform="native", bio="proud auntie"),
        ),
        ("how old is she now? grandpa misses her", "g1", Account(id="g1", platform="native", handle="grandpa_joe")),
        ("She turned 8 last week, yes", "parent", PARENT),  # the root's author
        ("Happy birthday! 12 years old, wow", "friend", None),
        ("Great game! 🔥🔥", "coach1", None),
        ("😍😍", "mum1", Account(id="mum1", platform="native", display_name="Lee", bio="mum of 3")),
    ],
)
def test_family_and_friends_are_not_flagged(engine, text, author, account):
    t = Thread(engine)
    _p, _signals, verdict = t.reply(text, author=author, account=account)
    assert not _flagged(verdict), text


@pytest.mark.parametrize(
    "text",
    [
        "add her on snap",
        "dm me",
        "what's her insta?",
        "message me on telegram",
        "m e s s a g e  m e  o n  t e l e g r a m",
        "escríbeme al privado",
        "chama no pv",
        "schreib mir per PN",
        "пиши в лс",
        "minta nomor wa dong",
    ],
)
def test_contact_requests_are_flagged(engine, text):
    t = Thread(engine)
    _p, signals, verdict = t.reply(text)
    assert _flagged(verdict) and verdict.category == "sexualising_context", text
    assert "context_contact_request" in {s.indicator for s in signals}


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("¿cuántos años tiene?", "context_age_question"),
        ("wie alt ist sie?", "context_age_question"),
        ("сколько ей лет?", "context_age_question"),
        ("ilang taon na siya?", "context_age_question"),
        ("tiene unos 11 años", "context_age_mention"),
        ("idade perfeita", "context_age_admiration"),
        ("altre foto?", "context_more_request"),
        ("on échange ?", "context_trade_request"),
    ],
)
def test_non_english_replies_are_flagged(engine, text, indicator):
    t = Thread(engine)
    _p, signals, verdict = t.reply(text)
    assert _flagged(verdict), text
    assert indicator in {s.indicator for s in signals}


def test_a_commenter_in_several_threads_is_named(engine):
    t = Thread(engine)
    _p, first, _v = t.reply("dm me", author="c1")
    assert "context_repeat_commenter" not in {s.indicator for s in first}
    second_root = Post(
        id="root2",
        platform="native",
        author_id="p2",
        text="Ballet recital tonight",
        media=[MediaRef(id="img2")],
        created_at=T0 + 100,
    )
    engine.process(second_root, None, t.state)
    _p, signals, verdict = t.reply("more pics?", to="root2", author="c1")
    assert _flagged(verdict) and ("thread", "root2") in verdict.case_subjects
    rep = [s for s in signals if s.indicator == "context_repeat_commenter"]
    assert rep and rep[0].subject_type == "account" and rep[0].subject_id == "c1"
    assert [e.text for e in rep[0].evidence] == ["native:root"]


def test_suggestive_emoji_only_reply_and_its_guards(engine):
    t = Thread(engine)
    assert _flagged(t.reply("😏🥵")[2])
    assert not _flagged(t.reply("so hot today 🥵", author="n1")[2])  # the weather
    assert not _flagged(t.reply("reported. creepy 😡", to="r1", author="n2")[2])  # pushback


def test_safety_advice_quoting_a_stranger_is_not_solicitation(run_post):
    _s, advice = run_post(
        "Safety tip: if a stranger asks your kid 'how old are you?' and says dm on telegram, report it"
    )
    assert advice is None or advice.category != "solicitation"
    _s, verdict = run_post("how old r u? dm me on tg")
    assert verdict is not None and verdict.category == "solicitation"


def test_odd_digits_do_not_break_the_grammar(engine):
    t = Thread(engine)
    _p, _signals, verdict = t.reply("❶❽ ² ١٢ ?")
    assert verdict is None or verdict.category == "sexualising_context"


def _line(obj: dict) -> bytes:
    return orjson.dumps({"type": "post", "platform": "native", **obj}) + b"\n"


def test_thread_memory_survives_a_restart(tmp_path, policy):
    head = tmp_path / "head.jsonl"
    head.write_bytes(
        _line(
            {
                "id": "m1",
                "author_id": "fam",
                "text": "Soccer practice with the U9s",
                "media": [{"id": "i1"}],
                "created_at": T0,
            }
        )
        + _line({"id": "c1", "author_id": "fam2", "text": "great game!", "reply_to": "m1", "created_at": T0 + 1})
        + _line({"id": "d1", "author_id": "dog", "text": "my puppy Rex", "media": [{"id": "i2"}], "created_at": T0 + 2})
    )
    tail = tmp_path / "tail.jsonl"
    tail.write_bytes(
        _line(
            {
                "id": "c2",
                "author_id": "s1",
                "text": "how old is the one on the left?",
                "reply_to": "c1",
                "created_at": T0 + 10,
            }
        )
        + _line({"id": "c3", "author_id": "s2", "text": "how old is he?", "reply_to": "d1", "created_at": T0 + 11})
    )
    db = str(tmp_path / "t.db")
    Scanner(policy, Store(db, policy.version), batch_size=2).scan([str(head)])
    sc = Scanner(policy, Store(db, policy.version), batch_size=2)  # a fresh process: memory from the store
    sc.scan([str(tail)])
    stored = sc.state.threads.data
    assert stored["native:c2"]["r"] == "m1" and stored["native:c2"]["d"] == 2
    store = Store(db, policy.version)
    case = store.case("native:thread:m1")
    assert case is not None and case.category == "sexualising_context"
    assert store.case("native:thread:d1") is None  # the pet photo's thread


def test_a_parent_bio_excuses_a_weak_cue_but_not_a_request_for_more_or_a_trade(engine):
    """'dad' in a stranger's bio is no alibi: age questions from such a profile pass, while requests for
    more photos, trades and moves off-platform are still flagged."""
    dad = Account(id="stranger", platform="native", handle="runner77", display_name="Al", bio="dad, runner, gardener")
    t = Thread(engine)
    assert not _flagged(t.reply("how old is she now?", account=dad)[2])
    for text in ("trade pics?", "more pics", "add her on snap"):
        _p, signals, verdict = t.reply(text, account=dad)
        assert _flagged(verdict), text
        assert "context_family_account" in {s.indicator for s in signals}
