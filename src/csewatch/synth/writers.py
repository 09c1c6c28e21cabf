"""Encoders of the synthetic stream into each platform's public wire format: X API v2 (tweet +
``includes.users/media``), Bluesky Jetstream (commit / account events, facets with UTF-8 byte
offsets), Mastodon (status entities with HTML content) and native csewatch JSONL."""

from __future__ import annotations

import html
import re
import zlib
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

if TYPE_CHECKING:
    from csewatch.synth import Generator, SynthAccount, SynthPost

_TAG_RE = re.compile(r"(?<![\w&])#(\w+)")
_URL_RE = re.compile(r"https?://\S+")


def iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _x(post: SynthPost, parent_author: dict[str, str]) -> dict:
    a = post.author
    tags = [{"start": m.start(), "end": m.end(), "tag": m.group(1)} for m in _TAG_RE.finditer(post.text)]
    urls = [
        {
            "start": m.start(),
            "end": m.end(),
            "url": "https://t.co/" + str(zlib.crc32(m.group(0).encode())),
            "expanded_url": m.group(0),
            "display_url": m.group(0)[8:40],
        }
        for m in _URL_RE.finditer(post.text)
    ]
    tweet: dict[str, Any] = {
        "id": post.id,
        "text": post.text,
        "author_id": a.id,
        "created_at": iso(post.created_at),
        "edit_history_tweet_ids": [post.id],
        "lang": "en",
        "conversation_id": post.reply_to or post.id,
        "public_metrics": {"retweet_count": 0, "reply_count": 0, "like_count": 0, "quote_count": 0},
    }
    entities: dict[str, Any] = {}
    if tags:
        entities["hashtags"] = tags
    if urls:
        entities["urls"] = urls
    if entities:
        tweet["entities"] = entities
    if post.reply_to:
        tweet["referenced_tweets"] = [{"type": "replied_to", "id": post.reply_to}]
        tweet["in_reply_to_user_id"] = parent_author.get(post.reply_to, "0")
    includes: dict[str, Any] = {
        "users": [
            {
                "id": a.id,
                "name": a.display_name,
                "username": a.handle,
                "description": a.bio,
                "created_at": iso(a.created_at),
                "protected": False,
                "verified": False,
                "public_metrics": {
                    "followers_count": a.followers,
                    "following_count": 100,
                    "tweet_count": 500,
                    "listed_count": 0,
                },
            }
        ]
    }
    if post.media:
        key = f"3_{post.id}"
        tweet["attachments"] = {"media_keys": [key]}
        includes["media"] = [
            {
                "media_key": key,
                "type": "photo",
                "url": f"https://pbs.example/media/{post.id}.jpg",
                "width": 1200,
                "height": 900,
            }
        ]
    return {"data": tweet, "includes": includes}


def _bsky_facets(text: str) -> list[dict]:
    """Tag and link facets with UTF-8 byte offsets, as the Bluesky app writes them."""
    facets = []
    for pattern, feature in (
        (_TAG_RE, lambda m: {"$type": "app.bsky.richtext.facet#tag", "tag": m.group(1)}),
        (_URL_RE, lambda m: {"$type": "app.bsky.richtext.facet#link", "uri": m.group(0)}),
    ):
        for m in pattern.finditer(text):
            b0 = len(text[: m.start()].encode("utf-8"))
            b1 = b0 + len(m.group(0).encode("utf-8"))
            facets.append({"index": {"byteStart": b0, "byteEnd": b1}, "features": [feature(m)]})
    return facets


