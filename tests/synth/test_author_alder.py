"""alder's synthetic author: deterministic per seed, the brief's label mix, every family present, every line
native csewatch JSONL, clean UTF-8 text, coherent threads, evasion chains and stream-only coded tags."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

import orjson
import pytest

from csewatch.ingest import parse_line
from csewatch.synth.authors.alder import generate

ADVERT_FAMILIES = {"compound", "age_goods", "menu", "euphemism", "emoji_code", "buy_request", "trade", "bio_only",
                   "placement", "bot_flood", "coded_hashtag"}
HARD_NEGATIVE_FAMILIES = {"cp_benign", "food_deal", "kids_items_sale", "crypto_spam", "ordinary_sale", "leaks_benign",
                          "family_ages", "csam_news_advocacy", "file_sharing_legit", "trading_cards", "school_folders",
                          "parenting_safety", "benign_migration", "lolita_fashion", "minor_misc",
                          "nonhuman_age_question",
                          "family_reply_ages", "youth_sports_creators"}
CONTEXT_SUBFAMILIES = {"age_question", "age_admiration", "more_photos", "trade_request", "offplatform_contact",
                       "emoji_only", "nested_followup", "quote_photo"}


def _rows(path):
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


@pytest.fixture(scope="module")
def stream(tmp_path_factory):
    out = tmp_path_factory.mktemp("alder")
    counts = generate(out, posts=4000, seed=7)
    recs = _rows(out / "stream.jsonl")
    labels = {(r["platform"], r["id"]): r for r in _rows(out / "labels.jsonl")}
    accounts = {(r["platform"], r["id"]): r for r in _rows(out / "accounts.jsonl")}
    return out, counts, recs, labels, accounts


def test_same_seed_same_bytes_other_seed_differs(tmp_path, stream):
    a = generate(tmp_path / "a", posts=1500, seed=3)
    b = generate(tmp_path / "b", posts=1500, seed=3)
    assert a == b and a["posts"] == 1500
    for name in ("stream.jsonl", "labels.jsonl", "accounts.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    generate(tmp_path / "c", posts=1500, seed=4)
    assert (tmp_path / "c" / "stream.jsonl").read_bytes() != (tmp_path / "a" / "stream.jsonl").read_bytes()


def test_label_mix_and_counts(stream):
    _, counts, recs, labels, _ = stream
    posts = [r for r in recs if r["type"] == "post"]
    assert len(posts) == len(labels) == counts["posts"] == 4000
    mix = Counter(r["label"] for r in labels.values())
    assert counts["labels"] == dict(sorted(mix.items()))
    share = {k: v / 4000 for k, v in mix.items()}
    assert 0.12 <= share["advert"] <= 0.16
    assert 0.05 <= share["context_reply"] <= 0.09
    assert 0.015 <= share["thread_root_innocent"] < 0.04
    assert 0.02 <= share["evasion_announcement"] <= 0.04
    assert 0.36 <= share["hard_negative"] <= 0.44
    assert share["ordinary"] + share["benign_reply"] >= 0.25


def test_every_family_present(stream):
    _, _, _, labels, accounts = stream
    fams = {(r["label"], r["family"]) for r in labels.values()}
    assert {("advert", f) for f in ADVERT_FAMILIES} <= fams
    assert {("hard_negative", f) for f in HARD_NEGATIVE_FAMILIES} <= fams
    subs = {r["subfamily"] for r in labels.values() if r["label"] == "context_reply"}
    assert CONTEXT_SUBFAMILIES <= subs
    placements = {r["subfamily"] for r in labels.values() if r["family"] == "placement"}
    assert {"reply", "quote", "repost", "community"} <= placements
    cp = {r["subfamily"] for r in labels.values() if r["family"] == "cp_benign"}
    assert len(cp) >= 8
    assert {"advertiser", "bot", "evader", "commenter", "benign"} <= {r["role"] for r in accounts.values()}
    langs = Counter(r["lang"] for r in labels.values())
    assert {"en", "es", "pt", "fr", "de", "it", "ru", "id", "tl", "mul"} <= set(langs)
    styles = {s for r in labels.values() if r["label"] == "advert" for s in r["link_style"].split("+")}
    assert {"full_url", "bare_host", "written_dot", "space_slash", "dropped_dot", "dm", "link_in_bio",
            "messenger_id"} <= styles


def test_every_line_parses_as_native(stream):
    out, _, _, _, _ = stream
    n = 0
    for i, raw in enumerate((out / "stream.jsonl").read_bytes().splitlines(), 1):
        record, fmt = parse_line(raw, "alder", i, None)
        assert fmt == "native"
        assert record.posts or record.accounts or record.edges
        n += 1
    assert n > 4000


def test_text_is_clean_utf8(stream):
    out, _, recs, _, _ = stream
    (out / "stream.jsonl").read_bytes().decode("utf-8")  # strict
    for r in recs:
        for key in ("text", "bio", "display_name", "handle"):
            v = r.get(key)
            if v is None:
                continue
            v.encode("utf-8")  # no lone surrogates
            bad = [c for c in v if unicodedata.category(c) == "Cc" and c not in "\n"]
            assert not bad, (key, v)
            assert "{" not in v or "}" not in v or not re.search(r"\{[a-z_@?|]+\}", v), v  # no unexpanded slot


def test_stream_structure(stream):
    _, _, recs, labels, accounts = stream
    posts = [r for r in recs if r["type"] == "post"]
    times = [r["created_at"] for r in posts]
    assert times == sorted(times) and max(times) - min(times) > 3 * 86_400
    ids = Counter((r["platform"], r["id"]) for r in posts)
    assert max(ids.values()) == 1
    assert {r["platform"] for r in posts} == {"x", "bluesky", "mastodon"}
    by_key = {(r["platform"], r["id"]): r for r in posts}
    seen_accounts: set = set()
    for r in recs:
        if r["type"] == "account":
            seen_accounts.add((r["platform"], r["id"]))
        elif r["type"] == "post":
            assert (r["platform"], r["author_id"]) in seen_accounts  # the author's record came first
            for k in ("reply_to", "reply_root", "quote_of", "repost_of"):
                if k in r:
                    parent = by_key[(r["platform"], r[k])]
                    assert parent["created_at"] <= r["created_at"]
            if r["urls"]:
                assert all(u in r["text"] and u.startswith("http") for u in r["urls"])
    roots = {k for k, v in labels.items() if v["label"] == "thread_root_innocent"}
    assert all(by_key[k]["media"] for k in roots)
    under = Counter(labels[(r["platform"], r["reply_root"])]["label"] for r in posts if "reply_root" in r
                    and labels[(r["platform"], r["id"])]["label"] in ("context_reply", "benign_reply"))
    assert under["thread_root_innocent"] > 0
    nested = [r for r in posts if r.get("reply_to") and r.get("reply_root") and r["reply_to"] != r["reply_root"]
              and labels[(r["platform"], r["id"])]["label"] == "context_reply"]
    assert nested


def test_evaders_follow_their_suspended_predecessor(stream):
    _, _, recs, labels, accounts = stream
    created = {}
    suspended = {}
    for r in recs:
        if r["type"] == "account" and "status" in r:
            suspended[(r["platform"], r["id"])] = r["status_at"]
        elif r["type"] == "account":
            created[(r["platform"], r["id"])] = r["created_at"]
    evaders = [r for r in accounts.values() if r["role"] == "evader"]
    assert evaders
    for e in evaders:
        old = (e["platform"], e["predecessor"])
        assert old in suspended and created[(e["platform"], e["id"])] > suspended[old]
    ev_posts = [r for r in recs if r["type"] == "post"
                and labels[(r["platform"], r["id"])]["label"] == "evasion_announcement"]
    assert all(accounts[(r["platform"], r["author_id"])]["role"] == "evader" for r in ev_posts)


def test_coded_tags_only_in_adverts_and_bot_floods_are_bursts(stream):
    _, _, recs, labels, _ = stream
    posts = [r for r in recs if r["type"] == "post"]
    tags_by_label: dict[str, Counter] = {}
    for r in posts:
        tags_by_label.setdefault(labels[(r["platform"], r["id"])]["label"], Counter()).update(
            t.lower() for t in r["hashtags"])
    elsewhere = set().union(*(set(c) for k, c in tags_by_label.items() if k != "advert"))
    advert_only = set(tags_by_label["advert"]) - elsewhere
    assert len(advert_only) >= 5
    floods: dict[str, list[int]] = {}
    for r in posts:
        if labels[(r["platform"], r["id"])]["family"] == "bot_flood":
            floods.setdefault(r["author_id"], []).append(r["created_at"])
    assert floods
    for ts in floods.values():
        gaps = [b - a for a, b in zip(ts, ts[1:], strict=False)]
        assert len(ts) >= 2 and max(gaps) <= 300


def test_obfuscation_rates(stream):
    _, _, _, labels, _ = stream
    harmful = [r for r in labels.values() if r["label"] in ("advert", "context_reply", "evasion_announcement")]
    hn = [r for r in labels.values() if r["label"] == "hard_negative"]
    rate = sum(r["obfuscation"] != "none" for r in harmful) / len(harmful)
    assert 0.25 <= rate <= 0.45
    assert 0.05 <= sum(r["obfuscation"] != "none" for r in hn) / len(hn) <= 0.18
    techniques = {t for r in harmful for t in r["obfuscation"].split("+")}
    assert len(techniques) >= 25
