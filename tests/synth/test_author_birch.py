"""Tests of the birch synthetic author: determinism, label mix, family coverage, native-format parsing,
clean UTF-8, thread/evasion structure and the obfuscation transforms."""

from __future__ import annotations

import json
import random
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from csewatch.ingest import parse_line
from csewatch.synth.authors.birch import generate
from csewatch.synth.authors.birch.generator import Birch, load_vocab
from csewatch.synth.authors.birch.obfuscate import Obfuscator

ADVERT_FAMILIES = {
    "compound",
    "age_goods",
    "menu",
    "euphemism",
    "emoji_code",
    "buy_request",
    "trade",
    "bio_only",
    "placement",
    "bot_flood",
    "coded_hashtag",
}
HARD_FAMILIES = {
    "cp_benign",
    "food_deal",
    "kids_items_sale",
    "crypto_spam",
    "ordinary_sale",
    "youth_creator_sports",
    "leaks_benign",
    "family_ages",
    "csam_news_advocacy",
    "file_sharing_legit",
    "trading_cards",
    "school_folder",
    "parenting_safety",
    "nonhuman_age_question",
    "benign_migration",
    "lolita_fashion",
    "minor_other",
}
CONTEXT_SUBS = {
    "age_question",
    "age_admiration",
    "more_photos",
    "trade_request",
    "contact_offplatform",
    "emoji_only",
    "nested_followup",
    "quote_post",
}
LANGS = {"en", "es", "pt", "fr", "de", "it", "ru", "id", "tl", "mul"}


def _read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> dict:
    out = tmp_path_factory.mktemp("birch_big")
    counts = generate(out, posts=20000, seed=3)
    stream = _read(out / "stream.jsonl")
    labels = _read(out / "labels.jsonl")
    accounts = _read(out / "accounts.jsonl")
    posts = {(o["platform"], o["id"]): o for o in stream if o["type"] == "post"}
    return {"out": out, "counts": counts, "stream": stream, "labels": labels, "accounts": accounts, "posts": posts}


