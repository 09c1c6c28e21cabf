"""Detectors: each reads a prepared post (normalized views of its fields and its author) and returns
Signals with evidence. ``Prepared`` caches the views and lexicon hits so detectors share the work.
``StreamState`` holds what detectors remember across posts (posting times, invite links, media
posts); the store persists it with each batch so a resumed scan continues exactly.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Protocol

from csewatch.model import Account, Evidence, Post, Signal
from csewatch.normalize import Normalizer, View


class Prepared:
    """One post ready for detection: lazily built views of each field, shared by all detectors."""

    __slots__ = ("post", "account", "normalizer", "_plain", "_fold", "_shared", "providers", "pending")

    def __init__(
        self,
        post: Post,
        account: Account | None,
        normalizer: Normalizer,
        providers: dict[str, Callable[[Prepared], Any]] | None = None,
    ):
        self.post = post
        self.account = account
        self.normalizer = normalizer
        self._plain: dict[str, View] = {}
        self._fold: dict[str, list[View]] = {}
        # shared inputs (lexicon hits, links found...): computed once, on first ask, by whichever detector
        # asks first -- so no detector depends on another having run before it (order-free detection)
        self._shared: dict[str, Any] = {}
        self.providers = providers or {}
        # signals whose evidence is still in view coordinates: resolved only when needed
        self.pending: list[tuple[Signal, list, str | Callable[[list[Evidence]], str]]] = []

    def shared(self, key: str, compute: Callable[[Prepared], Any] | None = None) -> Any:
        """The shared input ``key`` of this post, computed once by its provider (or ``compute``);
        None when nobody can compute it."""
        if key in self._shared:
            return self._shared[key]
        fn = self.providers.get(key, compute)
        if fn is None:
            return None
        value = self._shared[key] = fn(self)
        return value

    @property
    def hits(self) -> Any:
        """Lexicon hits on the post text ([] when no lexicon provider is known)."""
        return self.shared("hits") or []

    @property
    def links(self) -> list[str]:
        """Invite links found in the post's text and URLs ([] when no link provider is known)."""
        return [f[2] for f in self.shared("link_finds") or ()]

    def materialize(self) -> None:
        """Resolve pending evidence to original-text spans and write the explanations."""
        for sig, raw, explanation in self.pending:
            evidence = [resolve_evidence(e) for e in raw]
            sig.evidence = evidence
            sig.explanation = explanation(evidence) if callable(explanation) else explanation
        self.pending.clear()

    def field_text(self, field: str) -> str:
        if field == "text":
            return self.post.text
        acc = self.account
        if acc is None:
            return ""
        if field == "bio":
            return acc.bio or ""
        if field == "handle":
            return acc.handle or ""
        if field == "display_name":
            return acc.display_name or ""
        raise KeyError(field)

    def seed_plain(self, field: str, view: View) -> None:
        """A plain view of ``field`` built elsewhere (the scanner's prefetch) from the same text."""
        self._plain[field] = view

    def plain(self, field: str = "text") -> View:
        v = self._plain.get(field)
        if v is None:
            v = self._plain[field] = self.normalizer.plain(self.field_text(field))
        return v

    def fold_variants(self, field: str = "text") -> list[View]:
        v = self._fold.get(field)
        if v is None:
            v = self._fold[field] = self.normalizer.fold_variants(self.field_text(field))
        return v


class KeyedState:
    """A bounded key -> value memory for one detector namespace, with dirty tracking for the store.

    On a miss it can ask a loader (the store) for values that an earlier batch or run persisted.
    """

    def __init__(self, namespace: str, max_entries: int = 500_000):
        self.namespace = namespace
        self.max_entries = max_entries
        self.data: OrderedDict[str, Any] = OrderedDict()
        self.dirty: set[str] = set()
        self.loader: Callable[[str, list[str]], dict[str, Any]] | None = None
        self._checked: set[str] = set()  # keys the loader was already asked for

    def prefetch(self, keys: Iterable[str]) -> None:
        """Ask the loader, once, for the keys this memory does not hold."""
        if self.loader is None:
            return
        missing = [k for k in set(keys) if k not in self.data and k not in self._checked]
        if not missing:
            return
        found = self.loader(self.namespace, missing)
        for k, v in found.items():
            self.data[k] = v
        if len(self._checked) > 4 * self.max_entries:
            self._checked.clear()
        self._checked.update(missing)
        self._trim()

    def get(self, key: str, default: Any = None) -> Any:
        v = self.data.get(key)
        if v is None:
            if self.loader is None or key in self._checked:
                return default
            self.prefetch([key])
            v = self.data.get(key)
            if v is None:
                return default
        self.data.move_to_end(key)
        return v

    def set(self, key: str, value: Any) -> None:
        self.data[key] = value
        self.data.move_to_end(key)
        self.dirty.add(key)
        self._trim()

    def _trim(self) -> None:
        # evict the least recently used values the store already has; unflushed ones stay
        while len(self.data) > self.max_entries:
            victim = next((k for k in self.data if k not in self.dirty), None)
            if victim is None:
                return
            del self.data[victim]
            self._checked.discard(victim)  # a later get asks the store again

    def take_dirty(self) -> dict[str, Any]:
        out = {k: self.data[k] for k in self.dirty if k in self.data}
        self.dirty.clear()
        return out


