"""Reviewers' decisions become training examples: posts of a case decided violating teach its
category's label, those of a case decided not violating are negatives, weighted above synthetic data."""

from __future__ import annotations

import orjson

from csewatch.learn.train import LABELS, decision_corpus
from csewatch.pipeline import Scanner
from csewatch.review.decisions import ReviewService
from csewatch.store import Store


def test_decided_cases_become_weighted_examples(tmp_path, policy):
    lines = [
        {"type": "post", "id": "1", "author_id": "seller", "text": "pthc pack 30$ dm"},
        {"type": "post", "id": "2", "author_id": "seller", "text": "cp vids trade, telegram"},
        {"type": "post", "id": "3", "author_id": "other", "text": "pthc folder 20$ dm me"},
    ]
    stream = tmp_path / "s.jsonl"
    stream.write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    store = Store(str(tmp_path / "d.db"), policy.version)
    Scanner(policy, store).scan([str(stream)])
    review = ReviewService(store, policy)
    review.decide("native:account:seller", "alice", "violating", "advert")
    review.decide("native:account:other", "alice", "not_violating", "test post")
    corpus = decision_corpus(store, policy)
    got = {e.key: (e.y, e.label, e.weight, e.source) for e in corpus.examples}
    advert = tuple(int(x == "advert") for x in LABELS)
    assert got["native:1"] == (advert, "decided_violating", 3.0, "decisions")
    assert got["native:2"][0] == advert
    assert got["native:3"] == ((0, 0, 0), "decided_not_violating", 3.0, "decisions")
    assert all(e.doc["c"] and e.doc["w"] for e in corpus.examples)  # the same features the scan sees
