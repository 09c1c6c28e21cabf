"""Commerce detector: prices and currencies (``90$``, ``$90``, ``90 usd``, ``€25``, ``0.01 btc``).
Payment words (PayPal, crypto, gift cards) are lexicon terms.
"""

from __future__ import annotations

import re

from csewatch.detect import Prepared, StreamState, evidence_from_view, make_signal, quoted
from csewatch.model import Signal
from csewatch.normalize import View

_NUM = r"\d{1,6}(?:[.,]\d{1,3})?"
_UNIT = r"(?:\$|€|£|¥|₹|usd|eur|euros?|gbp|dollars?|bucks|quid|pounds?|btc|usdt|eth|xmr|ltc|rs)"
PRICE_RE = re.compile(rf"(?:[$€£¥₹]\s?{_NUM}(?:\s?k\b)?|(?<![\w.]){_NUM}\s?(?:k\s?)?{_UNIT}(?![a-z0-9]))")
_HINT_RE = re.compile(r"\d")


def find_prices(view: View) -> list[tuple[int, int]]:
    if not _HINT_RE.search(view.text):
        return []
    return [m.span() for m in PRICE_RE.finditer(view.text)]


class CommerceDetector:
    name = "commerce"
    version = "1"

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        if not p.post.text:
            return []
        view = p.plain("text")
        spans = find_prices(view)
        if not spans:
            return []
        evs = [evidence_from_view(view, "text", s, e, "commerce:price") for s, e in spans]
        return [make_signal(self, p, "price", 0.4, lambda e: f"text states a price: {quoted(e)}", evs)]
