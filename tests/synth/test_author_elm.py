"""Tests for the elm synthetic author: determinism, label mix, family and language coverage, native-format
parsing of every line, clean UTF-8, thread/evasion structure."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

from csewatch.ingest import parse_line
from csewatch.synth.authors.elm import generate

POSTS = 3000


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("elm")
    counts = generate(d, posts=POSTS, seed=3)
    assert counts["posts"] == POSTS
    return d


def _rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_deterministic_per_seed(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, posts=600, seed=11)
    generate(b, posts=600, seed=11)
    generate(c, posts=600, seed=12)
    for name in ("stream.jsonl", "labels.jsonl", "accounts.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "stream.jsonl").read_bytes() != (c / "stream.jsonl").read_bytes()


def test_label_mix(out: Path) -> None:
    labels = _rows(out / "labels.jsonl")
    assert len(labels) == POSTS
    frac = {k: v / POSTS for k, v in Counter(r["label"] for r in labels).items()}
    assert 0.12 <= frac["advert"] <= 0.16
    assert 0.06 <= frac["context_reply"] <= 0.08
    assert 0.01 <= frac["thread_root_innocent"] < 0.04
    assert 0.02 <= frac["evasion_announcement"] <= 0.04
    assert 0.38 <= frac["hard_negative"] <= 0.42
    assert frac["ordinary"] + frac["benign_reply"] >= 0.25
    harmful = [r for r in labels if r["label"] in ("advert", "context_reply", "evasion_announcement")]
    obf = sum(r["obfuscation"] != "none" for r in harmful) / len(harmful)
    assert 0.25 <= obf <= 0.45
    hn = [r for r in labels if r["label"] == "hard_negative"]
    assert 0.05 <= sum(r["obfuscation"] != "none" for r in hn) / len(hn) <= 0.16


def test_every_family_and_language(out: Path) -> None:
    labels = _rows(out / "labels.jsonl")
    fams: dict[str, set[str]] = {}
    subs: dict[str, set[str]] = {}
    for r in labels:
        fams.setdefault(r["label"], set()).add(r["family"])
        subs.setdefault(r["label"], set()).add(r["subfamily"])
    assert {"compound", "age_goods", "menu", "euphemism", "emoji_code", "buy_request", "trade", "bio_only", "reply",
            "quote", "repost", "community", "bot_flood", "coded_hashtag"} <= fams["advert"]
    assert {"age_question", "stated_age", "more_photos", "trade_request", "offplatform_contact", "emoji_only",
            "nested_followup", "quote_post"} <= subs["context_reply"]
    assert {"cp_sense", "food_deal", "kids_items", "crypto_spam", "ordinary_sale", "youth_sports", "leaks",
            "family_ages", "csam_news", "file_sharing", "trading_cards", "school_folder", "parenting_safety",
            "benign_migration", "lolita_fashion", "minor_sense", "nonhuman_age_question"} <= fams["hard_negative"]
    langs = Counter(r["lang"] for r in labels)
    assert {"en", "es", "pt", "fr", "de", "it", "ru", "id", "tl", "mixed"} <= set(langs)
    styles = {r["link_style"] for r in labels if r["label"] == "advert"}
    assert {"url", "bare_host", "written_dots", "spaced", "dropped_dot", "app_id", "onion", "dm", "bio"} <= styles


def test_every_line_parses_as_native(out: Path) -> None:
    kinds = Counter()
    for i, raw in enumerate((out / "stream.jsonl").read_bytes().splitlines(), 1):
        rec, fmt = parse_line(raw, "elm", i, None)
        assert fmt == "native"
        kinds["post"] += len(rec.posts)
        kinds["account"] += len(rec.accounts)
        kinds["edge"] += len(rec.edges)
    assert kinds["post"] == POSTS and kinds["account"] > 50 and kinds["edge"] > 100


def test_clean_utf8_text(out: Path) -> None:
    for name in ("stream.jsonl", "labels.jsonl", "accounts.jsonl"):
        text = (out / name).read_bytes().decode("utf-8", errors="strict")
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text)
    for o in _rows(out / "stream.jsonl"):
        for key in ("text", "bio", "display_name", "handle"):
            v = o.get(key) or ""
            assert all(c in "\n" or unicodedata.category(c) != "Cc" for c in v), (key, v)


def test_stream_structure(out: Path) -> None:
    stream = _rows(out / "stream.jsonl")
    labels = {(r["platform"], r["id"]): r for r in _rows(out / "labels.jsonl")}
    roles = {(r["platform"], r["id"]): r for r in _rows(out / "accounts.jsonl")}
    times = [o.get("created_at") or o.get("status_at") for o in stream]
    assert times == sorted(times)
    assert max(times) - min(t for t in times if t) > 3 * 86_400
    posts = {(o["platform"], o["id"]): o for o in stream if o["type"] == "post"}
    assert len(posts) == POSTS == len(labels)
    assert {o["platform"] for o in posts.values()} == {"x", "bluesky", "mastodon"}
    seen_accounts: set[tuple[str, str]] = set()
    suspended: dict[tuple[str, str], float] = {}
    created: dict[tuple[str, str], float] = {}
    for o in stream:
        key = (o["platform"], o.get("id", ""))
        if o["type"] == "account":
            if o.get("status") == "suspended":
                suspended[key] = o["status_at"]
            else:
                created[key] = o["created_at"]
            seen_accounts.add(key)
        elif o["type"] == "post":
            assert (o["platform"], o["author_id"]) in seen_accounts
            if "reply_to" in o:
                parent = posts[(o["platform"], o["reply_to"])]
                assert parent["created_at"] <= o["created_at"]
                assert "reply_to" not in posts[(o["platform"], o["reply_root"])]
    nested = [p for p in posts.values() if "reply_to" in p and p["reply_to"] != p["reply_root"]]
    assert any(labels[(p["platform"], p["id"])]["label"] == "context_reply" for p in nested)
    quoted = [p for p in posts.values()
              if "quote_of" in p and labels[(p["platform"], p["id"])]["label"] == "context_reply"]
    assert all(labels[(q["platform"], q["quote_of"])]["label"] == "thread_root_innocent" for q in quoted) and quoted
    for key, row in roles.items():
        if row["role"] == "evader":
            old = (key[0], row["predecessor"])
            assert old in suspended and created[key] > suspended[old]
    for key, lab in labels.items():
        author = (key[0], posts[key]["author_id"])
        if lab["label"] == "evasion_announcement":
            assert roles[author]["role"] == "evader"
        if lab["label"] == "thread_root_innocent":
            assert posts[key]["media"]
        if lab["label"] == "context_reply":
            assert roles[author]["role"] == "commenter"


def test_bio_only_offer_lives_in_bio(out: Path) -> None:
    stream = _rows(out / "stream.jsonl")
    labels = {(r["platform"], r["id"]): r for r in _rows(out / "labels.jsonl")}
    bios = {(o["platform"], o["id"]): o.get("bio", "") for o in stream if o["type"] == "account" and "bio" in o}
    bio_posts = [o for o in stream if o["type"] == "post" and labels[(o["platform"], o["id"])]["family"] == "bio_only"]
    assert bio_posts
    assert all(len(bios[(o["platform"], o["author_id"])]) >= 4 for o in bio_posts)


def test_new_tags_only_in_adverts(out: Path) -> None:
    labels = {(r["platform"], r["id"]): r["label"] for r in _rows(out / "labels.jsonl")}
    tag_labels: dict[str, set[str]] = {}
    for o in _rows(out / "stream.jsonl"):
        if o["type"] == "post":
            for t in o["hashtags"]:
                tag_labels.setdefault(t.lower(), set()).add(labels[(o["platform"], o["id"])])
    advert_only = [t for t, labs in tag_labels.items() if labs <= {"advert", "evasion_announcement"}]
    assert len(advert_only) >= 5


def test_evaders_resemble_predecessors_and_bots_flood(out: Path) -> None:
    stream = _rows(out / "stream.jsonl")
    roles = {(r["platform"], r["id"]): r for r in _rows(out / "accounts.jsonl")}
    labels = {(r["platform"], r["id"]): r for r in _rows(out / "labels.jsonl")}
    prof = {(o["platform"], o["id"]): o for o in stream if o["type"] == "account" and "handle" in o}
    evaders = [k for k, r in roles.items() if r["role"] == "evader"]
    assert evaders
    for k in evaders:
        new, old = prof[k], prof[(k[0], roles[k]["predecessor"])]
        stem = old["handle"].split("@")[0].split(".bsky")[0].replace("-", "_")[:5].lower()
        assert new["handle"].replace("-", "_").lower().startswith(stem) or new["display_name"] == old["display_name"]
    flood: dict[tuple[str, str], list[float]] = {}
    for o in stream:
        if o["type"] == "post" and labels[(o["platform"], o["id"])]["family"] == "bot_flood":
            assert roles[(o["platform"], o["author_id"])]["role"] == "bot"
            flood.setdefault((o["platform"], o["author_id"]), []).append(o["created_at"])
    gaps = [b - a for ts in flood.values() for a, b in zip(ts, ts[1:], strict=False)]
    assert gaps and sorted(gaps)[len(gaps) // 2] <= 240
