"""Each detector on indicators, obfuscations and hard negatives, through the real engine."""

import pytest

from csewatch.detect import StreamState
from csewatch.model import Account, MediaRef, Post
from tests.conftest import indicators

ADVERTS = [
    "selling c*p folders, dm me 90$",
    "ｃｐ vids for sale ~ t.me/abcdef12",
    "#SellingCpFolder prices in bio, hmu",
    "PTHC pack 💰 btc only",
    "n3w p3d0 c0nt3nt, telegram link in bio",
    "🧀🍕 archive, trade, dm",
    "hurtcore files 20 usd",
    "c . p links | paypal | discord.gg/xyz123",
    "ᴄᴘ library available, inbox me",
]

HARD_NEGATIVES = [
    "use cp -r src/ dst/ to copy the folder",
    "caught a 2500 CP dragonite in pokemon go, selling the account $40 dm me",
    "Captain CP scored twice tonight",
    "my son has CP (cerebral palsy), therapy pics in the album",
    "join our telegram group for the python meetup t.me/pymeetup",
    "wedding photos on mega.nz/folder/abc123, dm me if the link breaks",
    "selling my bike $90, dm me",
    "vintage stamp collection for sale, dm for prices",
    "my daughter turned 12 today! happy birthday",
    "new account! my old one got hacked, please share",
    "reported 5 accounts selling cp today, please report them too",
    "cheese pizza deal 12$ tonight, order for delivery 🍕",
    "cp (club penguin) accounts trading, dm me",
    "CP tickets (circuit paris) for sale 20€, message me",
    "selling my old combat power (cp) calculator app, $5, dm",
    "new cp rail photos from the yard, prints $20, dm me",
]


@pytest.mark.parametrize("text", ADVERTS)
def test_adverts_are_flagged(run_post, text):
    _signals, verdict = run_post(text)
    assert verdict is not None and verdict.category == "advert_sale_trade", text


@pytest.mark.parametrize("text", HARD_NEGATIVES)
def test_hard_negatives_are_not_flagged(run_post, text):
    signals, verdict = run_post(text)
    assert verdict is None, (text, verdict and verdict.rules, indicators(signals))


def test_lexicon_evidence_names_field_span_and_rule(run_post):
    text = "selling c*p folders"
    signals, _ = run_post(text)
    ev = next(s for s in signals if s.indicator == "abuse_material_ambiguous").evidence[0]
    assert ev.field == "text" and text[ev.start : ev.end] == "c*p" == ev.text
    assert ev.rule == "terms:abuse_material_ambiguous:cp"


def test_lexicon_ignores_substrings_of_ordinary_words(run_post):
    signals, _ = run_post("the tcp stack on my cpu and the admin package page")
    assert not {"abuse_material_ambiguous", "contact", "media_offer"} & indicators(signals)


def test_hashtags_blocked_folded_and_jumbled(run_post):
    s1, _ = run_post("new stuff #CP_Sale")
    assert "blocked_hashtag" in indicators(s1)
    s2, _ = run_post("new stuff #salecp")  # letters of #cpsale in another order
    hit = next(s for s in s2 if s.indicator == "blocked_hashtag" and s.subject_type == "post")
    assert "jumbled" in hit.explanation
    s3, _ = run_post("#travel #sale")
    assert "blocked_hashtag" not in indicators(s3)


def test_hashtag_signal_also_names_the_hashtag_subject(run_post):
    signals, verdict = run_post("cp vids #cptrade dm")
    assert any(s.subject_type == "hashtag" and s.subject_id == "cptrade" for s in signals)
    assert ("hashtag", "cptrade") in verdict.case_subjects


@pytest.mark.parametrize(
    "text,service",
    [
        ("join t.me/abc123", "telegram"),
        ("t[.]me/abc123", "telegram"),
        ("discord (dot) gg/xyz", "discord"),
        ("https://discord.com/invite/AbC", "discord"),
        ("mega.nz/folder/xYz#k", "mega"),
        ("dropbox.com/s/x1", "dropbox"),
    ],
)
def test_links_invite_hosts_including_obfuscated(run_post, text, service):
    signals, _ = run_post(text)
    link = next(s for s in signals if s.indicator == "offplatform_link")
    assert service in link.explanation


def test_links_not_fooled_by_lookalike_hosts(run_post):
    signals, _ = run_post("read at t.media.example.com and notmega.nz.example")
    assert "offplatform_link" not in indicators(signals)


def test_same_invite_link_from_several_accounts(engine, policy):
    state = StreamState()
    need = policy.pack.thresholds.shared_link_accounts
    shared = []
    for i in range(need):
        post = Post(
            id=f"p{i}",
            platform="native",
            author_id=f"a{i}",
            text="vids here t.me/joinchat/AAAAbbbb",
            created_at=1.0 + i,
        )
        signals, _ = engine.process(post, None, state)
        shared.append("shared_invite_link" in indicators(signals))
    assert shared == [False] * (need - 1) + [True]