def _bsky_post(post: SynthPost) -> dict:
    did, rkey = post.id.split("/", 1)
    rec: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "createdAt": iso(post.created_at),
        "langs": ["en"],
        "text": post.text,
    }
    facets = _bsky_facets(post.text)
    if facets:
        rec["facets"] = facets
    if post.reply_to:
        pdid, prkey = post.reply_to.split("/", 1)
        ref = {"cid": "bafyreib" + prkey[-10:], "uri": f"at://{pdid}/app.bsky.feed.post/{prkey}"}
        rec["reply"] = {"root": ref, "parent": ref}
    if post.media:
        rec["embed"] = {
            "$type": "app.bsky.embed.images",
            "images": [
                {
                    "alt": "",
                    "image": {
                        "$type": "blob",
                        "ref": {"$link": "bafkrei" + rkey[-12:]},
                        "mimeType": "image/jpeg",
                        "size": 184_211,
                    },
                }
            ],
        }
    return {
        "did": did,
        "time_us": int(post.created_at * 1e6),
        "kind": "commit",
        "commit": {
            "rev": "3l" + rkey[-10:],
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": rkey,
            "record": rec,
            "cid": "bafyreia" + rkey[-10:],
        },
    }


def _bsky_profile(a: SynthAccount, t: float) -> list[dict]:
    return [
        {
            "did": a.id,
            "time_us": int(t * 1e6),
            "kind": "identity",
            "identity": {"did": a.id, "handle": f"{a.handle}.bsky.social", "seq": 1, "time": iso(t)},
        },
        {
            "did": a.id,
            "time_us": int(t * 1e6),
            "kind": "commit",
            "commit": {
                "rev": "3l0",
                "operation": "create",
                "collection": "app.bsky.actor.profile",
                "rkey": "self",
                "record": {
                    "$type": "app.bsky.actor.profile",
                    "displayName": a.display_name,
                    "description": a.bio,
                    "createdAt": iso(a.created_at),
                },
                "cid": "bafyreiprofile",
            },
        },
    ]


def _masto_html(text: str) -> str:
    out = html.escape(text, quote=False)
    out = re.sub(
        r"(?<![\w&])#(\w+)",
        lambda m: (
            f'<a href="https://social.example/tags/{m.group(1)}" class="mention hashtag" '
            f'rel="tag">#<span>{m.group(1)}</span></a>'
        ),
        out,
    )
    return "<p>" + out.replace("\n", "<br />") + "</p>"


def _masto_account(a: SynthAccount) -> dict:
    return {
        "id": a.id,
        "username": a.handle,
        "acct": a.handle,
        "display_name": a.display_name,
        "locked": False,
        "bot": a.kind == "bot",
        "created_at": iso(a.created_at),
        "note": f"<p>{html.escape(a.bio)}</p>" if a.bio else "",
        "url": f"https://social.example/@{a.handle}",
        "avatar": "https://social.example/avatars/original/missing.png",
        "followers_count": a.followers,
        "following_count": 100,
        "statuses_count": 500,
        "fields": [],
    }


