"""The cedar synthetic author: seeded, labelled in the intended mix, every family present, every line
parses as the native format, threads and evasion chains are structurally sound, text is clean UTF-8."""

from __future__ import annotations

import unicodedata
from collections import Counter
from pathlib import Path

import orjson
import pytest

from csewatch.ingest import parse_line
from csewatch.synth.authors.cedar import generate
from csewatch.synth.authors.cedar.generator import Author

N = 4000


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("cedar")
    counts = generate(out, posts=N, seed=7)
    stream = [orjson.loads(line) for line in (out / "stream.jsonl").open("rb")]
    labels = [orjson.loads(line) for line in (out / "labels.jsonl").open("rb")]
    accounts = [orjson.loads(line) for line in (out / "accounts.jsonl").open("rb")]
    return {"out": out, "counts": counts, "stream": stream, "labels": labels, "accounts": accounts}


def _files(out: Path) -> list[bytes]:
    return [(out / n).read_bytes() for n in ("stream.jsonl", "labels.jsonl", "accounts.jsonl")]


def test_deterministic_per_seed(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", posts=1200, seed=3)
    b = generate(tmp_path / "b", posts=1200, seed=3)
    generate(tmp_path / "c", posts=1200, seed=4)
    assert a == b
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a")[0] != _files(tmp_path / "c")[0]


def test_label_mix(run: dict) -> None:
    labels = Counter(r["label"] for r in run["labels"])
    assert sum(labels.values()) == N == run["counts"]["posts"]
    share = {k: v / N for k, v in labels.items()}
    assert 0.12 <= share["advert"] <= 0.17
    assert 0.06 <= share["context_reply"] <= 0.09
    assert 0.005 <= share["thread_root_innocent"] < 0.04
    assert 0.025 <= share["evasion_announcement"] <= 0.045
    assert 0.38 <= share["hard_negative"] <= 0.45
    assert share["ordinary"] + share["benign_reply"] > 0.2
    assert set(labels) == {"advert", "context_reply", "evasion_announcement", "hard_negative", "ordinary",
                           "thread_root_innocent", "benign_reply"}


def test_every_family_present(run: dict) -> None:
    fam = Counter((r["label"], r["family"]) for r in run["labels"])
    for f in ("compound", "age_goods", "menu", "euphemism", "emoji_code", "buy_request", "trade", "bio_only",
              "placement", "bot_flood", "coded_hashtag"):
        assert fam[("advert", f)] > 0, f
    for f in ("cp_sense", "food_deal", "kids_items", "crypto_spam", "youth", "leaks", "family_ages", "csam_news",
              "file_sharing", "trading_cards", "school_folder", "parenting_safety", "account_migration",
              "lolita_fashion", "minor_other", "nonhuman_age_question", "child_photo"):
        assert fam[("hard_negative", f)] > 0, f
    subs = Counter(r["subfamily"] for r in run["labels"] if r["label"] == "context_reply")
    for s in ("age_question", "stated_age", "more_photos", "trade_request", "offplatform", "emoji_only",
              "followup", "quote"):
        assert any(k.startswith(s) for k in subs), s
    placement = {r["subfamily"].split("_")[0] for r in run["labels"] if r["family"] == "placement"}
    assert {"reply", "quote", "community", "repost"} <= placement
    langs = Counter(r["lang"] for r in run["labels"])
    assert {"en", "es", "pt", "fr", "de", "it", "ru", "id", "tl"} <= set(langs)
    obf = [r for r in run["labels"] if r["label"] in ("advert", "context_reply", "evasion_announcement")]
    rate = sum(r["obfuscation"] != "none" for r in obf) / len(obf)
    assert 0.2 <= rate <= 0.5
    assert len({r["obfuscation"].split("+")[0] for r in obf}) >= 20


def test_every_line_parses_as_native(run: dict) -> None:
    raw = (run["out"] / "stream.jsonl").read_bytes().splitlines()
    kinds = Counter()
    for i, line in enumerate(raw):
        record, fmt = parse_line(line, "cedar", i, None)
        assert fmt == "native"
        kinds["post"] += len(record.posts)
        kinds["account"] += len(record.accounts)
        kinds["edge"] += len(record.edges)
    assert kinds["post"] == N and kinds["account"] > 100 and kinds["edge"] > 100


def test_text_is_clean_utf8(run: dict) -> None:
    raw = (run["out"] / "stream.jsonl").read_bytes()
    raw.decode("utf-8", errors="strict")
    for row in run["stream"]:
        for key in ("text", "bio", "display_name"):
            v = row.get(key)
            if v is None:
                continue
            assert isinstance(v, str)
            assert not any(0xD800 <= ord(c) <= 0xDFFF for c in v)
            assert not any(unicodedata.category(c) == "Cc" and c != "\n" for c in v), v


def test_stream_structure(run: dict) -> None:
    stream = run["stream"]
    times = [r.get("created_at", r.get("status_at")) for r in stream]
    assert times == sorted(times)
    posts = {(r["platform"], r["id"]): r for r in stream if r["type"] == "post"}
    assert len(posts) == N
    assert {p for p, _ in posts} == {"x", "bluesky", "mastodon"}
    assert max(times) - min(r["created_at"] for r in posts.values()) > 3 * 86400
    accounts = {(r["platform"], r["id"]): r for r in stream if r["type"] == "account" and "handle" in r}
    for p in posts.values():
        assert (p["platform"], p["author_id"]) in accounts
        assert p["created_at"] >= accounts[(p["platform"], p["author_id"])]["created_at"]
        for ref in ("reply_to", "reply_root", "quote_of"):
            if ref in p:
                parent = posts[(p["platform"], p[ref])]
                assert parent["created_at"] <= p["created_at"]
        for u in p["urls"]:
            assert u in p["text"] and u.startswith(("https://", "http://"))
    labels = {(r["platform"], r["id"]): r for r in run["labels"]}
    # child-photo threads: innocent root with media; both kinds of replies under it
    roots = [k for k, r in labels.items() if r["label"] == "thread_root_innocent"]
    assert roots and all(posts[k]["media"] for k in roots)
    under: dict[tuple, set] = {}
    for k, p in posts.items():
        if "reply_root" in p:
            under.setdefault((k[0], p["reply_root"]), set()).add(labels[k]["label"])
    both = sum(1 for k in roots if {"context_reply", "benign_reply"} <= under.get(k, set()))
    assert both > 0.8 * len(roots)
    nested = [p for k, p in posts.items() if labels[k]["label"] == "context_reply" and "reply_to" in p
              and p["reply_to"] != p["reply_root"]]
    assert len(nested) > 20
    # non-human roots carry age questions that are hard negatives
    nh = [k for k, r in labels.items() if r["family"] == "nonhuman_age_question" and "age_question" in r["subfamily"]]
    assert nh and all(labels[(k[0], posts[k]["reply_root"])]["family"] == "nonhuman_photo_root" for k in nh)


def test_evasion_and_roles(run: dict) -> None:
    stream = run["stream"]
    created = {(r["platform"], r["id"]): r["created_at"] for r in stream if r["type"] == "account" and "handle" in r}
    suspended = {(r["platform"], r["id"]): r["status_at"] for r in stream if r.get("status") == "suspended"}
    roles = {(r["platform"], r["id"]): r for r in run["accounts"]}
    assert {r["role"] for r in roles.values()} == {"advertiser", "bot", "evader", "commenter", "benign"}
    evaders = [r for r in roles.values() if r["role"] == "evader"]
    assert evaders
    for r in evaders:
        old = (r["platform"], r["predecessor"])
        assert old in suspended and created[(r["platform"], r["id"])] > suspended[old]
    posts = [r for r in stream if r["type"] == "post"]
    labels = {(r["platform"], r["id"]): r for r in run["labels"]}
    for p in posts:
        lab = labels[(p["platform"], p["id"])]["label"]
        role = roles[(p["platform"], p["author_id"])]["role"]
        if lab == "evasion_announcement":
            assert role == "evader"
        if lab == "context_reply":
            assert role == "commenter"
        if lab in ("hard_negative", "ordinary", "thread_root_innocent"):
            assert role == "benign"
    bios = {(r["platform"], r["id"]): r.get("bio", "") for r in stream if r["type"] == "account" and "handle" in r}
    bio_posts = [p for p in posts if labels[(p["platform"], p["id"])]["family"] == "bio_only"]
    assert bio_posts and all(bios[(p["platform"], p["author_id"])] for p in bio_posts)


def test_invented_tags_only_in_adverts(run: dict) -> None:
    invented = Author(7).invented
    labels = {(r["platform"], r["id"]): r["label"] for r in run["labels"]}
    seen_in_adverts = 0
    for p in run["stream"]:
        if p["type"] != "post":
            continue
        hit = any(t.lower().startswith(tuple(invented)) for t in p["hashtags"])
        if hit:
            assert labels[(p["platform"], p["id"])] in ("advert", "evasion_announcement")
            seen_in_adverts += 1
    assert seen_in_adverts > 10
