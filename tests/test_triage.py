from csewatch.model import Account, Post
from csewatch.triage import CaseBook, Triage


def test_rules_need_combinations(policy):
    t = Triage(policy)
    assert [r.id for r, _ in t.fired({"abuse_material", "price"})] == ["advert.explicit_term"]
    assert t.fired({"abuse_material_ambiguous", "price"}) == []  # cp + one support is not enough
    assert "advert.ambiguous_term" in [r.id for r, _ in t.fired({"abuse_material_ambiguous", "price", "contact"})]
    assert t.fired({"abuse_material_ambiguous", "price", "contact", "benign_context"}) == []


def test_explicit_term_with_a_minor_indicator_flags_but_not_in_reporting(engine):
    from csewatch.detect import StreamState

    def verdict(text):
        post = Post(id="p", platform="native", author_id="a", text=text, created_at=1.0)
        return engine.process(post, None, StreamState())[1]

    v = verdict("child p0rn | young girls")  # no price, link or contact: the pairing alone
    assert v is not None and v.category == "advert_sale_trade" and "advert.explicit_term_minor" in v.rules
    assert verdict("police arrested a man for child porn of young girls") is None
    assert verdict("young girls football club results") is None


def test_score_grows_with_support(policy):
    t = Triage(policy)
    one = dict((r.id, s) for r, s in t.fired({"abuse_material", "price"}))["advert.explicit_term"]
    three = dict((r.id, s) for r, s in t.fired({"abuse_material", "price", "contact", "payment"}))
    assert three["advert.explicit_term"] > one


def test_one_case_per_account_accumulates(engine, policy):
    from csewatch.detect import StreamState

    book = CaseBook(engine.triage)
    state = StreamState()
    acc = Account(id="a1", platform="native", followers=5000)
    for i in range(3):
        post = Post(id=f"p{i}", platform="native", author_id="a1", text="pthc vids 20$", created_at=10.0 + i * 100)
        _s, verdict = engine.process(post, acc, state)
        book.add(verdict, post, acc)
        book.add(verdict, post, acc)  # folding the same verdict twice changes nothing
    (case,) = book.finalize()
    assert case.id == "native:account:a1" and case.n_posts == 3 and case.first_seen == 10.0 and case.last_seen == 210.0
    small = CaseBook(engine.triage)
    post = Post(id="q", platform="native", author_id="a2", text="pthc vids 20$", created_at=1.0)
    _s, verdict = engine.process(post, None, StreamState())
    small.add(verdict, post, None)
    (other,) = small.finalize()
    assert case.priority > other.priority  # reach and volume raise priority
