"""Bluesky Jetstream adapter: ``commit`` events for ``app.bsky.feed.post`` (facets for tags, links
and mentions with UTF-8 byte offsets; reply refs; image, record and external embeds),
``app.bsky.feed.repost``, ``app.bsky.graph.follow`` and ``app.bsky.actor.profile``; ``identity``
events (handle) and ``account`` events (``active``/``status``: takendown, suspended, deactivated,
deleted). Hashtags come from tag facets and from the record's ``tags`` field (tags the client sent
without placing them in the text), in that order, once each. Media refs whose blob ``$link`` is not a
string are rejected with the field named.
"""

from __future__ import annotations

from csewatch.ingest.common import (
    Limits,
    Reject,
    as_dict,
    as_list,
    check_time,
    guarded,
    media_ref,
    opt_str,
    record_time,
    req_str,
)
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


def _blob_ref(blob: dict, where: str) -> str | None:
    """The blob's CID: ``ref.$link`` (or a legacy ``cid``); Reject when it is there but not a string."""
    ref = blob.get("ref")
    if isinstance(ref, dict) and "$link" in ref:
        link = ref["$link"]
        if not isinstance(link, str):
            raise Reject(f"{where}.ref.$link: expected a string, got {type(link).__name__}")
        return link
    if ref is not None and not isinstance(ref, dict | str):
        raise Reject(f"{where}.ref: expected an object, got {type(ref).__name__}")
    cid = blob.get("cid")
    if cid is not None and not isinstance(cid, str):
        raise Reject(f"{where}.cid: expected a string, got {type(cid).__name__}")
    return cid or (ref if isinstance(ref, str) else None)


def _post(did: str, rkey: str, rec: dict, when: float, source: str, cap: int) -> Post:
    text = opt_str(rec, "text", "commit.record", cap) or ""
    raw = text.encode("utf-8")
    hashtags, urls, mentions = [], [], []
    for i, facet in enumerate(as_list(rec.get("facets"), "commit.record.facets")):
        facet = as_dict(facet, f"commit.record.facets[{i}]")
        for feat in as_list(facet.get("features"), f"commit.record.facets[{i}].features"):
            if not isinstance(feat, dict):
                continue
            t = feat.get("$type")
            if not isinstance(t, str):
                continue  # a feature without a type names nothing csewatch reads
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
    for i, tag in enumerate(as_list(rec.get("tags"), "commit.record.tags")):
        if not isinstance(tag, str):
            raise Reject(f"commit.record.tags[{i}]: expected a string, got {type(tag).__name__}")
        hashtags.append(tag.lstrip("#"))
    media: list[MediaRef] = []
    quote_of = None
    embed = as_dict(rec.get("embed"), "commit.record.embed")
    embeds = [embed]
    if embed.get("$type") == "app.bsky.embed.recordWithMedia":
        embeds = [as_dict(embed.get("media"), "embed.media"), as_dict(embed.get("record"), "embed.record")]
    for em in embeds:
        et = em.get("$type", "")
        if et == "app.bsky.embed.images":
            for j, img in enumerate(as_list(em.get("images"), "embed.images")):
                if isinstance(img, dict):
                    w = f"embed.images[{j}].image"
                    blob = as_dict(img.get("image"), w)
                    ref = _blob_ref(blob, w) or "?"
                    media.append(media_ref(w, ref, "image", None, img.get("alt"), blob.get("size")))
        elif et == "app.bsky.embed.video":
            blob = as_dict(em.get("video"), "embed.video")
            media.append(media_ref("embed.video", _blob_ref(blob, "embed.video") or "?", "video", None, em.get("alt")))
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
        created_at=record_time(rec.get("createdAt"), "commit.record.createdAt") or when,
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


@guarded
def parse(obj: dict, source: str, limits: Limits) -> Record:
    cap = limits.max_field_chars
    did = req_str(obj, "did", "event", cap)
    kind = obj.get("kind")
    tus = obj.get("time_us")
    if tus is not None and (isinstance(tus, bool) or not isinstance(tus, int | float)):
        raise Reject(f"time_us: expected an integer, got {type(tus).__name__}")
    when = check_time(tus / 1e6, "time_us") if tus else 0.0
    out = Record(posts=[], accounts=[], edges=[])
    if kind == "identity":
        ident = as_dict(obj.get("identity"), "identity")
        out.accounts.append(Account(id=did, platform=PLATFORM, handle=opt_str(ident, "handle", "identity", cap)))
        return out
    if kind == "account":
        acc = as_dict(obj.get("account"), "account")
        active = acc.get("active")
        status = opt_str(acc, "status", "account", 64) or ("active" if active else "deactivated")
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
    rkey = req_str(commit, "rkey", "commit", cap)
    if op == "delete":
        return out  # deletions carry no content; nothing to detect
    if op not in ("create", "update"):
        raise Reject(f"commit.operation {op!r} is not create/update/delete")
    rec = as_dict(commit.get("record"), "commit.record")
    if collection == "app.bsky.feed.post":
        post = _post(did, rkey, rec, when, source, cap)
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
                req_str(rec, "subject", "commit.record", cap),
                record_time(rec.get("createdAt"), "commit.record.createdAt") or when,
            )
        )
    elif collection == "app.bsky.feed.repost":
        target = _at_uri_to_id(as_dict(rec.get("subject"), "commit.record.subject").get("uri"))
        if target:
            out.edges.append(
                Edge(
                    PLATFORM,
                    "repost",
                    did,
                    target,
                    record_time(rec.get("createdAt"), "commit.record.createdAt") or when,
                )
            )
    elif collection == "app.bsky.actor.profile":
        avatar = as_dict(rec.get("avatar"), "commit.record.avatar")
        out.accounts.append(
            Account(
                id=did,
                platform=PLATFORM,
                display_name=opt_str(rec, "displayName", "commit.record", cap),
                bio=opt_str(rec, "description", "commit.record", cap),
                created_at=record_time(rec.get("createdAt"), "commit.record.createdAt") or None,
                avatar_hash=_blob_ref(avatar, "commit.record.avatar") if avatar else None,
            )
        )
    # other collections (likes, blocks, lists...) are accepted and ignored
    return out
