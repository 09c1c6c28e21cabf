"""Triage of the learned model's signals: the more probable label names the category (score_from),
weak scores need the rule detectors' support, and shadow signals never make a live verdict."""

from __future__ import annotations

from csewatch.model import Post, Signal
from csewatch.triage import Triage


def _sig(indicator: str, score: float) -> Signal:
    return Signal(
        detector="classifier",
        version="t",
        subject_type="post",
        subject_id="p1",
        indicator=indicator,
        score=score,
        explanation="",
        post_id="p1",
    )


POST = Post(id="p1", platform="x", author_id="a1", text="...")


def test_the_more_probable_model_label_names_the_category(policy):
    t = Triage(policy)
    v = t.judge(POST, [_sig("model_advert", 0.91), _sig("model_evasion", 0.99)])
    assert v.category == "evasion_announcement" and v.rules[0] == "model.evasion"
    v = t.judge(POST, [_sig("model_advert", 0.99), _sig("model_evasion", 0.91)])
    assert v.category == "advert_sale_trade" and abs(v.score - 0.899) < 1e-3


def test_weak_model_scores_need_support_and_shadow_signals_stay_shadow(policy):
    t = Triage(policy)
    assert t.judge(POST, [_sig("model_advert_weak", 0.5)]) is None
    # generic commerce cues are not support enough (benign sales have them too); a cue of the grammar is
    assert t.judge(POST, [_sig("model_advert_weak", 0.5), _sig("price", 0.6), _sig("offplatform_link", 0.7)]) is None
    v = t.judge(POST, [_sig("model_advert_weak", 0.5), _sig("minor_material", 0.8)])
    assert v.category == "advert_sale_trade" and "model.advert_supported" in v.rules
    assert t.judge(POST, [_sig("shadow_model_advert", 0.99)]) is None
    shadow = t.judge_shadow(POST, [_sig("shadow_model_advert", 0.99)])
    assert shadow.rules == ["shadow:model.advert"] and shadow.category == "advert_sale_trade"


def test_family_guards_hold_the_model_and_repeat_commenters_get_an_account_case(policy):
    t = Triage(policy)
    assert t.judge(POST, [_sig("model_context", 0.99), _sig("context_family_reply", 0.5)]) is None
    v = t.judge(POST, [_sig("model_context", 0.99)])
    assert v.category == "sexualising_context" and ("account", "a1") not in v.case_subjects
    v = t.judge(POST, [_sig("model_context", 0.99), _sig("context_repeat_commenter", 0.8)])
    assert ("account", "a1") in v.case_subjects
