"""Bots and bursts. Per account: the most posts inside any minute and how regular the gaps between
posts are (a coefficient of variation near 0 is a machine's clock). Per hashtag: hourly volume
against its own recent baseline; an hour whose count is improbable under a Poisson rate of that
baseline (and at least ``ratio`` times it) is a burst, reported as a hashtag alert with its numbers."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from scipy.stats import poisson

from csewatch.keys import entity_key
from csewatch.store import Store


@dataclass
class AccountActivity:
    account: str
    posts: int
    max_per_minute: int
    gap_cv: float  # coefficient of variation of the gaps between posts

    @property
    def bot_like(self) -> bool:
        return self.posts >= 5 and (self.max_per_minute >= 4 or self.gap_cv < 0.25)

    def explanation(self) -> str:
        return (
            f"{self.posts} posts, up to {self.max_per_minute} in one minute, gap variation "
            f"{self.gap_cv:.2f} (0 = clockwork)"
        )


@dataclass
class Burst:
    tag: str
    hour_start: float
    count: int
    baseline: float
    p_value: float

    def explanation(self) -> str:
        return (
            f"#{self.tag}: {self.count} posts in the hour from {self.hour_start:.0f} against a baseline of "
            f"{self.baseline:.1f}/hour (p = {self.p_value:.1e})"
        )


def account_activity(times_by_account: dict[str, list[float]]) -> list[AccountActivity]:
    out = []
    for acc, times in times_by_account.items():
        t = np.sort(np.asarray(times))
        if len(t) < 2:
            out.append(AccountActivity(acc, len(t), len(t), math.inf))
            continue
        gaps = np.diff(t)
        cv = float(gaps.std() / gaps.mean()) if gaps.mean() > 0 else 0.0
        per_minute = int((np.searchsorted(t, t + 60, side="left") - np.arange(len(t))).max())
        out.append(AccountActivity(acc, len(t), per_minute, cv))
    return sorted(out, key=lambda a: (-a.bot_like, -a.max_per_minute, a.gap_cv, a.account))


def hashtag_bursts(
    counts: dict[str, dict[int, int]],
    min_count: int = 12,
    ratio: float = 4.0,
    alpha: float = 1e-4,
    history_hours: int = 6,
) -> list[Burst]:
    """``counts``: tag -> hour index -> posts. A burst: count >= min_count, >= ratio x the baseline
    (mean of the previous ``history_hours``, floored at 1), and Poisson tail probability < alpha.
    Hours before the stream has ``history_hours`` of history are not judged (no baseline yet)."""
    first = min((h for hours in counts.values() for h in hours), default=0)
    out = []
    for tag, hours in counts.items():
        for h, c in sorted(hours.items()):
            if c < min_count or h < first + history_hours:
                continue
            base = max(1.0, sum(hours.get(h - k, 0) for k in range(1, history_hours + 1)) / history_hours)
            if c < ratio * base:
                continue
            p = float(poisson.sf(c - 1, base))
            if p < alpha:
                out.append(Burst(tag, h * 3600.0, c, base, p))
    return sorted(out, key=lambda b: (b.p_value, b.tag, b.hour_start))


def activity_from_store(store: Store) -> tuple[list[AccountActivity], list[Burst]]:
    times: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for platform, _pid, author, created, tags in store.graph.tagged_posts_in_time_order():  # oldest first
        times[entity_key(platform, author)].append(created)
        for tag in tags or ():
            counts[tag.lower()][int(created // 3600)] += 1
    return account_activity(times), hashtag_bursts(counts)
