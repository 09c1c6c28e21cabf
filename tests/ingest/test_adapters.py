"""Each adapter on payloads shaped like the platforms' public API documentation, and bad input."""

import gzip
import json

import orjson
import pytest

from csewatch.ingest import Source, decode_line, detect_format, expand_sources, parse_line
from csewatch.ingest.common import Reject

X_RESPONSE = {
    "data": [
        {
            "id": "1445880548472328192",
            "text": "Selling #CpFolder prices in DMs https://t.co/abc",
            "author_id": "2244994945",
            "created_at": "2026-11-02T10:00:00.000Z",
            "lang": "en",
            "conversation_id": "1445880548472328192",
            "edit_history_tweet_ids": ["1445880548472328192"],
            "entities": {
                "hashtags": [{"start": 8, "end": 17, "tag": "CpFolder"}],
                "urls": [
                    {
                        "start": 32,
                        "end": 55,
                        "url": "https://t.co/abc",
                        "expanded_url": "https://t.me/abcdef",
                        "display_url": "t.me/abcdef",
                    }
                ],
                "mentions": [{"start": 0, "end": 5, "username": "someone", "id": "12"}],
            },
            "attachments": {"media_keys": ["3_1445880540000000000"]},
            "referenced_tweets": [{"type": "quoted", "id": "1445000000000000000"}],
        }
    ],
    "includes": {
        "users": [
            {
                "id": "2244994945",
                "name": "Dev",
                "username": "dev_acct",
                "description": "prices in bio 20$",
                "created_at": "2026-10-30T00:00:00.000Z",
                "public_metrics": {
                    "followers_count": 120,
                    "following_count": 50,
                    "tweet_count": 900,
                    "listed_count": 1,
                },
            }
        ],
        "media": [{"media_key": "3_1445880540000000000", "type": "photo", "url": "https://pbs.example/x.jpg"}],
    },
}

X_LONG = {
    "data": {
        "id": "9",
        "text": "short…",
        "author_id": "7",
        "edit_history_tweet_ids": ["9"],
        "note_tweet": {
            "text": "the full long text " * 20,
            "entities": {"hashtags": [{"start": 0, "end": 4, "tag": "long"}]},
        },
        "referenced_tweets": [{"type": "replied_to", "id": "8"}],
    }
}

JETSTREAM_POST = {
    "did": "did:plc:eygmaihciaxprqvxpfvl6flk",
    "time_us": 1725911162329308,
    "kind": "commit",
    "commit": {
        "rev": "3l3qo2vutsw2b",
        "operation": "create",
        "collection": "app.bsky.feed.post",
        "rkey": "3l3qo2vuowo2b",
        "record": {
            "$type": "app.bsky.feed.post",
            "createdAt": "2026-11-02T19:46:02.102Z",
            "langs": ["en"],
            "text": "🍕 vids #ｃｐ t.me/xyz",
            "facets": [
                {
                    "index": {"byteStart": 10, "byteEnd": 17},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "ｃｐ"}],
                },
                {
                    "index": {"byteStart": 18, "byteEnd": 27},
                    "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://t.me/xyz"}],
                },
            ],
            "reply": {
                "root": {"cid": "bafyroot", "uri": "at://did:plc:root/app.bsky.feed.post/3kroot"},
                "parent": {"cid": "bafypar", "uri": "at://did:plc:par/app.bsky.feed.post/3kpar"},
            },
            "embed": {
                "$type": "app.bsky.embed.images",
                "images": [
                    {
                        "alt": "",
                        "image": {
                            "$type": "blob",
                            "ref": {"$link": "bafkreiabc"},
                            "mimeType": "image/jpeg",
                            "size": 1234,
                        },
                    }
                ],
            },
        },
        "cid": "bafyreidwaivazkwu67xztlmuobx35hs2lnfh3kolmgfmucldvhd3sgzcqi",
    },
}
JETSTREAM_FOLLOW = {
    "did": "did:plc:a",
    "time_us": 1725911162329308,
    "kind": "commit",
    "commit": {
        "rev": "r",
        "operation": "create",
        "collection": "app.bsky.graph.follow",
        "rkey": "3k",
        "record": {"$type": "app.bsky.graph.follow", "subject": "did:plc:b", "createdAt": "2026-11-02T19:46:02.102Z"},
        "cid": "c",
    },
}
JETSTREAM_PROFILE = {
    "did": "did:plc:a",
    "time_us": 1725911162329308,
    "kind": "commit",
    "commit": {
        "rev": "r",
        "operation": "update",
        "collection": "app.bsky.actor.profile",
        "rkey": "self",
        "record": {"$type": "app.bsky.actor.profile", "displayName": "A", "description": "dm for prices"},
        "cid": "c",
    },
}
JETSTREAM_ACCOUNT = {
    "did": "did:plc:a",
    "time_us": 1725918652000000,
    "kind": "account",
    "account": {
        "active": False,
        "did": "did:plc:a",
        "seq": 1409753013,
        "status": "takendown",
        "time": "2026-11-02T21:50:52.000Z",
    },
}
JETSTREAM_IDENTITY = {
    "did": "did:plc:a",
    "time_us": 1725516665333808,
    "kind": "identity",
    "identity": {"did": "did:plc:a", "handle": "new-handle.bsky.social", "seq": 1, "time": "2026-11-02T06:11:04.870Z"},
}

