"""Mastodon adapter: Status entities (HTML ``content``, ``spoiler_text``, ``tags``, ``mentions``,
``media_attachments``, ``in_reply_to_id``, ``reblog``, ``card``) with their ``account`` (``note`` HTML
bio, ``fields``, ``created_at``, counts, ``bot``), also wrapped as streaming events
(``{"event": "update", "payload": "<status json>"}``), and bare Account entities. ``content`` is
rendered as the web client shows it (paragraphs, line breaks, entities, invisible URL parts hidden);
links found only as ``<a href>`` in the content are kept in ``Post.urls`` (mention and hashtag anchors
are not links).
"""

from __future__ import annotations

import orjson

from csewatch.ingest.common import (
    ControlMessage,
    Limits,
    Reject,
    as_dict,
    as_list,
    guarded,
    html_to_text,
    media_ref,
    opt_id,
    opt_int,
    opt_str,
    record_time,
    render_html,
    req_str,
)
from csewatch.model import Account, Edge, Post, Record

PLATFORM = "mastodon"


def _is_error(obj: dict) -> bool:
    """Mastodon's Error entity (``{"error": "...", "error_description": "..."}``), e.g. a stream refusal."""
    return isinstance(obj.get("error"), str) and set(obj) <= {"error", "error_description"}


def looks_like(obj: dict) -> bool:
    if _is_error(obj):
        return True
    if obj.get("event") in ("update", "status.update", "delete") and "payload" in obj:
        return True
    if "content" in obj and isinstance(obj.get("account"), dict):
        return True
    return "acct" in obj and "username" in obj and "note" in obj


def _account(a: dict, where: str, cap: int) -> Account:
    links = []
    for f in as_list(a.get("fields"), f"{where}.fields"):
        if isinstance(f, dict) and isinstance(f.get("value"), str):
            links.append(html_to_text(f["value"][:cap], show_invisible=True))
    note = opt_str(a, "note", where, cap)
    bio, note_links = render_html(note) if note else (None, [])
    links.extend(u for u in note_links if u not in links)
    return Account(
        id=req_str(a, "id", where, cap),
        platform=PLATFORM,
        handle=opt_str(a, "acct", where, cap) or opt_str(a, "username", where, cap),
        display_name=opt_str(a, "display_name", where, cap),
        bio=bio or None,
        links=links,
        created_at=record_time(a.get("created_at"), f"{where}.created_at") or None,
        followers=opt_int(a, "followers_count", where),
        following=opt_int(a, "following_count", where),
        posts_count=opt_int(a, "statuses_count", where),
        status="suspended" if a.get("suspended") is True else None,
        is_bot=a.get("bot") if isinstance(a.get("bot"), bool) else None,
    )


def _status(s: dict, source: str, rec: Record, cap: int, where: str = "status", depth: int = 0) -> Post:
    account = _account(as_dict(s.get("account"), f"{where}.account"), f"{where}.account", cap)
    rec.accounts.append(account)
    reblog = s.get("reblog")
    repost_of = None
    if isinstance(reblog, dict):
        if depth >= 2:
            raise Reject(f"{where}.reblog: reblogs nested {depth + 1} deep")
        inner = _status(reblog, source, rec, cap, f"{where}.reblog", depth + 1)
        rec.posts.append(inner)
        repost_of = inner.id
    content = opt_str(s, "content", where, cap) or ""
    spoiler = opt_str(s, "spoiler_text", where, cap) or ""
    text, urls = render_html(content)
    if spoiler:
        text = f"{spoiler}\n{text}"
    card = as_dict(s.get("card"), f"{where}.card")
    if isinstance(card.get("url"), str) and card["url"] not in urls:
        urls.append(card["url"])
    media = [
        media_ref(f"{where}.media_attachments[{j}]", m.get("id"), m.get("type"), m.get("url"), m.get("description"))
        for j, m in enumerate(as_list(s.get("media_attachments"), f"{where}.media_attachments"))
        if isinstance(m, dict)
    ]
    post = Post(
        id=req_str(s, "id", where, cap),
        platform=PLATFORM,
        author_id=account.id,
        text=text,
        created_at=record_time(s.get("created_at"), f"{where}.created_at"),
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
        reply_to=opt_id(s, "in_reply_to_id", where, cap),
        repost_of=repost_of,
        lang=opt_str(s, "language", where, 64),
        source=source,
    )
    if post.reply_to:
        rec.edges.append(Edge(PLATFORM, "reply", post.author_id, post.reply_to, post.created_at))
    if repost_of:
        rec.edges.append(Edge(PLATFORM, "repost", post.author_id, repost_of, post.created_at))
    return post


@guarded
def parse(obj: dict, source: str, limits: Limits) -> Record:
    cap = limits.max_field_chars
    if _is_error(obj):
        raise ControlMessage(f"Mastodon error entity: {obj['error'][:200]}")
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
        rec.posts.append(_status(obj, source, rec, cap))
    elif "acct" in obj:
        rec.accounts.append(_account(obj, "account", cap))
    else:
        raise Reject("neither a Mastodon status nor an account")
    return rec
