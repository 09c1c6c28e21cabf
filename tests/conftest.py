"""Shared fixtures: the default policy, a detection engine, and a helper that runs one post."""

from __future__ import annotations

import pytest

from csewatch.detect import StreamState
from csewatch.model import Account, Post
from csewatch.pipeline import DetectionEngine
from csewatch.policy import load_policy


@pytest.fixture(scope="session")
def policy():
    return load_policy()


@pytest.fixture(scope="session")
def engine(policy):
    return DetectionEngine(policy)


@pytest.fixture()
def run_post(engine):
    """Run one post (and optional author) through every detector and triage."""

    def _run(text: str, account: Account | None = None, state: StreamState | None = None, **kw):
        post = Post(
            id=kw.pop("id", "p1"),
            platform="native",
            author_id=kw.pop("author_id", "a1"),
            text=text,
            created_at=kw.pop("created_at", 1_790_000_000.0),
            **kw,
        )
        signals, verdict = engine.process(post, account, state or StreamState(), explain_all=True)
        return signals, verdict

    return _run


def indicators(signals) -> set[str]:
    return {s.indicator for s in signals}
