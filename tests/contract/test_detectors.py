"""Contract of every registered detector, checked from its own declaration: a unique name, only declared
indicators that the policy knows, worked examples flagged with the declared indicator, evidence that slices
the original text exactly, hard negatives not flagged -- and detection that does not depend on order."""

from __future__ import annotations

import random

import msgspec
import pytest

from csewatch.detect import Prepared, StreamState
from csewatch.manifest import DetectorSpec, Example, Manifest, build_manifest
from csewatch.model import Account, Post, Signal
from csewatch.pipeline import DetectionEngine
from csewatch.policy import DETECTOR_INDICATORS, Policy

SPECS = list(build_manifest().detectors.values())


def _post(ex: Example, n: int = 1) -> tuple[Post, Account | None]:
    post = Post(id=f"ex{n}", platform="native", author_id="author_ex", text=ex.text, created_at=1_700_000_000.0)
    acc = Account(id="author_ex", platform="native", handle="author_ex", bio=ex.bio) if ex.bio else None
    return post, acc


def _run(engine: DetectionEngine, spec: DetectorSpec, ex: Example) -> tuple[Prepared, list[Signal]]:
    det = next(d for d in engine.detectors if d.name == spec.name)
    post, acc = _post(ex)
    p = Prepared(post, acc, engine.normalizer, engine.providers)
    signals = det.detect(p, StreamState())
    p.materialize()
    return p, signals


def _allowed(spec: DetectorSpec, policy: Policy) -> set[str]:
    terms = {i for i, _t, _a in policy.term_entries()} | {f"{i}_ambiguous" for i, _t, a in policy.term_entries() if a}
    return set(spec.indicators) | (terms if spec.emits_terms else set())


@pytest.fixture(scope="module")
def engine(policy: Policy, manifest: Manifest) -> DetectionEngine:
    return DetectionEngine(policy, manifest=manifest)


def test_names_unique_and_built(engine: DetectionEngine) -> None:
    names = [d.name for d in engine.detectors]
    assert len(names) == len(set(names)) and set(names) == {s.name for s in SPECS}


def test_declared_indicators_are_known_to_the_policy(policy: Policy, manifest: Manifest) -> None:
    known = policy.known_indicators()
    for spec in SPECS:
        assert spec.indicators <= known, (spec.name, spec.indicators - known)
    # what the policy accepts is derived from the manifest: the built-ins declare exactly the old list
    assert manifest.indicators() == DETECTOR_INDICATORS


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_examples_flagged_with_exact_evidence(spec: DetectorSpec, engine: DetectionEngine, policy: Policy) -> None:
    for ex in spec.examples:
        p, signals = _run(engine, spec, ex)
        assert ex.indicator in {s.indicator for s in signals}, (spec.name, ex)
        assert {s.indicator for s in signals} <= _allowed(spec, policy)
        for s in signals:
            for e in s.evidence:
                if e.field in ("text", "bio", "handle", "display_name"):
                    assert p.field_text(e.field)[e.start : e.end] == e.text


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_hard_negatives_not_flagged(spec: DetectorSpec, engine: DetectionEngine) -> None:
    """A hard negative is not flagged: neither by the detector's signals nor by the whole engine."""
    assert spec.negatives, f"{spec.name} declares no hard negatives"
    for ex in spec.negatives:
        p, signals = _run(engine, spec, ex)
        # weak cues (a sale word) may fire; they must not be enough to flag, alone or with the others
        assert engine.triage.judge(p.post, signals) is None, (spec.name, ex, [s.indicator for s in signals])
        post, acc = _post(ex)
        _signals, verdict = engine.process(post, acc, StreamState())
        assert verdict is None


def _scan(engine: DetectionEngine, stream: list) -> list[tuple[Prepared, list[Signal]]]:
    state = StreamState()
    accounts: dict[tuple[str, str], Account] = {}
    out = []
    for post, accs in stream:
        for a in accs:
            accounts[(a.platform, a.id)] = a
        if post is not None:
            p, signals = engine.detect(post, accounts.get((post.platform, post.author_id)), state)
            p.materialize()
            out.append((p, signals))
    return out


def test_stream_signals_declared_and_evidence_exact(engine: DetectionEngine, policy: Policy, stream: list) -> None:
    allowed = {s.name: _allowed(s, policy) for s in SPECS}
    seen: set[str] = set()
    for p, signals in _scan(engine, stream):
        for s in signals:
            if s.detector in allowed:
                seen.add(s.detector)
                assert s.indicator in allowed[s.detector], (s.detector, s.indicator)
            for e in s.evidence:
                if e.field in ("text", "bio"):
                    assert p.field_text(e.field)[e.start : e.end] == e.text
    assert len(seen) >= 5  # the stream is varied enough to exercise most detectors


def _signature(results: list[tuple[Prepared, list[Signal]]]) -> list[list[bytes]]:
    return [sorted(msgspec.json.encode(s) for s in signals) for _p, signals in results]


def test_detector_order_does_not_change_signals(policy: Policy, manifest: Manifest, stream: list) -> None:
    base = DetectionEngine(policy, manifest=manifest)
    expected = _signature(_scan(base, stream))
    assert sum(map(len, expected)) > 100
    for seed in (1, 2):
        shuffled = DetectionEngine(policy, manifest=manifest)
        order = list(shuffled.detectors)
        random.Random(seed).shuffle(order)
        shuffled.detectors = order  # context and grammar before the lexicon, evasion before links...
        assert [d.name for d in order] != [d.name for d in base.detectors]
        assert _signature(_scan(shuffled, stream)) == expected
