"""Shared nouns of csewatch: the records every stage passes along.

Ingest adapters turn platform payloads into `Post`, `Account` and `Edge`; detectors emit `Signal`s
with `Evidence`; triage turns a post's signals into a `Verdict`; verdicts are grouped into `Case`s
that reviewers work, recording `Decision`s. msgspec structs: typed, compact and fast to build.
"""

from __future__ import annotations

from enum import StrEnum

import msgspec


class SubjectType(StrEnum):
    POST = "post"
    ACCOUNT = "account"
    HASHTAG = "hashtag"
    THREAD = "thread"
    MEDIA = "media"


class EdgeKind(StrEnum):
    FOLLOW = "follow"
    REPOST = "repost"
    REPLY = "reply"
    MENTION = "mention"
    QUOTE = "quote"
    CO_LINK = "co_link"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    TAKENDOWN = "takendown"
    DEACTIVATED = "deactivated"
    DELETED = "deleted"


class CaseState(StrEnum):
    OPEN = "open"
    IN_REVIEW = "in_review"
    ACTIONED = "actioned"
    DISMISSED = "dismissed"
    ESCALATED = "escalated"


class MediaRef(msgspec.Struct, frozen=True, omit_defaults=True):
    """A pointer to one media item of a post; hashes are filled by the media stage when known."""

    id: str
    kind: str = "image"  # image | video | gif | unknown
    url: str | None = None
    alt: str | None = None
    sha256: str | None = None
    pdq: str | None = None
    pdq_quality: int | None = None
    size: int | None = None


class Post(msgspec.Struct, omit_defaults=True):
    id: str
    platform: str
    author_id: str
    text: str = ""
    created_at: float = 0.0  # unix seconds
    hashtags: list[str] = []
    mentions: list[str] = []
    urls: list[str] = []
    media: list[MediaRef] = []
    reply_to: str | None = None
    reply_root: str | None = None
    repost_of: str | None = None
    quote_of: str | None = None
    group_id: str | None = None
    lang: str | None = None
    source: str | None = None  # "path:line" pointer to the raw record

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.id}"


class Account(msgspec.Struct, omit_defaults=True):
    id: str
    platform: str
    handle: str | None = None
    display_name: str | None = None
    bio: str | None = None
    links: list[str] = []
    created_at: float | None = None
    followers: int | None = None
    following: int | None = None
    posts_count: int | None = None
    avatar_hash: str | None = None
    status: str | None = None  # None: this record does not say (keeps what is known)
    status_reason: str | None = None
    is_bot: bool | None = None
    status_at: float | None = None  # when the record's status took effect, where the source says

    @property
    def key(self) -> str:
        return f"{self.platform}:{self.id}"

    def update_from(self, newer: Account) -> None:
        """Merge a newer record of the same account in place: its known values win; a field it does not
        know (None, or no links) keeps the known value. The one merge rule of the scan and the store."""
        for f in newer.__struct_fields__:
            v = getattr(newer, f)
            if f not in ("id", "platform") and v is not None and v != []:
                setattr(self, f, v)


class Edge(msgspec.Struct, frozen=True, omit_defaults=True):
    platform: str
    kind: str
    src: str
    dst: str
    created_at: float = 0.0


class Evidence(msgspec.Struct, frozen=True, omit_defaults=True):
    """Where a signal fired: the field, the span in the ORIGINAL text, what was there, and the rule."""

    field: str
    start: int
    end: int
    text: str
    rule: str


class Signal(msgspec.Struct, omit_defaults=True):
    detector: str
    version: str
    subject_type: str
    subject_id: str
    indicator: str  # what was found: abuse_term, price, offplatform_link, ...
    score: float
    explanation: str
    evidence: list[Evidence] = []
    post_id: str | None = None  # the post that carried it, when there is one


class Verdict(msgspec.Struct, omit_defaults=True):
    """Triage's judgement of one post: its signals combined under the policy's rules."""

    post_id: str
    platform: str
    author_id: str
    score: float
    category: str
    severity: int
    rules: list[str]
    signals: list[Signal]
    case_subjects: list[tuple[str, str]] = []  # (subject_type, subject_id) the verdict feeds


class Case(msgspec.Struct, omit_defaults=True):
    id: str
    platform: str
    subject_type: str
    subject_id: str
    category: str
    severity: int
    score: float
    priority: float
    state: str = CaseState.OPEN
    n_posts: int = 0
    reach: int = 0
    first_seen: float = 0.0
    last_seen: float = 0.0


class Decision(msgspec.Struct, frozen=True, omit_defaults=True):
    case_id: str
    reviewer: str
    decided_at: float
    outcome: str  # violating | not_violating | escalate | need_context
    rationale: str
    policy_category: str | None = None


class Action(msgspec.Struct, frozen=True, omit_defaults=True):
    """An enforcement step taken on a decided case; ``key`` makes it idempotent."""

    kind: str  # remove_post | suspend_account | block_hashtag | restrict_link
    platform: str
    target: str
    case_id: str
    decided_by: str
    reason: str
    key: str = ""


class Record(msgspec.Struct):
    """What an adapter yields for one input line: any mix of the nouns above."""

    posts: list[Post] = []
    accounts: list[Account] = []
    edges: list[Edge] = []