def test_deterministic_per_seed(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generate(a, posts=1200, seed=7)
    generate(b, posts=1200, seed=7)
    generate(c, posts=1200, seed=8)
    for name in ("stream.jsonl", "labels.jsonl", "accounts.jsonl"):
        assert (a / name).read_bytes() == (b / name).read_bytes()
    assert (a / "stream.jsonl").read_bytes() != (c / "stream.jsonl").read_bytes()


def test_label_mix(big: dict) -> None:
    labels = big["labels"]
    assert len(labels) == 20000 == big["counts"]["posts"]
    share = {k: v / len(labels) for k, v in Counter(lb["label"] for lb in labels).items()}
    assert 0.12 <= share["advert"] <= 0.16
    assert 0.06 <= share["context_reply"] <= 0.08
    assert 0.005 <= share["thread_root_innocent"] < 0.04
    assert 0.025 <= share["evasion_announcement"] <= 0.035
    assert 0.38 <= share["hard_negative"] <= 0.42
    assert share["ordinary"] + share["benign_reply"] > 0.25
    roles = Counter(a["role"] for a in big["accounts"])
    assert set(roles) == {"advertiser", "bot", "evader", "commenter", "benign"}


def test_every_family_language_and_platform(big: dict) -> None:
    labels = big["labels"]
    fams = defaultdict(set)
    for lb in labels:
        fams[lb["label"]].add(lb["family"])
    assert fams["advert"] == ADVERT_FAMILIES
    assert HARD_FAMILIES <= fams["hard_negative"]
    ctx_subs = {lb["subfamily"] for lb in labels if lb["label"] == "context_reply"}
    assert ctx_subs == CONTEXT_SUBS
    placements = {lb["subfamily"] for lb in labels if lb["family"] == "placement"}
    assert placements == {"reply", "quote", "repost", "community"}
    cp_senses = {lb["subfamily"] for lb in labels if lb["family"] == "cp_benign"}
    assert len(cp_senses) >= 12
    assert LANGS <= {lb["lang"] for lb in labels}
    for label in ("advert", "context_reply", "evasion_announcement", "hard_negative"):
        assert len({lb["lang"] for lb in labels if lb["label"] == label}) >= 8, label
    assert {lb["platform"] for lb in labels} == {"x", "bluesky", "mastodon"}


def test_every_line_parses_as_native_and_is_clean(big: dict) -> None:
    raw_lines = (big["out"] / "stream.jsonl").read_bytes().split(b"\n")
    assert raw_lines[-1] == b""
    for i, raw in enumerate(raw_lines[:-1]):
        record, fmt = parse_line(raw, "birch", i + 1, None)
        assert fmt == "native"
        assert len(record.posts) + len(record.accounts) + len(record.edges) == 1
    for o in big["stream"]:
        for key in ("text", "bio", "display_name", "handle"):
            v = o.get(key)
            if v is None:
                continue
            v.encode("utf-8")  # no lone surrogates
            bad = [c for c in v if unicodedata.category(c) == "Cc" and c != "\n"]
            assert not bad, (key, v)


def test_stream_structure(big: dict) -> None:
    stream, posts = big["stream"], big["posts"]
    times = [o.get("created_at", o.get("status_at")) for o in stream]
    assert times == sorted(times)
    post_ids = [(o["platform"], o["id"]) for o in stream if o["type"] == "post"]
    assert len(post_ids) == len(set(post_ids))
    created = {(o["platform"], o["id"]): o["created_at"] for o in stream if o["type"] == "account" and "handle" in o}
    for p in posts.values():
        assert created[(p["platform"], p["author_id"])] <= p["created_at"]
        for u in p["urls"]:
            assert u in p["text"] and u.startswith(("http://", "https://"))
        for key in ("reply_to", "reply_root", "quote_of", "repost_of"):
            if key in p:
                target = posts[(p["platform"], p[key])]
                assert target["created_at"] <= p["created_at"]
    assert sum(1 for o in stream if o["type"] == "edge" and o["kind"] == "follow") > 100


def test_threads(big: dict) -> None:
    posts = big["posts"]
    lab = {(lb["platform"], lb["id"]): lb for lb in big["labels"]}
    roots_with = defaultdict(set)
    for key, lb in lab.items():
        p = posts[key]
        if lb["label"] == "thread_root_innocent":
            assert p["media"] and p["media"][0]["kind"] == "image"
        if lb["label"] in ("context_reply", "benign_reply") and "reply_root" in p:
            root = lab[(p["platform"], p["reply_root"])]
            if lb["label"] == "context_reply":
                assert root["label"] == "thread_root_innocent"
            if root["label"] == "thread_root_innocent":
                roots_with[p["reply_root"]].add(lb["label"])
        if lb["family"] == "nonhuman_age_question":
            assert lab[(p["platform"], p["reply_to"])]["family"] == "nonhuman_photo"
    both = [r for r, kinds in roots_with.items() if kinds == {"context_reply", "benign_reply"}]
    assert len(both) > 100
    nested = [k for k, lb in lab.items() if lb["subfamily"] == "nested_followup"]
    assert nested and all(posts[k]["reply_to"] != posts[k]["reply_root"] for k in nested)


def test_evasion_after_suspension(big: dict) -> None:
    stream, posts = big["stream"], big["posts"]
    suspended = {(o["platform"], o["id"]): o["status_at"] for o in stream if o.get("status") == "suspended"}
    accounts = {(o["platform"], o["id"]): o for o in stream if o["type"] == "account" and "handle" in o}
    evaders = [a for a in big["accounts"] if a["role"] == "evader"]
    assert evaders
    for ev in evaders:
        old_key = (ev["platform"], ev["predecessor"])
        assert old_key in suspended
        assert accounts[(ev["platform"], ev["id"])]["created_at"] > suspended[old_key]
        old_posts = [p for p in posts.values() if (p["platform"], p["author_id"]) == old_key]
        assert all(p["created_at"] < suspended[old_key] for p in old_posts)
    evader_keys = {(a["platform"], a["id"]) for a in evaders}
    for lb in big["labels"]:
        if lb["label"] == "evasion_announcement":
            p = posts[(lb["platform"], lb["id"])]
            assert (p["platform"], p["author_id"]) in evader_keys


def test_bot_flood_and_bio_only(big: dict) -> None:
    posts = big["posts"]
    by_bot = defaultdict(list)
    bio_authors = set()
    for lb in big["labels"]:
        p = posts[(lb["platform"], lb["id"])]
        if lb["family"] == "bot_flood":
            by_bot[(p["platform"], p["author_id"])].append(p["created_at"])
        if lb["family"] == "bio_only":
            bio_authors.add((p["platform"], p["author_id"]))
    assert by_bot
    for times in by_bot.values():
        gaps = [b - a for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
        assert all(0 < g <= 240 for g in gaps)
    accounts = {(o["platform"], o["id"]): o for o in big["stream"] if o["type"] == "account" and "handle" in o}
    assert bio_authors and all(accounts[k]["bio"] for k in bio_authors)


def test_invented_tags_only_in_adverts(big: dict) -> None:
    newtags = set(Birch(20000, 3).newtags)
    assert len(newtags) >= 6
    lab = {(lb["platform"], lb["id"]): lb["label"] for lb in big["labels"]}
    seen = Counter()
    for key, p in big["posts"].items():
        hit = newtags & set(p["hashtags"])
        if hit:
            assert lab[key] == "advert", p["text"]
            seen.update(hit)
    assert len(seen) >= 3


def test_obfuscation_rates_and_variety(big: dict) -> None:
    harmful = [lb for lb in big["labels"] if lb["label"] in ("advert", "context_reply", "evasion_announcement")]
    hard = [lb for lb in big["labels"] if lb["label"] == "hard_negative"]
    rate = sum(lb["obfuscation"] != "none" for lb in harmful) / len(harmful)
    assert 0.25 <= rate <= 0.45
    hrate = sum(lb["obfuscation"] != "none" for lb in hard) / len(hard)
    assert 0.05 <= hrate <= 0.15
    used = {name for lb in harmful for name in lb["obfuscation"].split("+")} - {"none"}
    assert len(used) >= 35
    styles = {lb["link_style"] for lb in big["labels"] if lb["label"] == "advert"}
    assert {
        "full",
        "bare",
        "bracket_dot",
        "spaced_dot",
        "word_dot",
        "slash_space",
        "dropped_dot",
        "dm",
        "bio",
        "messenger_id",
        "at_handle",
    } <= styles


def test_obfuscator_transforms() -> None:
    ob = Obfuscator(load_vocab()["obfuscation"])
    rng = random.Random(0)
    for name in ob.names():
        sample = "малолетки видео" if name in ("translit", "homoglyph_latin_in_cyrillic") else "teen folder"
        out = ob.apply(name, sample, rng)
        assert out != sample, name
        out.encode("utf-8")
    assert ob.apply("translit", "продаю цп", rng) == "prodayu cp"
    assert ob.apply("math_bold", "a", rng) == "\U0001d41a"
    assert ob.apply("fullwidth", "cp", rng) == "ｃｐ"
    assert ob.apply("regional", "CP", rng).replace("\u200b", "") == "\U0001f1e8\U0001f1f5"
    assert ob.apply("negative_squared", "cp", rng) == "\U0001f172\U0001f17f"
    rlo = ob.apply("bidi_rlo", "pizza", rng)
    assert "\u202e" in rlo and "azzip" in rlo
    assert ob.apply("math_script", "e", rng) == "\u212f"  # hole in the mathematical block
    assert all(ob.homoglyphs[s] for s in ("greek", "cyrillic", "cherokee", "armenian"))


def _has(text: str, lo: int, hi: int) -> bool:
    return any(lo <= ord(c) <= hi for c in text)


def test_obfuscation_labels_match_text(big: dict) -> None:
    checks = {
        "fullwidth": lambda t: _has(t, 0xFF01, 0xFF5E),
        "bidi_rlo": lambda t: "\u202e" in t,
        "zero_width": lambda t: any(c in t for c in "\u200b\u200c\u200d\u2060\ufeff\u00ad"),
        "regional": lambda t: _has(t, 0x1F1E6, 0x1F1FF),
        "circled": lambda t: _has(t, 0x2460, 0x24FF),
        "math_bold": lambda t: _has(t, 0x1D400, 0x1D7FF),
        "math_fraktur": lambda t: _has(t, 0x1D400, 0x1D7FF) or _has(t, 0x2100, 0x214F),
        "homoglyph_cherokee": lambda t: _has(t, 0x13A0, 0x13FF) or _has(t, 0xAB70, 0xABBF),
        "homoglyph_armenian": lambda t: _has(t, 0x0531, 0x058F),
        "zalgo": lambda t: any(unicodedata.category(c) == "Mn" for c in t),
    }
    seen = Counter()
    for lb in big["labels"]:
        first = lb["obfuscation"].split("+")[0]
        if first in checks:
            text = big["posts"][(lb["platform"], lb["id"])]["text"]
            assert checks[first](text), (first, text)
            seen[first] += 1
    assert set(seen) == set(checks)


def test_command_line(tmp_path: Path) -> None:
    from csewatch.synth.authors.birch.__main__ import main

    counts = main([str(tmp_path / "cli"), "--posts", "600", "--seed", "2"])
    assert counts["posts"] == 600
    assert len((tmp_path / "cli" / "labels.jsonl").read_text("utf-8").splitlines()) == 600
