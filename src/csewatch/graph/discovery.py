"""Hashtag discovery: propose hashtags no list knows yet, for human review, from the company they
keep. Replayed in time order, each unlisted tag accumulates its posts, how many of them were
flagged, how many came from accounts already flagged before, its distinct and flagged authors, and
how often it appears beside a listed or already proposed tag. Its flagged share is read as a lift
over the stream's own base rate (a tag in a stream that is 4% adverts is remarkable at 40%), and a
tag whose segments look like known bad tags or abuse terms (``#cpvault`` beside ``#cp``) needs less
evidence. A tag is proposed once it has enough posts and authors and (1) most of its posts and
authors are flagged, or (2) its posts come mostly from flagged posts or already-flagged accounts
at a high lift, or (3) it keeps company with listed or proposed tags, or (4) it looks like a known
bad tag and a good share of its posts are flagged. A benign trending tag (many authors, few flags)
meets none. Proposals go to the pack's candidate list, never to the blocked list; reviewers'
decisions promote them.

Replaying in time order also measures lead time: how many flagged posts carried a tag before it
was proposed."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from csewatch.detect.hashtags import fold_tag
from csewatch.keys import entity_key
from csewatch.normalize import Normalizer, segment
from csewatch.policy import Policy
from csewatch.store import Store


@dataclass
class TagStats:
    posts: int = 0
    flagged: int = 0
    by_flagged_accounts: int = 0  # posts (not flagged themselves) by accounts flagged before
    co_listed: int = 0
    co_proposed: int = 0  # posts beside a tag proposed earlier in the replay (no listed one)
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
        min_posts: int = 4,
        min_authors: int = 2,
        min_share: float = 0.6,
        min_co_share: float = 0.3,
        min_lift: float = 5.0,
        bad_segments: set[str] | None = None,
    ):
        self.listed = listed
        self.bad_segments = bad_segments or set()
        self.min_lift = min_lift
        self.total = 0
        self.total_flagged = 0
        self.flagged_accounts: set[str] = set()
        self.min_posts = min_posts
        self.min_authors = min_authors
        self.min_share = min_share
        self.min_co_share = min_co_share
        self.stats: dict[str, TagStats] = defaultdict(TagStats)
        self.proposals: dict[str, Proposal] = {}

    def observe(self, tags: list[str], flagged: bool, author: str, t: float) -> list[Proposal]:
        near_listed = any(tag in self.listed for tag in tags)
        near_proposed = not near_listed and any(tag in self.proposals for tag in tags)
        by_flagged = author in self.flagged_accounts
        self.total += 1
        self.total_flagged += flagged
        if flagged:
            self.flagged_accounts.add(author)
        new: list[Proposal] = []
        for tag in sorted(set(tags)):  # sorted: set order varies between processes
            if tag in self.listed or len(tag) < 3:
                continue
            st = self.stats[tag]
            if not st.posts:
                st.first_seen = t
            st.posts += 1
            st.authors.add(author)
            st.co_listed += near_listed
            st.co_proposed += near_proposed
            if flagged:
                st.flagged += 1
                st.flagged_authors.add(author)
            elif by_flagged:
                st.by_flagged_accounts += 1
            if tag not in self.proposals and self._qualifies(tag, st):
                p = Proposal(tag, t, st.posts, st.flagged, len(st.authors), len(st.flagged_authors), st.co_listed)
                self.proposals[tag] = p
                new.append(p)
        return new

    def _qualifies(self, tag: str, st: TagStats) -> bool:
        if st.posts < self.min_posts or len(st.authors) < self.min_authors:
            return False
        share = (st.flagged + 1) / (st.posts + 2)  # smoothed: a handful of posts cannot reach 1.0
        author_share = len(st.flagged_authors) / len(st.authors)
        if share >= self.min_share and author_share >= 0.5:
            return True
        base = (self.total_flagged + 1) / (self.total + 2)
        company = (st.flagged + st.by_flagged_accounts + 1) / (st.posts + 2)
        known = sum(a in self.flagged_accounts for a in st.authors) / len(st.authors)
        if company >= self.min_share and company / base >= self.min_lift and known >= 0.5:
            return True
        if st.co_listed / st.posts >= self.min_co_share:
            return True
        if (st.co_listed + st.co_proposed) / st.posts >= self.min_co_share and st.flagged >= 2:
            return True
        return self.looks_bad(tag) and share >= self.min_share / 2 and share / base >= self.min_lift

    def looks_bad(self, tag: str) -> bool:
        """A segment of the tag is a segment of a listed bad tag or an abuse term."""
        if not self.bad_segments:
            return False
        return any(seg in self.bad_segments for seg in segment(tag))


def discover(store: Store, policy: Policy, **kw) -> tuple[HashtagDiscovery, list[Proposal]]:
    norm = Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)
    h = policy.hashtags
    listed = {fold_tag(norm, t) for t in (*h.blocked, *h.watch, *h.candidate)}
    bad = {seg for t in h.blocked for seg in segment(fold_tag(norm, t)) if len(seg) >= 2}
    bad |= {
        norm.fold_term(term).replace(" ", "")
        for ind, term, _amb in policy.term_entries()
        if ind in ("abuse_material", "minor_indicator") and len(term) >= 2
    }
    kw.setdefault("bad_segments", bad)
    disc = HashtagDiscovery(listed, **kw)
    flagged, posts = store.graph.hashtag_replay()  # replayed in time order, ties by post key
    for platform, pid, author, created, tags in posts:
        if tags:
            folded = [fold_tag(norm, t) for t in tags]
            disc.observe(folded, (platform, pid) in flagged, entity_key(platform, author), created)
    return disc, sorted(disc.proposals.values(), key=lambda x: (x.at, x.tag))
