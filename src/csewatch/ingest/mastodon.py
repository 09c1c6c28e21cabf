"""Mastodon adapter: Status entities (HTML ``content``, ``spoiler_text``, ``tags``, ``mentions``,
``media_attachments``, ``in_reply_to_id``, ``reblog``, ``card``) with their ``account`` (``note`` HTML
bio, ``fields``, ``created_at``, counts, ``bot``), also wrapped as streaming events
(``{"event": "update", "payload": "<status json>"}``), and bare Account entities.
"""

from __future__ import annotations

import orjson

from csewatch.ingest.common import (
    Reject,
    as_dict,
    as_list,
    html_to_text,
    opt_int,
    opt_str,
    parse_time,
    req_str,
)
from csewatch.model import Account, Edge, MediaRef, Post, Record

PLATFORM = "mastodon"


def looks_like(obj: dict) -> bool:
    if obj.get("event") in ("update", "status.update", "delete") and "payload" in obj:
        return True
    if "content" in obj and isinstance(obj.get("account"), dict):
        return True
    return "acct" in obj and "username" in obj and "note" in obj


def _account(a: dict, where: str) -> Account:
    links = []
    for f in as_list(a.get("fields"), f"{where}.fields"):
        if isinstance(f, dict) and isinstance(f.get("value"), str):
            links.append(html_to_text(f["value"]))
    note = opt_str(a, "note", where)
    return Account(
        id=req_str(a, "id", where),
        platform=PLATFORM,
        handle=opt_str(a, "acct", where) or opt_str(a, "username", where),
        display_name=opt_str(a, "display_name", where),
        bio=html_to_text(note) if note else None,
        links=links,
        created_at=parse_time(a.get("created_at"), f"{where}.created_at") or None,
        followers=opt_int(a, "followers_count", where),
        following=opt_int(a, "following_count", where),
        posts_count=opt_int(a, "statuses_count", where),
        status="suspended" if a.get("suspended") is True else None,
        is_bot=a.get("bot") if isinstance(a.get("bot"), bool) else None,
    )


def _status(s: dict, source: str, rec: Record, where: str = "status") -> Post:
    account = _account(as_dict(s.get("account"), f"{where}.account"), f"{where}.account")
    rec.accounts.append(account)
    reblog = s.get("reblog")
    repost_of = None
    if isinstance(reblog, dict):
        inner = _status(reblog, source, rec, f"{where}.reblog")
        rec.posts.append(inner)
        repost_of = inner.id
    content = opt_str(s, "content", where) or ""
    spoiler = opt_str(s, "spoiler_text", where) or ""
    text = html_to_text(content)
    if spoiler:
        text = f"{spoiler}\n{text}"
    card = as_dict(s.get("card"), f"{where}.card")
    urls = [card["url"]] if isinstance(card.get("url"), str) else []
    media = [
        MediaRef(
            id=str(m.get("id")),
            kind=m.get("type") if isinstance(m.get("type"), str) else "image",
            url=m.get("url"),
            alt=m.get("description"),
        )
        for m in as_list(s.get("media_attachments"), f"{where}.media_attachments")
        if isinstance(m, dict)
    ]
    post = Post(
        id=req_str(s, "id", where),
        platform=PLATFORM,
        author_id=account.id,
        text=text,
        created_at=parse_time(s.get("created_at"), f"{where}.created_at"),
        hashtags=[
            t["name"]
            for t in as_list(s.get("tags"), f"{where}.tags")
            if isinstance(t, dict) and isinstance(t.get("name"), str)
        ],
        mentions=[
            m["acct"]
            for m in as_list(s.get("mentions"), f"{where}.mentions")
            if isinstance(m, dict) and isinstance(m.get("acct"), str)
        ],
        urls=urls,
        media=media,
        reply_to=opt_str(s, "in_reply_to_id", where),
        repost_of=repost_of,
        lang=opt_str(s, "language", where),
        source=source,
    )
    if post.reply_to:
        rec.edges.append(Edge(PLATFORM, "reply", post.author_id, post.reply_to, post.created_at))
    if repost_of:
        rec.edges.append(Edge(PLATFORM, "repost", post.author_id, repost_of, post.created_at))
    return post


def parse(obj: dict, source: str) -> Record:
    rec = Record(posts=[], accounts=[], edges=[])
    if "event" in obj and "payload" in obj:
        if obj["event"] == "delete":
            return rec
        payload = obj["payload"]
        if isinstance(payload, str):
            try:
                payload = orjson.loads(payload)
            except orjson.JSONDecodeError as exc:
                raise Reject(f"streaming payload is not JSON: {exc}") from exc
        obj = as_dict(payload, "payload")
    if "content" in obj:
        rec.posts.append(_status(obj, source, rec))
    elif "acct" in obj:
        rec.accounts.append(_account(obj, "account"))
    else:
        raise Reject("neither a Mastodon status nor an account")
    return rec
