"""cedar's records (accounts, posts), the stream's time window and shared alphabets."""

from __future__ import annotations

import string
from dataclasses import dataclass, field

T0 = 1791158400.0  # 2026-10-05 00:00 UTC
DAYS = 6
DAY = 86400.0
T_END = T0 + DAYS * DAY
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B64 = string.ascii_letters + string.digits + "_-"


@dataclass
class Acct:
    platform: str
    id: str
    handle: str
    display_name: str
    bio: str
    created_at: float
    followers: int
    following: int
    role: str
    lang: str
    predecessor: str | None = None
    suspended_at: float | None = None


@dataclass
class Post:
    platform: str
    id: str
    author: Acct
    text: str
    created_at: float
    label: str
    family: str
    subfamily: str
    lang: str
    obfuscation: str = "none"
    link_style: str = "none"
    media: bool = False
    reply_to: str | None = None
    reply_root: str | None = None
    quote_of: str | None = None
    repost_of: str | None = None
    group_id: str | None = None
    extra_tags: list[str] = field(default_factory=list)