MASTODON_STATUS = {
    "id": "103270115826048975",
    "created_at": "2026-11-02T08:16:23.000Z",
    "in_reply_to_id": "103270115826040000",
    "in_reply_to_account_id": None,
    "sensitive": False,
    "spoiler_text": "",
    "visibility": "public",
    "language": "en",
    "uri": "https://mastodon.example/users/u/statuses/1",
    "url": "https://mastodon.example/@u/1",
    "content": '<p>how old r u? <a href="https://mastodon.example/tags/trade" class="mention hashtag" '
    'rel="tag">#<span>trade</span></a><br />dm &amp; more</p>',
    "reblog": None,
    "account": {
        "id": "1",
        "username": "u",
        "acct": "u@remote.example",
        "display_name": "U",
        "locked": False,
        "bot": True,
        "created_at": "2026-11-01T00:00:00.000Z",
        "note": "<p>links: t.me/abc</p>",
        "url": "https://mastodon.example/@u",
        "followers_count": 3,
        "following_count": 400,
        "statuses_count": 90,
        "fields": [{"name": "tg", "value": '<a href="https://t.me/abc">t.me/abc</a>'}],
    },
    "media_attachments": [
        {
            "id": "22345792",
            "type": "image",
            "url": "https://files.example/a.png",
            "preview_url": None,
            "description": None,
            "blurhash": None,
        }
    ],
    "mentions": [],
    "tags": [{"name": "trade", "url": "https://mastodon.example/tags/trade"}],
    "emojis": [],
    "card": None,
    "poll": None,
}


def test_x_v2_response():
    rec, fmt = parse_line(orjson.dumps(X_RESPONSE), "src", 1, None)
    assert fmt == "x"
    (post,) = rec.posts
    assert post.id == "1445880548472328192" and post.author_id == "2244994945"
    assert post.hashtags == ["CpFolder"] and post.urls == ["https://t.me/abcdef"] and post.mentions == ["someone"]
    assert post.quote_of == "1445000000000000000" and post.media[0].kind == "photo"
    assert post.created_at == pytest.approx(1793613600.0)
    (acc,) = rec.accounts
    assert acc.handle == "dev_acct" and acc.followers == 120 and acc.bio == "prices in bio 20$"
    assert [e.kind for e in rec.edges] == ["quote"]


def test_x_v2_stream_line_with_note_tweet():
    rec, _ = parse_line(orjson.dumps(X_LONG), "src", 1, None)
    (post,) = rec.posts
    assert post.text.startswith("the full long text") and post.hashtags == ["long"] and post.reply_to == "8"