class StreamState:
    """Everything detectors remember across posts, by namespace. ``namespaces``: those the manifest's
    detectors declare; one that is not built in gets its own memory (``state.ns(name)``)."""

    def __init__(self, namespaces: Iterable[str] = ()) -> None:
        self.author_times = KeyedState("author_times")  # author key -> recent post times
        self.link_authors = KeyedState("link_authors")  # invite link -> first authors seen
        self.media_posts = KeyedState("media_posts")  # post key -> 1 when it carries media
        self.thread_hits = KeyedState("thread_hits")  # parent post key -> sexualising replies
        # thread memory (csewatch.detect.thread): post key -> root, subject, depth, author, flagged
        self.threads = KeyedState("threads")
        self.floods = KeyedState("floods")  # SimHash band -> recent (author, time, hash, post key)
        # ban-evasion watch (csewatch.detect.evasion)
        self.author_links = KeyedState("author_links")  # account key -> invite links it posted
        self.evasion_suspended = KeyedState("evasion_suspended")  # account key -> profile at suspension
        self.evasion_blocks = KeyedState("evasion_blocks")  # blocking key -> suspended account keys
        self.evasion_followers = KeyedState("evasion_followers")  # account key -> suspended followers
        self.evasion_names = KeyedState("evasion_names")  # handle stem / display name -> account keys
        self.evasion_seen = KeyedState("evasion_seen")  # account key -> [checks, predecessor, ...]
        self.evasion_meta = KeyedState("evasion_meta")  # counters and the stream clock
        builtin = {ks.namespace for ks in self.all()}
        self.extra: dict[str, KeyedState] = {n: KeyedState(n) for n in namespaces if n not in builtin}

    def ns(self, name: str) -> KeyedState:
        """The memory of namespace ``name`` (built in or declared by an extension)."""
        ks = getattr(self, name, None) if not name.startswith("_") else None
        if isinstance(ks, KeyedState):
            return ks
        return self.extra[name]

    def all(self) -> list[KeyedState]:
        return [*self._builtin(), *getattr(self, "extra", {}).values()]

    def _builtin(self) -> list[KeyedState]:
        return [
            self.author_times,
            self.link_authors,
            self.media_posts,
            self.thread_hits,
            self.threads,
            self.floods,
            self.author_links,
            self.evasion_suspended,
            self.evasion_blocks,
            self.evasion_followers,
            self.evasion_names,
            self.evasion_seen,
            self.evasion_meta,
        ]


class Detector(Protocol):
    name: str
    version: str

    def detect(self, p: Prepared, state: StreamState) -> list[Signal]: ...


RawEvidence = tuple[View, str, int, int, str]  # (view, field, start, end, rule) in view coordinates


def make_signal(
    detector: Detector,
    p: Prepared,
    indicator: str,
    score: float,
    explanation: str | Callable[[list[Evidence]], str],
    evidence: list[Evidence] | list[RawEvidence],
    subject_type: str = "post",
    subject_id: str | None = None,
) -> Signal:
    """A signal whose evidence and explanation are resolved lazily, when the post is flagged or asked."""
    sig = Signal(
        detector=detector.name,
        version=detector.version,
        subject_type=subject_type,
        subject_id=subject_id or p.post.id,
        indicator=indicator,
        score=score,
        explanation=explanation if isinstance(explanation, str) else "",
        evidence=[],
        post_id=p.post.id,
    )
    if not callable(explanation) and all(isinstance(e, Evidence) for e in evidence):
        sig.evidence = list(evidence)  # type: ignore[arg-type]
    else:
        p.pending.append((sig, list(evidence), explanation))
    return sig


def evidence_from_view(view: View, field: str, start: int, end: int, rule: str) -> RawEvidence:
    return (view, field, start, end, rule)


def resolve_evidence(e: Evidence | RawEvidence) -> Evidence:
    if isinstance(e, Evidence):
        return e
    view, field, start, end, rule = e
    s, t = view.span(start, end)
    return Evidence(field=field, start=s, end=t, text=view.original[s:t], rule=rule)


def quoted(evidence: list[Evidence]) -> str:
    return ", ".join(sorted({repr(e.text) for e in evidence}))
