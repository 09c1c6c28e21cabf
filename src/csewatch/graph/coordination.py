"""Coordination: distinct accounts posting the same normalized text, invite link or media within a
short window. Each group keeps what was shared, the window and the accounts, as its evidence."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from csewatch.detect.links import LinkMatcher
from csewatch.keys import entity_key
from csewatch.media.hashtypes import media_link_value
from csewatch.normalize import Normalizer
from csewatch.policy import Policy
from csewatch.store import Store

MIN_TEXT_CHARS = 25


@dataclass
class CoordinationGroup:
    kind: str  # text | link | media
    item: str
    accounts: list[str]
    start: float
    end: float
    posts: int

    def explanation(self) -> str:
        item = self.item if len(self.item) <= 80 else self.item[:77] + "..."
        return (
            f"{len(self.accounts)} accounts posted the same {self.kind} {item!r} {self.posts} times "
            f"within {self.end - self.start:.0f}s"
        )


def windows(
    events: list[tuple[float, str]], window: float, min_accounts: int
) -> list[tuple[float, float, list[str], int]]:
    """Non-overlapping spans of at most ``window`` seconds, each holding >= min_accounts accounts."""
    out = []
    events = sorted(events)
    i = 0
    while i < len(events):
        j = i
        while j + 1 < len(events) and events[j + 1][0] - events[i][0] <= window:
            j += 1
        accounts = sorted({a for _t, a in events[i : j + 1]})
        if len(accounts) >= min_accounts:
            out.append((events[i][0], events[j][0], accounts, j - i + 1))
        i = j + 1
    return out


def coordination(store: Store, policy: Policy, window: float = 600, min_accounts: int = 3) -> list[CoordinationGroup]:
    norm = Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)
    links = LinkMatcher(policy)
    events: dict[tuple[str, str], list[tuple[float, str]]] = defaultdict(list)
    for platform, _pid, author, created, text, urls, media in store.graph.post_contents_in_time_order():
        acc = entity_key(platform, author)
        folded = norm.fold(text).text.strip() if text else ""
        if len(folded) >= MIN_TEXT_CHARS:  # the words themselves, links masked
            events[("text", folded)].append((created, acc))
        for t in (text or "", *(urls or [])):
            for _s, _e, _svc, lk in links.find(norm.plain(t)):
                if "/" in lk:
                    events[("link", lk)].append((created, acc))
        for m in media or []:
            h = media_link_value(m)
            if h:
                events[("media", h)].append((created, acc))
    out = []
    for (kind, item), evs in events.items():
        if len({a for _t, a in evs}) < min_accounts:
            continue
        for start, end, accounts, n in windows(evs, window, min_accounts):
            out.append(CoordinationGroup(kind, item, accounts, start, end, n))
    return sorted(out, key=lambda g: (-len(g.accounts), g.start, g.kind, g.item))
