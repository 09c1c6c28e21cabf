"""Ingest fidelity on lines in the platforms' real wire formats: X's HTML-escaped text and stream
control messages, Mastodon's HTML content and its links, Bluesky's record ``tags``, media refs and
times of the wrong type or range, explicit limits. All text is synthetic indicator text."""

from __future__ import annotations

import copy
import math

import orjson
import pytest

from csewatch.actions.ncmec import _iso
from csewatch.ingest import jetstream, mastodon, native, parse_line, x_v2
from csewatch.ingest.common import ControlMessage, Limits, Reject, format_time, parse_time, record_time
from csewatch.pipeline import Scanner


def line(obj: dict) -> bytes:
    return orjson.dumps(obj)


# -- X API v2 ------------------------------------------------------------------------------------
X_ESCAPED = {
    "data": {
        "id": "1790000000000000001",
        "text": "folders &amp; packs &lt;3 #tradeX dm &gt;&gt; t.me/x1",
        "author_id": "1790000000000000000",
        "created_at": "2026-11-02T10:00:00.000Z",
        "edit_history_tweet_ids": ["1790000000000000001"],
        "entities": {"hashtags": [{"start": 19, "end": 26, "tag": "tradeX"}]},
        "note_tweet": {
            "text": "long form &amp; more &lt;&lt; #tradeX",
            "entities": {"hashtags": [{"start": 20, "end": 27, "tag": "tradeX"}]},
        },
    },
    "matching_rules": [{"id": "1", "tag": "watch"}],
}


def test_x_text_and_note_tweet_are_unescaped_and_entity_offsets_hold():
    plain = copy.deepcopy(X_ESCAPED)
    del plain["data"]["note_tweet"]
    (post,) = parse_line(line(plain), "s", 1, None)[0].posts
    assert post.text == "folders & packs <3 #tradeX dm >> t.me/x1"
    ent = plain["data"]["entities"]["hashtags"][0]
    assert post.text[ent["start"] : ent["end"]] == "#tradeX"
    (long_post,) = parse_line(line(X_ESCAPED), "s", 1, None)[0].posts
    assert long_post.text == "long form & more << #tradeX"
    ent = X_ESCAPED["data"]["note_tweet"]["entities"]["hashtags"][0]
    assert long_post.text[ent["start"] : ent["end"]] == "#tradeX" and long_post.hashtags == ["tradeX"]


def test_x_typed_ampersand_entity_survives_one_unescape():
    obj = copy.deepcopy(X_ESCAPED)
    del obj["data"]["note_tweet"]
    obj["data"]["text"] = "literal &amp;amp; stays"
    assert parse_line(line(obj), "s", 1, None)[0].posts[0].text == "literal &amp; stays"


@pytest.mark.parametrize(
    "msg,words",
    [
        (
            {
                "errors": [
                    {
                        "title": "operational-disconnect",
                        "disconnect_type": "OperationalDisconnect",
                        "detail": "This stream has been disconnected for operational reasons.",
                        "type": "https://api.twitter.com/2/problems/operational-disconnect",
                    }
                ]
            },
            "operational-disconnect (OperationalDisconnect)",
        ),
        (
            {
                "errors": [
                    {
                        "title": "ConnectionException",
                        "detail": "This stream is currently at the maximum allowed connection limit.",
                        "connection_issue": "TooManyConnections",
                        "type": "https://api.twitter.com/2/problems/streaming-connection",
                    }
                ]
            },
            "ConnectionException",
        ),
        (
            {"title": "Too Many Requests", "detail": "Too Many Requests", "type": "about:blank", "status": 429},
            "Too Many",
        ),
    ],
)
def test_x_stream_control_messages_are_control_not_unknown(msg, words):
    with pytest.raises(ControlMessage) as info:
        parse_line(line(msg), "s", 1, None)
    reason = str(info.value)
    assert reason.startswith("control: x: X stream control message") and words in reason
    assert "unknown format" not in reason


def test_x_user_bio_links_come_from_description_entities():
    obj = copy.deepcopy(X_ESCAPED)
    obj["includes"] = {
        "users": [
            {
                "id": "1790000000000000000",
                "username": "seller_x1",
                "description": "menu https://t.co/AbCd",
                "entities": {
                    "url": {
                        "urls": [
                            {"start": 0, "end": 23, "url": "https://t.co/Zz", "expanded_url": "https://example.org/x"}
                        ]
                    },
                    "description": {
                        "urls": [
                            {"start": 5, "end": 22, "url": "https://t.co/AbCd", "expanded_url": "https://t.me/menu_x1"}
                        ]
                    },
                },
            }
        ]
    }
    (acc,) = parse_line(line(obj), "s", 1, None)[0].accounts
    assert acc.links == ["https://example.org/x", "https://t.me/menu_x1"]


