"""Bluesky Jetstream adapter: ``commit`` events for ``app.bsky.feed.post`` (facets for tags, links
and mentions with UTF-8 byte offsets; reply refs; image, record and external embeds),
``app.bsky.feed.repost``, ``app.bsky.graph.follow`` and ``app.bsky.actor.profile``; ``identity``
events (handle) and ``account`` events (``active``/``status``: takendown, suspended, deactivated,
deleted).
"""

from __future__ import annotations

from csewatch.ingest.common import Reject, as_dict, as_list, opt_str, parse_time, req_str
from csewatch.model import Account, Edge, MediaRef, Post, Record

PLATFORM = "bluesky"


def looks_like(obj: dict) -> bool:
    return isinstance(obj.get("did"), str) and obj.get("kind") in ("commit", "identity", "account")


def _at_uri_to_id(uri: str | None) -> str | None:
    """at://did:plc:xyz/app.bsky.feed.post/rkey -> did:plc:xyz/rkey (the id posts are stored under)."""
    if not isinstance(uri, str) or not uri.startswith("at://"):
        return None
    parts = uri[5:].split("/")
    if len(parts) != 3:
        return None
    return f"{parts[0]}/{parts[2]}"


def _blob_ref(blob: dict) -> str | None:
    ref = blob.get("ref")
    if isinstance(ref, dict):
        return ref.get("$link")
    return blob.get("cid") if isinstance(blob.get("cid"), str) else None


def _post(did: str, rkey: str, rec: dict, when: float, source: str) -> Post:
    text = opt_str(rec, "text", "commit.record") or ""
    raw = text.encode("utf-8")
    hashtags, urls, mentions = [], [], []
    for i, facet in enumerate(as_list(rec.get("facets"), "commit.record.facets")):
        facet = as_dict(facet, f"commit.record.facets[{i}]")
        for feat in as_list(facet.get("features"), f"commit.record.facets[{i}].features"):
            if not isinstance(feat, dict):
                continue
            t = feat.get("$type", "")
            if t.endswith("#tag") and isinstance(feat.get("tag"), str):
                hashtags.append(feat["tag"])
            elif t.endswith("#link") and isinstance(feat.get("uri"), str):
                urls.append(feat["uri"])
            elif t.endswith("#mention") and isinstance(feat.get("did"), str):
                idx = as_dict(facet.get("index"), "facet.index")
                bs, be = idx.get("byteStart"), idx.get("byteEnd")
                if isinstance(bs, int) and isinstance(be, int) and 0 <= bs < be <= len(raw):
                    mentions.append(raw[bs:be].decode("utf-8", "replace").lstrip("@"))
                else:
                    mentions.append(feat["did"])
    media: list[MediaRef] = []
    quote_of = None
    embed = as_dict(rec.get("embed"), "commit.record.embed")
    embeds = [embed]
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        embeds = [as_dict(embed.get("media"), "embed.media"), as_dict(embed.get("record"), "embed.record")]
    for em in embeds:
        et = em.get("$type", "")
        if et == "app.bsky.embed.images":
            for img in as_list(em.get("images"), "embed.images"):
                if isinstance(img, dict):
                    blob = as_dict(img.get("image"), "embed.images[].image")
                    media.append(
                        MediaRef(
                            id=_blob_ref(blob) or "?",
                            kind="image",
                            alt=img.get("alt"),
                            size=blob.get("size") if isinstance(blob.get("size"), int) else None,
                        )
                    )
        elif et == "app.bsky.embed.video":
            blob = as_dict(em.get("video"), "embed.video")
            media.append(MediaRef(id=_blob_ref(blob) or "?", kind="video"))
        elif et == "app.bsky.embed.external":
            ext = as_dict(em.get("external"), "embed.external")
            if isinstance(ext.get("uri"), str):
                urls.append(ext["uri"])
        elif et == "app.bsky.embed.record":
            inner = as_dict(em.get("record"), "embed.record")
            if "record" in inner and isinstance(inner.get("record"), dict):
                inner = inner["record"]
            quote_of = _at_uri_to_id(inner.get("uri"))
    reply = as_dict(rec.get("reply"), "commit.record.reply")
    reply_to = _at_uri_to_id(as_dict(reply.get("parent"), "reply.parent").get("uri")) if reply else None
    reply_root = _at_uri_to_id(as_dict(reply.get("root"), "reply.root").get("uri")) if reply else None
    langs = rec.get("langs")
    return Post(
        id=f"{did}/{rkey}",
        platform=PLATFORM,
        author_id=did,
        text=text,
        created_at=parse_time(rec.get("createdAt"), "commit.record.createdAt") or when,
        hashtags=list(dict.fromkeys(hashtags)),
        mentions=mentions,
        urls=urls,
        media=media,
        reply_to=reply_to,
        reply_root=reply_root,
        quote_of=quote_of,
        lang=langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else None,
        source=source,
    )


