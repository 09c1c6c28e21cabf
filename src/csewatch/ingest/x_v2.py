"""X API v2 adapter: a response or stream line with ``data`` (one tweet or a list) and ``includes``
(``users``, ``media``, ``tweets``). Reads ``note_tweet`` long text, ``entities`` (hashtags, urls with
``expanded_url``, mentions), ``referenced_tweets`` (replied_to / quoted / retweeted), media keys,
and users' ``description``, ``created_at``, ``public_metrics``, ``entities.url``. Also reads the user
compliance stream's events (``user_suspend``, ``user_unsuspend``, ``user_delete``...) as account status;
the Post compliance stream's events (``delete``, ``tweet_edit``, ``withheld``, ``drop``, ``undrop``) are
understood and yield nothing.
Tweet text arrives with ``&`` ``<`` ``>`` escaped as HTML entities and is stored unescaped. Stream control
messages (a top-level ``errors`` array without ``data``, e.g. operational-disconnect) are reported as
ControlMessage rejects, never as unknown input.
"""

from __future__ import annotations

from csewatch.ingest.common import (
    ControlMessage,
    Limits,
    Reject,
    as_dict,
    as_list,
    guarded,
    media_ref,
    opt_id,
    opt_int,
    opt_str,
    record_time,
    req_str,
    x_unescape,
)
from csewatch.model import Account, Edge, MediaRef, Post, Record

PLATFORM = "x"


# User compliance stream events (GET /2/users/compliance/stream) and the account status they mean;
# None: the event is understood but changes no status csewatch keeps.
USER_EVENTS: dict[str, str | None] = {
    "user_suspend": "suspended",
    "user_unsuspend": "active",
    "user_delete": "deleted",
    "user_undelete": "active",
    "user_protect": None,
    "user_unprotect": None,
    "user_withheld": None,
    "user_profile_modification": None,
}

# Post compliance stream events: understood, they carry no content to detect (an empty record).
POST_EVENTS = frozenset({"delete", "tweet_edit", "withheld", "drop", "undrop"})


def _problem(obj: dict) -> bool:
    """A top-level problem object (an HTTP error body captured into the stream): title, type, detail/status."""
    return (
        isinstance(obj.get("title"), str)
        and isinstance(obj.get("type"), str)
        and ("detail" in obj or "status" in obj)
        and ("api.twitter.com/2/problems" in obj["type"] or "api.x.com/2/problems" in obj["type"] or "status" in obj)
    )


def _is_control(obj: dict) -> bool:
    """A stream control/error message: ``{"errors": [{"title": ..., "type": ...}]}`` or a problem object,
    and no ``data``."""
    if "data" in obj:
        return False
    errors = obj.get("errors")
    if isinstance(errors, list) and errors:
        return all(isinstance(e, dict) and ("title" in e or "type" in e) for e in errors)
    return _problem(obj)


def looks_like(obj: dict) -> bool:
    if _is_control(obj):
        return True
    data = obj.get("data")
    if isinstance(data, list):
        data = data[0] if data else {}
    if (
        isinstance(data, dict)
        and len(data) == 1
        and (next(iter(data)) in USER_EVENTS or next(iter(data)) in POST_EVENTS)
    ):
        return True
    return isinstance(data, dict) and "text" in data and ("author_id" in data or "edit_history_tweet_ids" in data)


def _control(obj: dict) -> ControlMessage:
    parts = []
    errors = obj["errors"] if isinstance(obj.get("errors"), list) else [obj]
    for e in errors[:3]:
        title = e.get("title") if isinstance(e.get("title"), str) else e.get("type")
        what = title if isinstance(title, str) else "error"
        if isinstance(e.get("disconnect_type"), str):
            what += f" ({e['disconnect_type']})"
        if isinstance(e.get("detail"), str):
            what += f": {e['detail'][:200]}"
        parts.append(what)
    return ControlMessage("X stream control message: " + "; ".join(parts))


def _user_event(name: str, ev: dict) -> Record:
    where = f"data.{name}"
    user = as_dict(ev.get("user"), f"{where}.user")
    uid = req_str(user, "id", f"{where}.user")
    at = record_time(ev.get("event_at"), f"{where}.event_at") or None
    status = USER_EVENTS[name]
    rec = Record(posts=[], accounts=[], edges=[])
    if status is not None:
        rec.accounts.append(
            Account(
                id=uid,
                platform=PLATFORM,
                status=status,
                status_at=at,
                status_reason=f"X user compliance event: {name}",
            )
        )
    return rec


def _user(u: dict, where: str, cap: int) -> Account:
    metrics = as_dict(u.get("public_metrics"), f"{where}.public_metrics")
    links: list[str] = []
    entities = as_dict(u.get("entities"), f"{where}.entities")
    # the profile link, then the links in the bio (its text holds only t.co forms of them)
    for part in ("url", "description"):
        w = f"{where}.entities.{part}"
        for url in as_list(as_dict(entities.get(part), w).get("urls"), f"{w}.urls"):
            if isinstance(url, dict) and isinstance(url.get("expanded_url"), str) and url["expanded_url"] not in links:
                links.append(url["expanded_url"])
    return Account(
        id=req_str(u, "id", where, cap),
        platform=PLATFORM,
        handle=opt_str(u, "username", where, cap),
        display_name=opt_str(u, "name", where, cap),
        bio=opt_str(u, "description", where, cap),
        links=links,
        created_at=record_time(u.get("created_at"), f"{where}.created_at") or None,
        followers=opt_int(metrics, "followers_count", where),
        following=opt_int(metrics, "following_count", where),
        posts_count=opt_int(metrics, "tweet_count", where),
        avatar_hash=None,
    )


