"""Hashtag discovery: propose hashtags no list knows yet, for human review, from the company they
keep. Replayed in time order, each unlisted tag accumulates its posts, how many of them were
flagged, its distinct and flagged authors, and how often it appears beside a blocked or watched tag.
A tag is proposed once it has enough posts and authors and most of its posts or authors are
flagged, or it keeps company with listed tags. Proposals go to the pack's candidate list, never to
the blocked list; reviewers' decisions promote them.

Replaying in time order also measures lead time: how many flagged posts carried a tag before it
was proposed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from csewatch.detect.hashtags import fold_tag
from csewatch.normalize import Normalizer
from csewatch.policy import Policy
from csewatch.store import Store
from csewatch.store import schema as S


@dataclass
class TagStats:
    posts: int = 0
    flagged: int = 0
    co_listed: int = 0
    authors: set[str] = field(default_factory=set)
    flagged_authors: set[str] = field(default_factory=set)
    first_seen: float = 0.0


@dataclass
class Proposal:
    tag: str
    at: float
    posts: int
    flagged: int
    authors: int
    flagged_authors: int
    co_listed: int

    def explanation(self) -> str:
        return (
            f"#{self.tag}: {self.flagged} of {self.posts} posts flagged, {self.flagged_authors} of "
            f"{self.authors} authors flagged, {self.co_listed} posts beside a blocked or watched tag"
        )


class HashtagDiscovery:
    def __init__(
        self,
        listed: set[str],
        min_posts: int = 5,
        min_authors: int = 2,
        min_share: float = 0.6,
        min_co_share: float = 0.3,
    ):
        self.listed = listed
        self.min_posts = min_posts
        self.min_authors = min_authors
        self.min_share = min_share
        self.min_co_share = min_co_share
        self.stats: dict[str, TagStats] = defaultdict(TagStats)
        self.proposals: dict[str, Proposal] = {}

    def observe(self, tags: list[str], flagged: bool, author: str, t: float) -> list[Proposal]:
        near_listed = any(tag in self.listed for tag in tags)
        new: list[Proposal] = []
        for tag in set(tags):
            if tag in self.listed or len(tag) < 3:
                continue
            st = self.stats[tag]
            if not st.posts:
                st.first_seen = t
            st.posts += 1
            st.authors.add(author)
            st.co_listed += near_listed
            if flagged:
                st.flagged += 1
                st.flagged_authors.add(author)
            if tag not in self.proposals and self._qualifies(st):
                p = Proposal(tag, t, st.posts, st.flagged, len(st.authors), len(st.flagged_authors), st.co_listed)
                self.proposals[tag] = p
                new.append(p)
        return new

    def _qualifies(self, st: TagStats) -> bool:
        if st.posts < self.min_posts or len(st.authors) < self.min_authors:
            return False
        share = (st.flagged + 1) / (st.posts + 2)  # smoothed: a handful of posts cannot reach 1.0
        author_share = len(st.flagged_authors) / len(st.authors)
        return (share >= self.min_share and author_share >= 0.5) or st.co_listed / st.posts >= self.min_co_share


def discover(store: Store, policy: Policy, **kw) -> tuple[HashtagDiscovery, list[Proposal]]:
    norm = Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)
    h = policy.hashtags
    listed = {fold_tag(norm, t) for t in (*h.blocked, *h.watch, *h.candidate)}
    disc = HashtagDiscovery(listed, **kw)
    p, v = S.posts, S.verdicts
    with store.engine.connect() as conn:
        flagged = {(pl, i) for pl, i in conn.execute(select(v.c.platform, v.c.post_id))}
        q = select(p.c.platform, p.c.id, p.c.author_id, p.c.created_at, p.c.hashtags).order_by(p.c.created_at)
        for platform, pid, author, created, tags in conn.execute(q):
            if tags:
                folded = [fold_tag(norm, t) for t in tags]
                disc.observe(folded, (platform, pid) in flagged, f"{platform}:{author}", created)
    return disc, sorted(disc.proposals.values(), key=lambda x: x.at)
