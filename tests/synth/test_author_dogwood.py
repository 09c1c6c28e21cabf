"""Tests for the dogwood synthetic author: determinism, label mix, families, native format, clean text."""

from __future__ import annotations

import json
import pathlib

import pytest

from csewatch.ingest import parse_line
from csewatch.synth.authors.dogwood import generate

N = 3000


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    d = tmp_path_factory.mktemp("dogwood")
    generate(d, posts=N, seed=5)
    return d


def _rows(path: pathlib.Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_deterministic_per_seed(tmp_path: pathlib.Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, posts=800, seed=11)
    generate(b, posts=800, seed=11)
    generate(c, posts=800, seed=12)
    for name in ("stream.jsonl", "labels.jsonl", "accounts.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "stream.jsonl").read_bytes() != (c / "stream.jsonl").read_bytes()


def test_label_mix(out: pathlib.Path) -> None:
    labels = _rows(out / "labels.jsonl")
    assert len(labels) == N
    share = {k: sum(r["label"] == k for r in labels) / N for k in
             ("advert", "context_reply", "evasion_announcement", "hard_negative", "ordinary",
              "thread_root_innocent", "benign_reply")}
    assert 0.12 <= share["advert"] <= 0.16
    assert 0.05 <= share["context_reply"] <= 0.09
    assert 0.02 <= share["evasion_announcement"] <= 0.04
    assert 0.37 <= share["hard_negative"] <= 0.43
    assert 0 < share["thread_root_innocent"] < 0.04
    assert share["ordinary"] > 0.1 and share["benign_reply"] > 0.02


def test_every_family_present(out: pathlib.Path) -> None:
    labels = _rows(out / "labels.jsonl")
    fams = {r["family"] for r in labels}
    advert_fams = {r["family"] for r in labels if r["label"] == "advert"}
    assert {"compound", "age_goods", "menu", "euphemism", "emoji_code", "buy_request", "trade", "bio_only",
            "reply", "quote", "repost", "community", "bot_flood", "coded_hashtags"} <= advert_fams
    assert {"cp_benign", "food_deal", "kids_items_sale", "crypto_spam", "csam_news_advocacy", "file_sharing_legit",
            "trading_cards", "benign_migration", "nonhuman_age_question", "lolita_fashion", "minor_other",
            "parenting_safety", "context", "evasion", "child_photo", "child_photo_benign"} <= fams
    langs = {r["lang"] for r in labels}
    assert {"en", "es", "pt", "fr", "de", "it", "ru", "id", "tl"} <= langs
    harmful = [r for r in labels if r["label"] in ("advert", "context_reply", "evasion_announcement")]
    obf = sum(r["obfuscation"] != "none" for r in harmful) / len(harmful)
    assert 0.2 <= obf <= 0.45
    assert len({r["obfuscation"] for r in harmful}) >= 15


def test_native_format_and_clean_text(out: pathlib.Path) -> None:
    raw = (out / "stream.jsonl").read_bytes()
    raw.decode("utf-8", errors="strict")
    last_t = 0.0
    kinds: dict[str, int] = {}
    for i, line in enumerate(raw.splitlines()):
        record, fmt = parse_line(line, "dogwood", i + 1, "native")
        assert fmt == "native"
        obj = json.loads(line)
        kinds[obj["type"]] = kinds.get(obj["type"], 0) + 1
        t = obj.get("created_at", obj.get("status_at"))
        assert t >= last_t
        last_t = t
        if obj["type"] == "post":
            assert "\x01" not in obj["text"] and "\x02" not in obj["text"]
            for u in obj["urls"]:
                assert u in obj["text"]
    assert kinds.get("edge", 0) > 0 and kinds["post"] == N


def test_posts_follow_their_authors_and_parents(out: pathlib.Path) -> None:
    created: dict[tuple[str, str], float] = {}
    seen: set[tuple[str, str]] = set()
    for obj in _rows(out / "stream.jsonl"):
        if obj["type"] == "account" and "created_at" in obj:
            created[(obj["platform"], obj["id"])] = obj["created_at"]
        if obj["type"] != "post":
            continue
        key = (obj["platform"], obj["id"])
        assert key not in seen
        seen.add(key)
        assert obj["created_at"] >= created[(obj["platform"], obj["author_id"])]
        for field in ("reply_to", "reply_root", "quote_of", "repost_of"):
            if field in obj:
                assert (obj["platform"], obj[field]) in seen


def test_threads_and_evasion_structure(out: pathlib.Path) -> None:
    stream = _rows(out / "stream.jsonl")
    labels = {(r["platform"], r["id"]): r for r in _rows(out / "labels.jsonl")}
    posts = {(o["platform"], o["id"]): o for o in stream if o["type"] == "post"}
    roots = {k for k, v in labels.items() if v["label"] == "thread_root_innocent"}
    assert all(posts[k]["media"] for k in roots)
    ctx = [posts[k] for k, v in labels.items() if v["label"] == "context_reply"]
    replies = [p for p in ctx if "reply_to" in p]
    assert replies and all((p["platform"], p["reply_root"]) in roots for p in replies)
    assert any(p["reply_to"] != p["reply_root"] for p in replies)  # nested follow-ups
    benign_under_roots = [p for k, p in posts.items() if labels[k]["label"] == "benign_reply"
                          and (p["platform"], p.get("reply_root")) in roots]
    assert benign_under_roots
    accounts = _rows(out / "accounts.jsonl")
    created = {(o["platform"], o["id"]): o["created_at"] for o in stream if o["type"] == "account" and
               "created_at" in o}
    suspended = {(o["platform"], o["id"]): o["status_at"] for o in stream if o.get("status") == "suspended"}
    evaders = [a for a in accounts if a["role"] == "evader"]
    assert evaders
    for a in evaders:
        old = (a["platform"], a["predecessor"])
        assert old in suspended and created[(a["platform"], a["id"])] > suspended[old]
    roles = {a["role"] for a in accounts}
    assert {"advertiser", "bot", "evader", "commenter", "benign"} <= roles
