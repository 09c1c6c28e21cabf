"""Benign-sense guards hold in many languages: news about the crime and food deals with a code word's
other meaning are not adverts; the same words offered for sale still are."""

from __future__ import annotations

import pytest


def _advert(verdict) -> bool:
    return verdict is not None and verdict.category == "advert_sale_trade"


@pytest.mark.parametrize(
    "text",
    [
        "police arrested a man selling child porn on telegram, court date set",
        "polisi menangkap tersangka penjual pornografi anak lewat telegram",
        "la policía detuvo al acusado por vender pornografía infantil en telegram",
        "Polizei: Verdächtiger wegen Kinderpornografie festgenommen, Ermittlungen laufen",
    ],
)
def test_reporting_on_the_crime_is_not_an_advert(run_post, text):
    _signals, verdict = run_post(text)
    assert not _advert(verdict), text


@pytest.mark.parametrize(
    "text",
    [
        "caldo de pollo casero 5€ el litro, pedidos por dm",
        "cheese pizza family size $12, homemade, dm to book a slot",
    ],
)
def test_food_is_not_an_advert(run_post, text):
    _signals, verdict = run_post(text)
    assert not _advert(verdict), text


def test_the_same_words_offered_for_sale_still_are(run_post):
    _signals, verdict = run_post("child porn folder 30$ telegram")
    assert _advert(verdict)