def _tweet(t: dict, where: str, media_index: dict[str, dict], source: str, cap: int) -> Post:
    note = as_dict(t.get("note_tweet"), f"{where}.note_tweet")
    text = x_unescape(opt_str(note, "text", f"{where}.note_tweet", cap) or opt_str(t, "text", where, cap) or "")
    entities = as_dict((note.get("entities") if note else None) or t.get("entities"), f"{where}.entities")
    hashtags = [
        h["tag"]
        for h in as_list(entities.get("hashtags"), f"{where}.entities.hashtags")
        if isinstance(h, dict) and isinstance(h.get("tag"), str)
    ]
    mentions = [
        m["username"]
        for m in as_list(entities.get("mentions"), f"{where}.entities.mentions")
        if isinstance(m, dict) and isinstance(m.get("username"), str)
    ]
    urls = [
        u.get("expanded_url") or u.get("url")
        for u in as_list(entities.get("urls"), f"{where}.entities.urls")
        if isinstance(u, dict) and isinstance(u.get("expanded_url") or u.get("url"), str)
    ]
    reply_to = quote_of = repost_of = None
    for ref in as_list(t.get("referenced_tweets"), f"{where}.referenced_tweets"):
        ref = as_dict(ref, f"{where}.referenced_tweets[]")
        kind = ref.get("type")
        if kind == "replied_to":
            reply_to = req_str(ref, "id", f"{where}.referenced_tweets[]", cap)
        elif kind == "quoted":
            quote_of = req_str(ref, "id", f"{where}.referenced_tweets[]", cap)
        elif kind == "retweeted":
            repost_of = req_str(ref, "id", f"{where}.referenced_tweets[]", cap)
    media: list[MediaRef] = []
    keys = as_list(as_dict(t.get("attachments"), f"{where}.attachments").get("media_keys"), f"{where}.attachments")
    for j, key in enumerate(keys):
        mw = f"{where}.attachments.media_keys[{j}]"
        m = media_index.get(key, {}) if isinstance(key, str) else {}
        media.append(media_ref(mw, key, m.get("type"), m.get("url") or m.get("preview_image_url"), m.get("alt_text")))
    conv = opt_id(t, "conversation_id", where, cap)
    return Post(
        id=req_str(t, "id", where, cap),
        platform=PLATFORM,
        author_id=req_str(t, "author_id", where, cap),
        text=text,
        created_at=record_time(t.get("created_at"), f"{where}.created_at"),
        hashtags=hashtags,
        mentions=mentions,
        urls=urls,
        media=media,
        reply_to=reply_to,
        reply_root=conv if conv and reply_to else None,
        quote_of=quote_of,
        repost_of=repost_of,
        lang=opt_str(t, "lang", where, 64),
        source=source,
    )


@guarded
def parse(obj: dict, source: str, limits: Limits) -> Record:
    cap = limits.max_field_chars
    if _is_control(obj):
        raise _control(obj)
    data = obj.get("data")
    if data is None:
        if "errors" in obj:
            raise Reject("X API error object, no data")
        raise Reject("no 'data' member")
    if isinstance(data, dict) and len(data) == 1 and (name := next(iter(data))) in USER_EVENTS:
        return _user_event(name, as_dict(data[name], f"data.{name}"))
    if isinstance(data, dict) and len(data) == 1 and (name := next(iter(data))) in POST_EVENTS:
        ev = as_dict(data[name], f"data.{name}")
        req_str(as_dict(ev.get("tweet"), f"data.{name}.tweet"), "id", f"data.{name}.tweet", cap)
        record_time(ev.get("event_at"), f"data.{name}.event_at")
        return Record(posts=[], accounts=[], edges=[])
    tweets = data if isinstance(data, list) else [data]
    includes = as_dict(obj.get("includes"), "includes")
    media_index = {
        m["media_key"]: m
        for m in as_list(includes.get("media"), "includes.media")
        if isinstance(m, dict) and isinstance(m.get("media_key"), str)
    }
    rec = Record(posts=[], accounts=[], edges=[])
    for i, u in enumerate(as_list(includes.get("users"), "includes.users")):
        rec.accounts.append(_user(as_dict(u, f"includes.users[{i}]"), f"includes.users[{i}]", cap))
    for i, t in enumerate(as_list(includes.get("tweets"), "includes.tweets")):
        where = f"includes.tweets[{i}]"
        rec.posts.append(_tweet(as_dict(t, where), where, media_index, source, cap))
    for i, t in enumerate(tweets):
        where = f"data[{i}]" if isinstance(data, list) else "data"
        post = _tweet(as_dict(t, where), where, media_index, source, cap)
        rec.posts.append(post)
        for kind, target in (("reply", post.reply_to), ("quote", post.quote_of), ("repost", post.repost_of)):
            if target:
                rec.edges.append(Edge(PLATFORM, kind, post.author_id, target, post.created_at))
    return rec