def parse(obj: dict, source: str) -> Record:
    did = req_str(obj, "did", "event")
    kind = obj.get("kind")
    tus = obj.get("time_us")
    when = tus / 1e6 if isinstance(tus, int) else 0.0
    out = Record(posts=[], accounts=[], edges=[])
    if kind == "identity":
        ident = as_dict(obj.get("identity"), "identity")
        out.accounts.append(Account(id=did, platform=PLATFORM, handle=opt_str(ident, "handle", "identity")))
        return out
    if kind == "account":
        acc = as_dict(obj.get("account"), "account")
        active = acc.get("active")
        status = opt_str(acc, "status", "account") or ("active" if active else "deactivated")
        if active is True:
            status = "active"
        out.accounts.append(
            Account(
                id=did,
                platform=PLATFORM,
                status=status,
                status_at=when or None,
                status_reason=f"jetstream account event: {status}",
            )
        )
        return out
    if kind != "commit":
        raise Reject(f"unknown Jetstream event kind {kind!r}")
    commit = as_dict(obj.get("commit"), "commit")
    op = commit.get("operation")
    collection = commit.get("collection")
    rkey = req_str(commit, "rkey", "commit")
    if op == "delete":
        return out  # deletions carry no content; nothing to detect
    if op not in ("create", "update"):
        raise Reject(f"commit.operation {op!r} is not create/update/delete")
    rec = as_dict(commit.get("record"), "commit.record")
    if collection == "app.bsky.feed.post":
        post = _post(did, rkey, rec, when, source)
        out.posts.append(post)
        if post.reply_to:
            out.edges.append(Edge(PLATFORM, "reply", did, post.reply_to, post.created_at))
        if post.quote_of:
            out.edges.append(Edge(PLATFORM, "quote", did, post.quote_of, post.created_at))
    elif collection == "app.bsky.graph.follow":
        out.edges.append(
            Edge(
                PLATFORM,
                "follow",
                did,
                req_str(rec, "subject", "commit.record"),
                parse_time(rec.get("createdAt"), "commit.record.createdAt") or when,
            )
        )
    elif collection == "app.bsky.feed.repost":
        target = _at_uri_to_id(as_dict(rec.get("subject"), "commit.record.subject").get("uri"))
        if target:
            out.edges.append(
                Edge(
                    PLATFORM, "repost", did, target, parse_time(rec.get("createdAt"), "commit.record.createdAt") or when
                )
            )
    elif collection == "app.bsky.actor.profile":
        avatar = as_dict(rec.get("avatar"), "commit.record.avatar")
        out.accounts.append(
            Account(
                id=did,
                platform=PLATFORM,
                display_name=opt_str(rec, "displayName", "commit.record"),
                bio=opt_str(rec, "description", "commit.record"),
                created_at=parse_time(rec.get("createdAt"), "commit.record.createdAt") or None,
                avatar_hash=_blob_ref(avatar) if avatar else None,
            )
        )
    # other collections (likes, blocks, lists...) are accepted and ignored
    return out
