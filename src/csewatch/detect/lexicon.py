"""Lexicon detector: many-pattern search (Aho-Corasick) of the policy's term lists over folded text.

Terms and text are folded by the same normalizer, so one entry covers its obfuscated spellings. A
hit counts when it stands as a whole word, or when it is a run of whole segments of a run-together
token (``sellingcpfolder`` -> selling | cp | folder); substrings of ordinary words never count. In
scripts the segmenter does not know, a run-together token counts when terms tile it end to end.
Ages stated as numbers (``13yo``, ``age 12``) are read from the plain view by ``age``.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import ahocorasick

from csewatch.detect import (
    Prepared,
    RawEvidence,
    StreamState,
    evidence_from_view,
    make_signal,
    quoted,
    resolve_evidence,
)
from csewatch.detect.age import find_minor_ages
from csewatch.model import Signal
from csewatch.normalize import Normalizer, View, segments_contain, token_at
from csewatch.policy import Policy

Hit = tuple[str, int, int, str, View]  # (indicator, start, end, folded term, the view it is in)


class Lexicon:
    """The policy's terms compiled into one automaton over their folded forms."""

    def __init__(self, policy: Policy, normalizer: Normalizer):
        self.automaton = ahocorasick.Automaton()
        entries: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for indicator, term, ambiguous in policy.term_entries():
            key = normalizer.fold_term(term)
            name = f"{indicator}_ambiguous" if ambiguous else indicator
            forms = {key}
            if " " in key:
                forms.add(key.replace(" ", ""))  # childporn, cheesepiza: joined spellings
            for form in forms:
                if (name, key) not in entries[form]:
                    entries[form].append((name, key))
        for form, values in entries.items():
            self.automaton.add_word(form, (len(form), tuple(values)))
        self.automaton.make_automaton()
        self.size = len(entries)

    def find_views(self, views: list[View]) -> list[Hit]:
        """Hits in every reading of a field; the same original span is reported once."""
        if len(views) == 1:
            return self.find(views[0])
        hits: list[Hit] = []
        seen: set[tuple[str, int, int]] = set()
        for view in views:
            for hit in self.find(view):
                k = (hit[0], *view.span(hit[1], hit[2]))
                if k not in seen:
                    seen.add(k)
                    hits.append(hit)
        return hits

    def find(self, view: View) -> list[Hit]:
        text = view.text
        hits: list[Hit] = []
        n = len(text)
        pieces: dict[tuple[int, int], list[tuple[int, int, Any]]] = {}  # non-ASCII run-together tokens
        for end_idx, (length, values) in self.automaton.iter(text):
            end = end_idx + 1
            start = end - length
            left_ok = start == 0 or not text[start - 1].isalnum()
            right_ok = end == n or not text[end].isalnum()
            if not (left_ok and right_ok):
                a, b = token_at(text, start, end)
                token = text[a:b]
                if len(token) > 48 or not token.isalnum():
                    continue
                if not token.isascii():
                    pieces.setdefault((a, b), []).append((start, end, values))
                    continue
                if not segments_contain(token, values[0][1]):
                    continue
            for name, key in values:
                hits.append((name, start, end, key, view))
        if pieces:
            for (a, b), cands in pieces.items():
                for start, end, values in _tiling(a, b, cands):
                    for name, key in values:
                        hits.append((name, start, end, key, view))
        return hits


def _tiling(a: int, b: int, cands: list[tuple[int, int, Any]]) -> list[tuple[int, int, Any]]:
    """The terms that tile a run-together token [a, b) exactly, end to end (``детскоеколлекция`` ->
    детское | коллекция): for scripts the word segmenter does not know, a token counts only when
    it is made of terms, and each term on such a tiling is a hit."""
    reach = {a}
    for start, end, _v in sorted(cands):
        if start in reach:
            reach.add(end)
    if b not in reach:
        return []
    back = {b}
    for start, end, _v in sorted(cands, key=lambda c: -c[1]):
        if end in back and start in reach:
            back.add(start)
    return [c for c in cands if c[0] in reach and c[1] in back and c[0] in back]


def hits_to_signals(detector: Any, p: Prepared, field: str, hits: list[Hit]) -> list[Signal]:
    by_indicator: dict[str, list[RawEvidence]] = defaultdict(list)
    for name, start, end, key, view in hits:
        by_indicator[name].append(evidence_from_view(view, field, start, end, f"terms:{name}:{key}"))
    out = []
    for name, evs in by_indicator.items():
        what = name.replace("_", " ")
        out.append(make_signal(detector, p, name, 0.6, lambda e, w=what: f"{field} has {w} term(s) {quoted(e)}", evs))
    return out


_PAREN_AFTER = re.compile(r"(?:\s+[^\W\d_]+){0,2}\s*\(([^()]{3,60})\)")  # up to two words between
_PAREN_BEFORE = re.compile(r"([^\W\d_][^()]{2,60})\(\s*$")
_WORD = re.compile(r"[^\W\d_]+")


def _is_acronym(term: str) -> bool:
    return 2 <= len(term) <= 5 and term.isalpha()


def _initials(words: list[str]) -> str:
    return "".join(w[0] for w in words).lower()


def _spelled_out(hit: Hit) -> bool:
    """True when an ambiguous acronym is expanded beside it: ``CP (club penguin)`` or
    ``combat power (cp)``, with initials that spell the acronym: then it means that, not the abuse term."""
    _name, start, end, term, view = hit
    s, e = view.span(start, end)
    text = view.original
    m = _PAREN_AFTER.match(text, e)
    if m and _initials(_WORD.findall(m.group(1))[: len(term)]) == term:
        return True
    before = _PAREN_BEFORE.search(text[max(0, s - 64) : s])
    if before and text[e : e + 3].lstrip().startswith(")"):
        words = _WORD.findall(before.group(1))
        return _initials(words[-len(term) :]) == term
    return False


class LexiconDetector:
    name = "lexicon"
    version = "1"

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon

    def hits(self, p: Prepared) -> list:
        """The shared input ``hits``: lexicon hits on the post text."""
        return self.lexicon.find_views(p.fold_variants("text")) if p.post.text else []

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]:
        if not p.post.text:
            return []
        hits = p.shared("hits", self.hits)
        signals = hits_to_signals(self, p, "text", hits)
        expanded = [h for h in hits if h[0].endswith("_ambiguous") and _is_acronym(h[3]) and _spelled_out(h)]
        if expanded:
            evs = [resolve_evidence((v, "text", a, b, f"acronym:{term}")) for _n, a, b, term, v in expanded]
            signals.append(
                make_signal(
                    self,
                    p,
                    "benign_context",
                    0.5,
                    lambda e: f"the acronym {quoted(e)} is spelled out as something else in the same post",
                    evs,
                )
            )
        ages = find_minor_ages(p.plain("text"))
        if ages:
            pv = p.plain("text")
            evs = [evidence_from_view(pv, "text", s, e, "age:stated_minor_age") for s, e, _age in ages]
            signals.append(
                make_signal(self, p, "minor_age", 0.5, lambda e: f"text states a minor's age: {quoted(e)}", evs)
            )
        return signals