def _masto(post: SynthPost) -> dict:
    a = post.author
    return {
        "id": post.id,
        "created_at": iso(post.created_at),
        "in_reply_to_id": post.reply_to,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"https://social.example/users/{a.handle}/statuses/{post.id}",
        "url": f"https://social.example/@{a.handle}/{post.id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "content": _masto_html(post.text),
        "reblog": None,
        "account": _masto_account(a),
        "media_attachments": [
            {
                "id": f"{post.id}1",
                "type": "image",
                "url": f"https://social.example/media/{post.id}.jpg",
                "preview_url": None,
                "description": None,
                "blurhash": None,
            }
        ]
        if post.media
        else [],
        "mentions": [],
        "tags": [
            {"name": m.group(1).lower(), "url": f"https://social.example/tags/{m.group(1)}"}
            for m in _TAG_RE.finditer(post.text)
        ],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def _native_account(a: SynthAccount, status: str | None = None) -> dict:
    d = {
        "type": "account",
        "id": a.id,
        "platform": "native",
        "handle": a.handle,
        "display_name": a.display_name,
        "bio": a.bio,
        "created_at": a.created_at,
        "followers": a.followers,
    }
    if status:
        d["status"] = status
    return d


def _native_post(post: SynthPost) -> dict:
    d: dict[str, Any] = {
        "type": "post",
        "id": post.id,
        "platform": "native",
        "author_id": post.author.id,
        "text": post.text,
        "created_at": post.created_at,
        "hashtags": [m.group(1) for m in _TAG_RE.finditer(post.text)],
    }
    if post.media:
        d["media"] = [{"id": f"m{post.id}", "kind": "image"}]
    if post.reply_to:
        d["reply_to"] = post.reply_to
    if post.group_id:
        d["group_id"] = post.group_id
    return d


def write_stream(gen: Generator, out: Path) -> dict[str, int]:
    files: dict[str, Any] = {}
    counts: dict[str, int] = {}
    seen: set[str] = set()
    author_of = {p.id: p.author.id for p in gen.posts}
    events: list[tuple[float, int, str, SynthPost | None, SynthAccount | None]] = []
    for i, p in enumerate(gen.posts):
        events.append((p.created_at, i, "post", p, None))
    for t, acc in gen.suspensions:
        events.append((t, -1, "suspend", None, acc))
    for k, (t, a, b) in enumerate(gen.follows):
        if a.platform == b.platform and a.platform in ("bluesky", "native"):
            events.append((t, -2 - k, "follow", None, (a, b)))  # type: ignore[arg-type]
    events.sort(key=lambda e: (e[0], e[1]))
    try:
        for t, _i, kind, post, acc in events:
            plat = post.platform if post else (acc[0].platform if kind == "follow" else acc.platform)  # type: ignore
            if plat not in files:
                files[plat] = open(out / f"stream-{plat}.jsonl", "wb")  # noqa: SIM115
                counts[plat] = 0
            fh = files[plat]
            lines: list[dict] = []
            if kind == "follow":
                a, b = acc  # type: ignore[misc]
                if plat == "bluesky":
                    lines.append(
                        {
                            "did": a.id,
                            "time_us": int(t * 1e6),
                            "kind": "commit",
                            "commit": {
                                "rev": "3lf",
                                "operation": "create",
                                "collection": "app.bsky.graph.follow",
                                "rkey": f"3lf{zlib.crc32((a.id + b.id).encode()):010d}",
                                "record": {"$type": "app.bsky.graph.follow", "subject": b.id, "createdAt": iso(t)},
                                "cid": "bafyreifollow",
                            },
                        }
                    )
                else:
                    lines.append(
                        {
                            "type": "edge",
                            "platform": "native",
                            "kind": "follow",
                            "src": a.id,
                            "dst": b.id,
                            "created_at": t,
                        }
                    )
            elif kind == "suspend" and acc is not None:
                if plat == "bluesky":
                    lines.append(
                        {
                            "did": acc.id,
                            "time_us": int(t * 1e6),
                            "kind": "account",
                            "account": {
                                "active": False,
                                "did": acc.id,
                                "seq": 2,
                                "status": "takendown",
                                "time": iso(t),
                            },
                        }
                    )
                elif plat == "native":
                    lines.append({**_native_account(acc, "suspended"), "status_at": t})
                elif plat == "mastodon":
                    lines.append({**_masto_account(acc), "suspended": True})
                elif plat == "x":  # the X API v2 user compliance stream
                    lines.append({"data": {"user_suspend": {"user": {"id": acc.id}, "event_at": iso(t)}}})
            elif post is not None:
                a = post.author
                if a.id not in seen:
                    seen.add(a.id)
                    if plat == "bluesky":
                        lines.extend(_bsky_profile(a, min(t, a.created_at + 1)))
                    elif plat == "native":
                        lines.append(_native_account(a))
                if plat == "x":
                    lines.append(_x(post, author_of))
                elif plat == "bluesky":
                    lines.append(_bsky_post(post))
                elif plat == "mastodon":
                    lines.append(_masto(post))
                else:
                    lines.append(_native_post(post))
                counts[plat] += 1
            for line in lines:
                fh.write(orjson.dumps(line) + b"\n")
    finally:
        for fh in files.values():
            fh.close()
    return counts