def test_jetstream_post_follow_profile_account_identity():
    rec, fmt = parse_line(orjson.dumps(JETSTREAM_POST), "src", 1, None)
    assert fmt == "bluesky"
    (post,) = rec.posts
    assert post.id == "did:plc:eygmaihciaxprqvxpfvl6flk/3l3qo2vuowo2b"
    assert post.hashtags == ["ｃｐ"] and post.urls == ["https://t.me/xyz"]
    assert post.reply_to == "did:plc:par/3kpar" and post.reply_root == "did:plc:root/3kroot"
    assert post.media[0].id == "bafkreiabc"
    follow, _ = parse_line(orjson.dumps(JETSTREAM_FOLLOW), "src", 2, None)
    assert follow.edges[0].kind == "follow" and follow.edges[0].dst == "did:plc:b"
    prof, _ = parse_line(orjson.dumps(JETSTREAM_PROFILE), "src", 3, None)
    assert prof.accounts[0].bio == "dm for prices"
    acc, _ = parse_line(orjson.dumps(JETSTREAM_ACCOUNT), "src", 4, None)
    assert acc.accounts[0].status == "takendown"
    ident, _ = parse_line(orjson.dumps(JETSTREAM_IDENTITY), "src", 5, None)
    assert ident.accounts[0].handle == "new-handle.bsky.social"


def test_mastodon_status_and_streaming_wrapper():
    rec, fmt = parse_line(orjson.dumps(MASTODON_STATUS), "src", 1, None)
    assert fmt == "mastodon"
    (post,) = rec.posts
    assert post.text == "how old r u? #trade\ndm & more"
    assert post.reply_to == "103270115826040000" and post.hashtags == ["trade"] and len(post.media) == 1
    acc = rec.accounts[0]
    assert acc.bio == "links: t.me/abc" and acc.links == ["t.me/abc"] and acc.is_bot is True
    wrapped = {"event": "update", "payload": json.dumps(MASTODON_STATUS)}
    rec2, fmt2 = parse_line(orjson.dumps(wrapped), "src", 2, None)
    assert fmt2 == "mastodon" and rec2.posts[0].id == post.id


def test_native_records():
    rec, fmt = parse_line(
        b'{"type":"post","id":"1","author_id":"a","text":"hi","created_at":"2026-11-02T00:00:00Z"}', "src", 1, None
    )
    assert fmt == "native" and rec.posts[0].created_at == pytest.approx(1793577600.0)


@pytest.mark.parametrize(
    "raw,reason",
    [
        (b'{"type":"post", "id": ', "malformed JSON"),
        (b'{"type":"post","id":"1","author_id":"a","text":"\xff\xfe"}', "invalid UTF-8"),
        (b"[1, 2]", "expected a JSON object"),
        (b'{"hello": "world"}', "unknown format"),
        (b'{"type":"post","id":"1","author_id":"a","text":5}', "Expected `str`"),
        (b'{"data": {"id": "1", "text": "x", "author_id": 5.5}}', "author_id"),
        (
            b'{"did":"did:plc:a","kind":"commit","commit":{"operation":"create","collection":"app.bsky.feed.post",'
            b'"rkey":"k","record":{"text":["no"]}}}',
            "commit.record.text",
        ),
        (b'{"type":"post","id":"1","author_id":"a","text":"' + b"x" * 30_000 + b'"}', "over the cap"),
        ("x".encode("utf-16"), "not UTF-8"),
    ],
)
def test_bad_records_are_rejected_with_a_reason(raw, reason):
    with pytest.raises(Reject, match=reason):
        obj = decode_line(raw)
        fmt = detect_format(obj)
        if fmt is None:
            raise Reject("unknown format")
        parse_line(raw, "src", 1, None)


def test_sources_gzip_directories_and_oversized_lines(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    (d / "a.jsonl").write_bytes(
        b'{"type":"post","id":"1","author_id":"a","text":"x"}\n'
        + b"y" * 1_100_000
        + b"\n"
        + b'{"type":"post","id":"2","author_id":"a","text":"x"}\n'
    )
    with gzip.open(d / "b.jsonl.gz", "wb") as fh:
        fh.write(b'{"type":"post","id":"3","author_id":"a","text":"x"}\n')
    (d / "notes.txt").write_text("ignored")
    sources = expand_sources([str(d)])
    assert [s.path.rsplit("/", 1)[-1] for s in sources] == ["a.jsonl", "b.jsonl.gz"]
    lines = list(sources[0].lines())
    assert [n for n, _p, _r in lines] == [1, 2, 3] and lines[1][2] is None  # oversized
    # resuming at the position after line 2 yields line 3 only
    rest = list(Source(sources[0].path).lines(lines[1][1], 2))
    assert [(n, orjson.loads(r)["id"]) for n, _p, r in rest] == [(3, "2")]
    gz_lines = list(sources[1].lines())
    assert len(gz_lines) == 1 and list(sources[1].lines(1)) == []
