"""Shared fixtures of the contract tests: the default policy, the process manifest and a small varied
synthetic stream (generated into a temporary directory from the repo's own synth package)."""

from __future__ import annotations

from pathlib import Path

import pytest

from csewatch.ingest import expand_sources, parse_line
from csewatch.ingest.common import Reject
from csewatch.manifest import Manifest, build_manifest
from csewatch.model import Account, Post
from csewatch.policy import Policy, load_policy
from csewatch.synth import generate


@pytest.fixture(scope="session")
def policy() -> Policy:
    return load_policy()


@pytest.fixture(scope="session")
def manifest() -> Manifest:
    return build_manifest()


@pytest.fixture(scope="session")
def stream(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[Post | None, list[Account]]]:
    """(post or None, account records) in stream order, from 1,500 synthetic posts of every format."""
    out: Path = tmp_path_factory.mktemp("synth")
    generate(out, 1500, seed=11)
    items: list[tuple[Post | None, list[Account]]] = []
    for src in expand_sources([str(out / "stream")]):
        fmt = None
        for n, _pos, raw in src.lines():
            try:
                record, fmt = parse_line(raw, src.key, n, fmt)
            except Reject:
                continue
            items.append((None, record.accounts))
            items.extend((p, []) for p in record.posts)
    return items
