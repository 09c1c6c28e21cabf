"""elm's records (accounts, post references) and the stream's constants."""

from __future__ import annotations

from dataclasses import dataclass, field

START = 1_772_323_200  # 2026-03-01T00:00:00Z
SPAN = 8 * 86_400
PLATFORMS = ["x", "bluesky", "mastodon"]
LANGS = ["en", "id", "tl", "ru", "de", "es", "pt", "fr", "it"]
LANG_W = [30, 13, 11, 11, 11, 7, 7, 5, 5]


@dataclass
class Acct:
    platform: str
    id: str
    handle: str
    display_name: str
    bio: str
    created_at: int
    lang: str
    role: str
    predecessor: str | None = None
    window: tuple[int, int] = (START, START + SPAN)
    extra: dict = field(default_factory=dict)


@dataclass
class PostRef:
    platform: str
    id: str
    t: int
    author: Acct
    text: str