@pytest.mark.parametrize(
    "text,expected",
    [
        ("90$", "90$"),
        ("$90", "$90"),
        ("90 usd", "90 usd"),
        ("€25", "€25"),
        ("0.005 btc", "0.005 btc"),
        ("only 15 bucks", "15 bucks"),
    ],
)
def test_commerce_prices(run_post, text, expected):
    signals, _ = run_post(text)
    price = next(s for s in signals if s.indicator == "price")
    assert price.evidence[0].text == expected


def test_commerce_ignores_plain_numbers(run_post):
    signals, _ = run_post("I ran 5 km in 2026 at 7.30")
    assert "price" not in indicators(signals)


def test_account_handle_bio_and_age(engine):
    acc = Account(
        id="a1", platform="native", handle="cp_vids99", bio="prices 20$ t.me/xyzabc", created_at=1_790_000_000.0 - 86400
    )
    post = Post(id="p1", platform="native", author_id="a1", text="hello", created_at=1_790_000_000.0)
    signals, _ = engine.process(post, acc, StreamState())
    ind = indicators(signals)
    assert {"account_abuse_term", "account_price", "account_offplatform_link", "new_account"} <= ind
    handle_ev = next(s for s in signals if s.indicator == "account_abuse_term").evidence[0]
    assert handle_ev.field == "handle" and handle_ev.text == "cp_vids99"


def test_account_handle_with_benign_cp_is_not_an_indicator(engine):
    acc = Account(
        id="a2", platform="native", handle="cp_rail_fan", bio="trains and railways", created_at=1_000_000_000.0
    )
    post = Post(id="p1", platform="native", author_id="a2", text="hello", created_at=1_790_000_000.0)
    signals, _ = engine.process(post, acc, StreamState())
    assert "account_abuse_term" not in indicators(signals)
    assert "new_account" not in indicators(signals)


def test_posting_rate(engine, policy):
    state = StreamState()
    n = policy.pack.thresholds.post_rate_count
    flags = []
    for i in range(n):
        post = Post(id=f"p{i}", platform="native", author_id="bot", text="x", created_at=1000.0 + 10 * i)
        signals, _ = engine.process(post, None, state)
        flags.append("high_post_rate" in indicators(signals))
    assert flags[-1] and not flags[0]
    slow = StreamState()
    for i in range(n):
        post = Post(id=f"q{i}", platform="native", author_id="human", text="x", created_at=1000.0 + 600 * i)
        signals, _ = engine.process(post, None, slow)
    assert "high_post_rate" not in indicators(signals)


def _thread(engine, reply_text: str, parent_media: bool = True):
    state = StreamState()
    parent = Post(
        id="m1",
        platform="native",
        author_id="parent",
        text="day at the beach",
        media=[MediaRef(id="img1")] if parent_media else [],
        created_at=1.0,
    )
    engine.process(parent, None, state)
    reply = Post(id="r1", platform="native", author_id="stranger", text=reply_text, reply_to="m1", created_at=2.0)
    return engine.process(reply, None, state)


@pytest.mark.parametrize("text", ["how old is she?", "h0w 0ld r u", "trade?", "she's 12?", "any more pics", "a g e ?"])
def test_context_flags_the_thread_of_a_media_post(engine, text):
    signals, verdict = _thread(engine, text)
    assert verdict is not None and verdict.category == "sexualising_context", text
    assert ("thread", "m1") in verdict.case_subjects
    ctx = [s for s in signals if s.detector == "context"]
    assert ctx and all(s.subject_type == "thread" and s.subject_id == "m1" for s in ctx)


@pytest.mark.parametrize("text", ["so cute!", "great photo", "happy 12th birthday!", "she is 12 today, happy birthday"])
def test_context_benign_replies(engine, text):
    _signals, verdict = _thread(engine, text)
    assert verdict is None, text


def test_context_needs_a_media_parent(engine):
    _signals, verdict = _thread(engine, "how old is she?", parent_media=False)
    assert verdict is None or verdict.category != "sexualising_context"


def test_evasion_announcement(run_post):
    _s, verdict = run_post("got banned again, new acc, please share, cp vids dm")
    assert verdict is not None and verdict.category == "evasion_announcement"
    _s, benign = run_post("new account! old one got hacked, please share")
    assert benign is None


def test_solicitation(run_post):
    _s, verdict = run_post("how old r u? dm me on tg")
    assert verdict is not None and verdict.category == "solicitation"


def test_acronym_spelled_out_is_benign_context_with_evidence(run_post):
    signals, verdict = run_post("CP (club penguin) accounts trading, dm me, 20$")
    assert verdict is None
    ctx = next(s for s in signals if s.indicator == "benign_context" and s.evidence[0].rule == "acronym:cp")
    assert ctx.evidence[0].text == "CP" and "spelled out" in ctx.explanation
    # initials that do not spell the acronym are no excuse
    _s, verdict = run_post("cp (new stuff) vids trading, dm me, 20$")
    assert verdict is not None and verdict.category == "advert_sale_trade"
