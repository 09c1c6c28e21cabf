"""The built-in extensions of csewatch, registered through the manifest exactly as a third party would
(``register(manifest)``; see docs/EXTENDING.md). One line per detector, format, sink and hash type.

Detector order here is only the order signals are listed in; no detector reads another's output (shared
inputs -- lexicon hits, links -- are computed on first ask by ``Prepared.shared``). The learned model and
the ban-evasion watch are not detectors: they are explicit later stages of ``DetectionEngine`` that read
the detectors' signals; their indicators and state are declared here too.
"""

from __future__ import annotations

from typing import Any

from csewatch.actions.sinks import JsonlSink, WebhookSink
from csewatch.detect.account import AccountDetector
from csewatch.detect.commerce import CommerceDetector
from csewatch.detect.context import ContextDetector
from csewatch.detect.flood import FloodDetector
from csewatch.detect.grammar import GrammarDetector
from csewatch.detect.hashtags import HashtagDetector
from csewatch.detect.lexicon import LexiconDetector
from csewatch.detect.links import LinkDetector
from csewatch.ingest import jetstream, mastodon, native, x_v2
from csewatch.manifest import (
    Context,
    DetectorSpec,
    Example,
    FormatSpec,
    GraphJobSpec,
    HashTypeSpec,
    Manifest,
    SinkSpec,
)
from csewatch.policy import CONTEXT_INDICATORS, MODEL_INDICATORS

NEGATIVES = (
    Example("lovely weather at the park today, see you later", None),
    Example("selling my old bike, ask at the shop", None),
)


def _lexicon(ctx: Context) -> Any:
    return ctx.shared.get("lexicon_detector") or LexiconDetector(ctx.shared["lexicon"])


def _format(name: str, mod: Any, fixture: bytes) -> FormatSpec:
    return FormatSpec(name, mod.looks_like, mod.parse, fixture)


def _coordination(store: Any, policy: Any) -> Any:
    from csewatch.graph.coordination import coordination  # graph libraries load only when a job runs

    return coordination(store, policy)


def _discovery(store: Any, policy: Any) -> Any:
    from csewatch.graph.discovery import discover

    return discover(store, policy)


def register(m: Manifest) -> None:
    """Register every built-in with ``m``."""
    # -- detectors (shared inputs: "hits" from the lexicon, "link_finds" from the links matcher) --
    m.detector(DetectorSpec(
        "lexicon", "1", frozenset({"benign_context", "minor_age"}), _lexicon,
        examples=(Example("pthc folder, dm", "abuse_material"),), negatives=NEGATIVES, emits_terms=True,
    ))
    m.detector(DetectorSpec(
        "hashtags", "1", frozenset({"blocked_hashtag", "watch_hashtag", "candidate_hashtag"}),
        lambda c: HashtagDetector(c.policy, c.normalizer), negatives=NEGATIVES,
    ))
    m.detector(DetectorSpec(
        "links", "1", frozenset({"offplatform_link", "shared_invite_link"}),
        lambda c: LinkDetector(c.policy, c.shared["links"]), state=("link_authors",),
        examples=(Example("menu at t.me/menu_x1 dm", "offplatform_link"),), negatives=NEGATIVES,
    ))
    m.detector(DetectorSpec(
        "commerce", "1", frozenset({"price"}), lambda c: CommerceDetector(),
        examples=(Example("folder $20 each, dm", "price"),), negatives=NEGATIVES,
    ))
    m.detector(DetectorSpec(
        "flood", "1", frozenset({"bot_flood"}), lambda c: FloodDetector(), state=("floods",), negatives=NEGATIVES,
    ))
    m.detector(DetectorSpec(
        "grammar", "1",
        frozenset({"minor_material", "code_material", "euphemism_material", "euphemism_material_weak",
                   "age_range_goods", "buy_request", "price_menu", "benign_context"}),
        lambda c: GrammarDetector(), negatives=NEGATIVES,
    ))
    m.detector(DetectorSpec(
        "account", "1",
        frozenset({"account_abuse_term", "account_offplatform_link", "account_price", "new_account",
                   "high_post_rate"}),
        lambda c: AccountDetector(c.policy, c.shared["lexicon"], c.shared["links"]), state=("author_times",),
        examples=(Example("new menu", "account_offplatform_link", bio="menu t.me/menu_x1"),), negatives=NEGATIVES,
    ))
    m.detector(DetectorSpec(
        "context", "1", frozenset(CONTEXT_INDICATORS),
        lambda c: ContextDetector(c.policy, c.normalizer), state=("threads", "thread_hits", "media_posts"),
        negatives=NEGATIVES,
    ))
    # -- the later stages (not detectors): the media matcher, the evasion watch, the learned model --
    m.indicator("known_material", "ban_evasion_link", "context_age_question", "context_age_mention",
                "context_trade_request", *MODEL_INDICATORS)
    m.state_namespace("evasion_suspended", "evasion_blocks", "evasion_followers", "evasion_names",
                      "evasion_seen", "evasion_meta", "author_links")
    # -- ingest formats --
    m.format(_format("x", x_v2, b'{"data": {"id": "101", "author_id": "9", "text": "hello"}}'))
    m.format(_format("bluesky", jetstream, (
        b'{"did": "did:plc:abc", "time_us": 1700000000000000, "kind": "commit", "commit": {"operation": "create",'
        b' "collection": "app.bsky.feed.post", "rkey": "3k1", "record": {"text": "hello",'
        b' "createdAt": "2024-01-01T00:00:00Z"}}}'
    )))
    m.format(_format("mastodon", mastodon, (
        b'{"id": "11", "created_at": "2024-01-01T00:00:00Z", "content": "<p>hello</p>", "uri": "https://m.example/1",'
        b' "account": {"id": "5", "username": "a", "acct": "a"}}'
    )))
    m.format(_format("native", native, b'{"type": "post", "id": "1", "platform": "native", "author_id": "a"}'))
    # -- action sinks --
    m.sink(SinkSpec("jsonl", lambda path, **_: JsonlSink(path)))
    m.sink(SinkSpec("webhook", lambda url, secret, **kw: WebhookSink(url, secret, **kw)))
    # -- graph jobs (run over the store) --
    m.graph_job(GraphJobSpec("coordination", _coordination, "the same link or text from several accounts at once"))
    m.graph_job(GraphJobSpec("hashtag_discovery", _discovery, "candidate hashtags near flagged posts"))
    # -- media hash types: registered from csewatch.media.hashtypes when that module is present --
    try:
        from csewatch.media import hashtypes  # type: ignore[attr-defined]
    except ImportError:
        return
    for name, ht in getattr(hashtypes, "REGISTRY", {}).items():
        m.hash_type(HashTypeSpec(name, ht, getattr(ht, "example", None)))
