"""Commerce detector: prices and currencies in the forms adverts use, in many languages.

Symbols and codes before or after the amount (``90$``, ``$90``, ``usd 90``, ``90 usd``, ``€25``,
``R$ 50``, ``Rp 50.000``, ``₱500``, ``500 руб``), crypto (``0.01 btc``, ``25 USDT``) and the
Indonesian thousands suffixes (``400rb``, ``400 ribu``, ``2jt``). Payment words (PayPal, crypto,
gift cards) are lexicon terms. ``find_prices`` is shared with the indicator grammar (price lists).
"""

from __future__ import annotations

import re

from csewatch.detect import Prepared, StreamState, evidence_from_view, make_signal, quoted
from csewatch.model import Signal
from csewatch.normalize import View

_NUM = r"(?:\d{1,3}(?:[.,]\d{3})+|\d{1,7}(?:[.,]\d{1,8})?)"
# units written after the amount
_UNIT = (
    r"(?:\$|€|£|¥|₹|₽|₱|usd|usdt|eur|euros?|gbp|dollars?|bucks|quid|pounds?|btc|eth|xmr|ltc|trx|sol|rs"
    r"|brl|reais|rub|руб(?:ле[йи]|ля|\.)?|р\.|idr|php|pesos?|mxn|ars|cop|clp|pen|chf|pln|zł|uah|грн"
    r"|rb|ribu|rbu|jt|juta|balles)"
)
# symbols and codes written before the amount
_PRE = r"(?:r\$|[$€£¥₹₽₱]|(?<![a-z])(?:usd|usdt|eur|gbp|brl|rp|idr|php|mxn|rub|btc)\.?)"
PRICE_RE = re.compile(
    rf"(?:{_PRE}\s?{_NUM}(?:\s?k\b)?"
    rf"|(?<![\w.]){_NUM}(?:,-)?\s?(?:k\s?)?{_UNIT}(?![a-z0-9а-я]))"
)
_HINT_RE = re.compile(r"\d")


def find_prices(view: View) -> list[tuple[int, int]]:
    """Spans of prices in a plain (lower-cased, not folded) view."""
    if not _HINT_RE.search(view.text):
        return []
    return [m.span() for m in PRICE_RE.finditer(view.text)]


class CommerceDetector:
    name = "commerce"
    version = "2"

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        if not p.post.text:
            return []
        view = p.plain("text")
        spans = find_prices(view)
        if not spans:
            return []
        evs = [evidence_from_view(view, "text", s, e, "commerce:price") for s, e in spans]
        return [make_signal(self, p, "price", 0.4, lambda e: f"text states a price: {quoted(e)}", evs)]
