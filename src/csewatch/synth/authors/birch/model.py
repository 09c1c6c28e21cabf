"""birch's records (accounts, composed texts), the segment markers and the stream's constants."""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

KO, KC, PO, PC = "\x01", "\x02", "\x03", "\x04"
_MARKS = re.compile(r"[\x01-\x04]")
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_ALNUM = string.ascii_letters + string.digits
PLATFORMS = ("x", "bluesky", "mastodon")
PLATFORM_WEIGHTS = (0.3, 0.35, 0.35)
T0 = 1_761_955_200  # 2025-11-01 00:00 UTC
SPAN = 9 * 86400


@dataclass
class Account:
    platform: str
    id: str
    handle: str
    display_name: str
    bio: str
    created_at: int
    role: str
    followers: int
    following: int
    lang: str
    window: tuple[int, int] = (T0, T0 + SPAN)
    predecessor: str | None = None
    suspended_at: int | None = None


@dataclass
class Text:
    text: str
    obfuscation: str = "none"
    link_style: str = "none"
    urls: list[str] = field(default_factory=list)