def test_mastodon_account_note_links_and_fields():
    obj = copy.deepcopy(MASTODON_LINKED)
    obj["account"]["note"] = (
        '<p>menu: <a href="https://t.me/menu_m1" rel="nofollow noopener noreferrer" target="_blank">'
        '<span class="invisible">https://</span><span class="">t.me/menu_m1</span><span class="invisible"></span></a>'
        ' ask <span class="h-card">'
        '<a href="https://mastodon.example/@s2" class="u-url mention">@<span>s2</span></a></span></p>'
    )
    obj["account"]["fields"] = [
        {
            "name": "tg",
            "value": '<a href="https://t.me/abc" rel="me nofollow noopener noreferrer" target="_blank">'
            '<span class="invisible">https://</span><span class="">t.me/abc</span><span class="invisible"></span></a>',
        }
    ]
    acc = parse_line(line(obj), "s", 1, None)[0].accounts[0]
    assert acc.bio == "menu: t.me/menu_m1 ask @s2"
    assert acc.links == ["https://t.me/abc", "https://t.me/menu_m1"]


def test_x_post_compliance_events_are_understood_and_yield_nothing():
    ev = {
        "data": {
            "delete": {"tweet": {"id": "1790000000000000009", "author_id": "17"}, "event_at": "2026-11-02T10:00:00Z"}
        }
    }
    rec, fmt = parse_line(line(ev), "s", 1, None)
    assert fmt == "x" and (rec.posts, rec.accounts, rec.edges) == ([], [], [])
    with pytest.raises(Reject, match=r"data.drop.tweet.id"):
        parse_line(line({"data": {"drop": {"tweet": {"id": ["1"]}}}}), "s", 1, None)


def test_mastodon_error_entity_is_a_control_message():
    with pytest.raises(ControlMessage, match="control: mastodon: Mastodon error entity: Missing access token"):
        parse_line(line({"error": "Missing access token"}), "s", 1, None)


@pytest.mark.parametrize("blank", [b"\r\n", b"\n", b"   \r\n"])
def test_keep_alive_blank_lines_are_empty_records(blank):
    rec, _ = parse_line(blank, "s", 1, "x")
    assert (rec.posts, rec.accounts, rec.edges) == ([], [], [])


# -- Mastodon ------------------------------------------------------------------------------------
MASTODON_LINKED = {
    "id": "113000000000000001",
    "created_at": "2026-11-02T08:16:23.000Z",
    "in_reply_to_id": None,
    "spoiler_text": "",
    "visibility": "public",
    "language": "en",
    "content": '<p>new folder, dm <a href="https://t.me/+AbCdEf123" target="_blank" rel="nofollow noopener '
    'noreferrer" translate="no"><span class="invisible">https://</span><span class="">t.me/+AbCdEf123</span>'
    '<span class="invisible"></span></a></p><p><span class="h-card" translate="no"><a href="https://'
    'mastodon.example/@buyer1" class="u-url mention">@<span>buyer1</span></a></span> <a href="https://'
    'mastodon.example/tags/trade" class="mention hashtag" rel="tag">#<span>trade</span></a> &lt;3<br />'
    'mirror <a href="https://mega.example/folder/abcdefghijklmnop" target="_blank" rel="nofollow noopener '
    'noreferrer" translate="no"><span class="invisible">https://</span><span class="ellipsis">mega.example/'
    'folder/abcdefgh</span><span class="invisible">ijklmnop</span></a></p>',
    "reblog": None,
    "account": {"id": "9", "username": "s1", "acct": "s1", "note": "", "created_at": "2026-11-01T00:00:00.000Z"},
    "media_attachments": [],
    "mentions": [{"id": "8", "username": "buyer1", "acct": "buyer1", "url": "https://mastodon.example/@buyer1"}],
    "tags": [{"name": "trade", "url": "https://mastodon.example/tags/trade"}],
    "card": None,
}


def test_mastodon_links_only_in_content_are_kept_and_text_renders_as_shown():
    rec, fmt = parse_line(line({"event": "update", "payload": orjson.dumps(MASTODON_LINKED).decode()}), "s", 1, None)
    (post,) = rec.posts
    assert fmt == "mastodon"
    assert post.urls == ["https://t.me/+AbCdEf123", "https://mega.example/folder/abcdefghijklmnop"]
    assert post.text == "new folder, dm t.me/+AbCdEf123\n\n@buyer1 #trade <3\nmirror mega.example/folder/abcdefgh…"
    assert post.mentions == ["buyer1"] and post.hashtags == ["trade"]


