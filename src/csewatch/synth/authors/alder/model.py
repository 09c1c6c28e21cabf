"""alder's records (the expansion context, accounts, posts) and the stream's constants."""

from __future__ import annotations

from dataclasses import dataclass, field

PLATFORMS = ["x", "bluesky", "mastodon"]
PLATFORM_WEIGHTS = [0.5, 0.3, 0.2]
T0 = 1_767_225_600  # 2026-01-01 00:00 UTC
WINDOW = 6 * 86_400
_B32 = "abcdefghijklmnopqrstuvwxyz234567"


@dataclass
class Ctx:
    """What one text expansion used: languages to draw slots from, contact styles, indicator words."""

    langs: list[str]
    styles: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    advert: bool = False
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class Acct:
    platform: str
    id: str
    handle: str
    display_name: str
    bio: str
    created_at: int
    followers: int
    following: int
    role: str
    lang: str
    kind: str = "person"
    predecessor: str | None = None
    suspended_at: int | None = None
    early: bool = False
    n_posts: int = 0


@dataclass
class Post:
    platform: str
    id: str
    author: Acct
    text: str
    t: int
    lang: str
    label: str
    family: str
    subfamily: str
    obfuscation: str = "none"
    link_style: str = "none"
    media: int = 0
    reply_to: str | None = None
    reply_root: str | None = None
    quote_of: str | None = None
    repost_of: str | None = None
    group_id: str | None = None
    tag_lang: bool = True