def test_mastodon_card_url_is_added_once():
    obj = copy.deepcopy(MASTODON_LINKED)
    obj["card"] = {"url": "https://t.me/+AbCdEf123", "title": "x"}
    (post,) = parse_line(line(obj), "s", 1, None)[0].posts
    assert post.urls.count("https://t.me/+AbCdEf123") == 1


# -- Bluesky Jetstream ---------------------------------------------------------------------------
JETSTREAM_TAGS = {
    "did": "did:plc:aaaabbbbccccdddd",
    "time_us": 1793613600000000,
    "kind": "commit",
    "commit": {
        "rev": "3l3qo2vutsw2b",
        "operation": "create",
        "collection": "app.bsky.feed.post",
        "rkey": "3l3qo2vuowo2c",
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": "2026-11-02T10:00:00.000Z",
            "text": "new set #packs dm",
            "facets": [
                {
                    "index": {"byteStart": 8, "byteEnd": 14},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "packs"}],
                }
            ],
            "tags": ["vidtrade", "packs"],
        },
        "cid": "bafyreiexample",
    },
}


def test_bluesky_record_tags_are_hashtags_with_tag_facets():
    (post,) = parse_line(line(JETSTREAM_TAGS), "s", 1, None)[0].posts
    assert post.hashtags == ["packs", "vidtrade"]


# -- media refs of the wrong type ----------------------------------------------------------------
def _jet_image(ref) -> dict:
    obj = copy.deepcopy(JETSTREAM_TAGS)
    obj["commit"]["record"]["embed"] = {
        "$type": "app.bsky.embed.images",
        "images": [{"alt": "", "image": {"$type": "blob", "ref": ref, "mimeType": "image/jpeg", "size": 10}}],
    }
    return obj


def _x_media(url) -> dict:
    obj = copy.deepcopy(X_ESCAPED)
    obj["data"]["attachments"] = {"media_keys": ["3_1"]}
    obj["includes"] = {"media": [{"media_key": "3_1", "type": "photo", "url": url}]}
    return obj


def _masto_media(**kw) -> dict:
    obj = copy.deepcopy(MASTODON_LINKED)
    obj["media_attachments"] = [{"id": "22345792", "type": "image", "url": "https://files.example/a.png", **kw}]
    return obj


@pytest.mark.parametrize(
    "obj,field",
    [
        (_jet_image({"$link": ["bafkreiabc"]}), r"embed.images\[0\].image.ref.\$link"),
        (_jet_image({"$link": {"a": 1}}), r"ref.\$link: expected a string, got dict"),
        (_x_media(["https://pbs.example/a.jpg"]), r"attachments.media_keys\[0\].url"),
        (_x_media({"u": 1}), r"\.url: expected a string, got dict"),
        (_masto_media(id={"x": 1}), r"media_attachments\[0\].id"),
        (_masto_media(url=["https://files.example/a.png"]), r"media_attachments\[0\].url"),
    ],
)
def test_media_refs_of_the_wrong_type_are_rejected_naming_the_field(obj, field):
    with pytest.raises(Reject, match=field):
        parse_line(line(obj), "s", 1, None)


def test_good_media_refs_still_parse():
    (post,) = parse_line(line(_jet_image({"$link": "bafkreiabc"})), "s", 1, None)[0].posts
    assert post.media[0].id == "bafkreiabc" and post.media[0].size == 10
    (post,) = parse_line(line(_x_media("https://pbs.example/a.jpg")), "s", 1, None)[0].posts
    assert post.media[0].url == "https://pbs.example/a.jpg" and post.media[0].kind == "photo"


# -- wrong types and times -----------------------------------------------------------------------
def _x_text(value) -> dict:
    obj = copy.deepcopy(X_ESCAPED)
    del obj["data"]["note_tweet"]
    obj["data"]["text"] = value
    return obj


@pytest.mark.parametrize(
    "obj,reason",
    [
        (_x_text(12345), r"data.text: expected a string, got int"),
        ({**MASTODON_LINKED, "content": 7}, r"status.content: expected a string, got int"),
        ({**MASTODON_LINKED, "spoiler_text": 1.5}, r"status.spoiler_text: expected a string, got float"),
        ({"type": "post", "id": "1", "author_id": "a", "text": 5}, r"Expected `str`"),
    ],
)
def test_numeric_text_is_a_reject_not_coerced(obj, reason):
    with pytest.raises(Reject, match=reason):
        parse_line(line(obj), "s", 1, None)


@pytest.mark.parametrize(
    "obj,field",
    [
        ({"type": "post", "id": "1", "author_id": "a", "text": "x", "created_at": 1e300}, "created_at"),
        ({"type": "post", "id": "1", "author_id": "a", "text": "x", "created_at": -1e15}, "created_at"),
        ({"type": "post", "id": "1", "author_id": "a", "text": "x", "created_at": 1793613600000}, "created_at"),
        ({"type": "account", "id": "a", "created_at": "0001-01-01T00:00:00Z"}, "created_at"),
        ({"type": "edge", "kind": "follow", "src": "a", "dst": "b", "created_at": 9e18}, "created_at"),
        ({"type": "account", "id": "a", "status": "suspended", "status_at": -5}, "status_at"),
        ({**X_ESCAPED, "data": {**X_ESCAPED["data"], "created_at": "9999-12-31T23:59:59.000Z"}}, "data.created_at"),
        ({**JETSTREAM_TAGS, "time_us": 10**18}, "time_us"),
        ({**MASTODON_LINKED, "created_at": "1960-01-01T00:00:00Z"}, "status.created_at"),
    ],
)
def test_times_out_of_range_are_rejected_with_the_field(obj, field):
    with pytest.raises(Reject, match=rf"{field}: .*(outside 1970-01-01\.\.2100-01-01|ISO-8601)"):
        parse_line(line(obj), "s", 1, None)


def test_times_inside_the_window_parse():
    rec, _ = parse_line(line({"type": "post", "id": "1", "author_id": "a", "created_at": 1_790_000_000}), "s", 1, None)
    assert rec.posts[0].created_at == 1_790_000_000.0


def test_record_times_keep_the_ingest_window_other_times_the_calendar():
    assert parse_time("9999-12-31T00:00:00Z", "expires") == 253_402_214_400.0  # e.g. a bank entry's expiry
    with pytest.raises(Reject, match="expires: time .* outside 1970-01-01..2100-01-01"):
        record_time("9999-12-31T00:00:00Z", "expires")
    with pytest.raises(Reject, match="outside 1970-01-01..9999-12-31"):
        parse_time(1e300, "expires")


@pytest.mark.parametrize("bad", [1e300, -1e15, math.nan, math.inf, None, "x", True, 10**30])
def test_format_time_never_raises(bad):
    assert format_time(bad, default="?") == "?"
    assert _iso(bad).endswith("Z") and len(_iso(bad)) == 20  # NCMEC report time: falls back to now


def test_format_time_formats_good_times():
    assert format_time(1_793_613_600) == "2026-11-02T10:00:00Z"
    assert format_time(1_793_613_600.5, "%m-%d") == "11-02"


# -- explicit limits -----------------------------------------------------------------------------
ADAPTER_LINES = {
    "native": {"type": "post", "id": "1", "author_id": "a", "text": "y" * 300},
    "x": _x_text("y" * 300),
    "mastodon": {**MASTODON_LINKED, "content": "<p>" + "y" * 300 + "</p>"},
    "bluesky": {
        **JETSTREAM_TAGS,
        "commit": {**JETSTREAM_TAGS["commit"], "record": {"text": "y" * 300, "createdAt": "2026-11-02T10:00:00Z"}},
    },
}


@pytest.mark.parametrize("fmt", sorted(ADAPTER_LINES))
def test_every_adapter_takes_its_limits_explicitly(fmt):
    raw = line(ADAPTER_LINES[fmt])
    with pytest.raises(Reject, match="over the cap of 100"):
        parse_line(raw, "s", 1, None, Limits(max_field_chars=100))
    rec, got = parse_line(raw, "s", 1, None, Limits(max_field_chars=1000))
    assert got == fmt and len(rec.posts[-1].text) >= 300
    mod = {"native": native, "x": x_v2, "mastodon": mastodon, "bluesky": jetstream}[fmt]
    with pytest.raises(Reject, match="over the cap of 100"):
        mod.parse(ADAPTER_LINES[fmt], "s", Limits(max_field_chars=100))


def test_scanner_applies_the_packs_max_field_chars_to_native_lines(policy, tmp_path):
    src = tmp_path / "in.jsonl"
    src.write_bytes(line({"type": "post", "id": "1", "author_id": "a", "text": "y" * 30_000}) + b"\n")
    raised = copy.deepcopy(policy)
    raised.pack.thresholds.max_field_chars = 50_000
    assert Scanner(raised).scan([str(src)]).posts == 1
    lowered = copy.deepcopy(policy)
    lowered.pack.thresholds.max_field_chars = 1_000
    summary = Scanner(lowered).scan([str(src)])
    assert (summary.posts, summary.rejects) == (0, 1)
