"""The scan: source -> ingest -> normalize -> detect -> triage -> store, in batches.

``DetectionEngine`` is the pure part (one post and its author in, signals and a verdict out).
``Scanner`` drives sources through it in batches and, with a store, commits each batch together with
its source checkpoint, so a killed scan resumes where the last commit left it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from csewatch.detect import Detector, Prepared, StreamState
from csewatch.detect.classifier import ClassifierStage, bundled_model_path
from csewatch.detect.evasion import EvasionWatch
from csewatch.detect.lexicon import Lexicon, LexiconDetector
from csewatch.detect.links import LinkDetector, LinkMatcher
from csewatch.ingest import Source, expand_sources, parse_line
from csewatch.ingest.common import Limits, Reject
from csewatch.manifest import Context, Manifest, default_manifest
from csewatch.model import Account, Edge, Post, Signal, Verdict
from csewatch.normalize import Normalizer, View
from csewatch.policy import Policy
from csewatch.review.decisions import ReviewService
from csewatch.store import Batch, Store
from csewatch.triage import CaseBook, Triage, case_id

ProgressFn = Callable[[str, int, int | None, int], None]  # (source, position, size, posts so far)


def model_stage(policy: Policy) -> ClassifierStage | None:
    """The pack's learned model (``model:`` in pack.yaml), or None when it is off or absent."""
    conf = policy.pack.model
    if conf.mode == "off":
        return None
    path = Path(policy.directory) / conf.path if conf.path else bundled_model_path()
    if not path.is_file():
        return None
    return ClassifierStage.from_path(path, conf.mode, conf.thresholds)


class DetectionEngine:
    """All detectors and triage for one policy pack.

    Stages, in this order: the rule detectors registered in the manifest (in any order: none reads
    another's output; shared inputs are computed on first ask through ``Prepared.shared``), the media
    matcher when given, then two explicit later stages that read the detectors' signals: the ban-evasion
    watch (per post, in ``detect``) and the learned model (per batch, in ``learned``)."""

    def __init__(self, policy: Policy, media: Detector | None = None, manifest: Manifest | None = None):
        self.policy = policy
        self.manifest = manifest if manifest is not None else default_manifest()
        self.normalizer = Normalizer(policy.normalization.emoji_words, policy.normalization.lookalikes)
        self.lexicon = Lexicon(policy, self.normalizer)
        self.links = LinkMatcher(policy)
        self.lexicon_detector = LexiconDetector(self.lexicon)
        link_finder = LinkDetector(policy, self.links)
        # the shared inputs of each post, computed once on first ask by whichever detector asks
        self.providers = {"hits": self.lexicon_detector.hits, "link_finds": link_finder.finds}
        ctx = Context(
            policy,
            self.normalizer,
            {"lexicon": self.lexicon, "links": self.links, "lexicon_detector": self.lexicon_detector},
        )
        self.detectors: list[Detector] = list(self.manifest.build_detectors(ctx))
        if media is not None:
            self.detectors.append(media)
        # a later stage: reads the detectors' signals of the same post (announcement, links)
        self.evasion = EvasionWatch(policy, self.normalizer, self.links)
        self.triage = Triage(policy)
        self.model = model_stage(policy)  # the learned layer, after the rule detectors

    def detect(self, post: Post, account: Account | None, state: StreamState, text_view: View | None = None):
        """The rule detectors and the evasion watch on one post: (prepared post, its signals).
        ``text_view``: the post text's plain view when the caller already built it."""
        p = Prepared(post, account, self.normalizer, self.providers)
        if text_view is not None:
            p.seed_plain("text", text_view)
        signals: list[Signal] = []
        for d in self.detectors:
            signals.extend(d.detect(p, state))
        signals.extend(self.evasion.check(p, signals, state))
        return p, signals

    def learned(self, batch: list[tuple[Prepared, list[Signal]]], state: StreamState) -> None:
        """The learned model over a batch of detected posts: its signals join each post's own."""
        if self.model is None or not batch:
            return
        for (_p, signals), extra in zip(batch, self.model.score(batch, state), strict=True):
            signals.extend(extra)

    def judge(self, p: Prepared, signals: list[Signal], explain_all: bool = False) -> Verdict | None:
        """Triage of one detected post. Evidence spans and explanations are resolved for flagged posts
        (or all, with ``explain_all``): the offset maps cost more than the detection itself."""
        verdict = self.triage.judge(p.post, signals)
        if verdict is not None or explain_all:
            p.materialize()
        return verdict

    def process(
        self,
        post: Post,
        account: Account | None,
        state: StreamState,
        explain_all: bool = False,
        text_view: View | None = None,
    ) -> tuple[list[Signal], Verdict | None]:
        """Signals and verdict of one post (a batch of one: detect, learned model, judge)."""
        p, signals = self.detect(post, account, state, text_view)
        self.learned([(p, signals)], state)
        return signals, self.judge(p, signals, explain_all)


@dataclass
class ScanSummary:
    sources: int = 0
    lines: int = 0
    posts: int = 0
    accounts: int = 0
    edges: int = 0
    rejects: int = 0
    signals: int = 0
    verdicts: int = 0
    resumed_from: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    categories: dict[str, int] = field(default_factory=dict)

    @property
    def posts_per_s(self) -> float:
        return self.posts / self.seconds if self.seconds else 0.0


class Scanner:
    def __init__(
        self,
        policy: Policy,
        store: Store | None = None,
        batch_size: int = 2000,
        progress: ProgressFn | None = None,
        rejects_path: str | Path | None = None,
        media: Detector | None = None,
        review: ReviewService | None = None,
        manifest: Manifest | None = None,
    ):
        self.policy = policy
        self.engine = DetectionEngine(policy, media, manifest)
        self.formats = {name: spec for name, spec in self.engine.manifest.formats.items()}
        # rules whose measured precision lets them act without review (see ReviewService)
        self.review = review
        self.auto_rules = review.automatic_rules() if review is not None else set()
        self.store = store
        self.batch_size = batch_size
        self.progress = progress
        self.rejects_path = Path(rejects_path) if rejects_path else None
        self.state = StreamState(self.engine.manifest.state_namespaces())
        self.accounts: dict[tuple[str, str], Account] = {}
        self.retain_all = policy.pack.store.retain_posts == "all"
        self.limits = Limits(max_field_chars=policy.pack.thresholds.max_field_chars)
        if store is not None:
            for ks in self.state.all():
                ks.loader = store.load_state
            self.engine.evasion.follow_loader = store.follows_of
        self.casebook = CaseBook(self.engine.triage)  # without a store: the run's cases in memory
        self.verdicts: dict[tuple[str, str], Verdict] = {}

    # -- accounts ----------------------------------------------------------------------------
    def _remember_account(self, acc: Account) -> Account:
        """Merge a record into what is known of the account; returns the merged account."""
        k = (acc.platform, acc.id)
        old = self.accounts.get(k)
        if old is None:
            self.accounts[k] = old = acc
        else:
            old.update_from(acc)
        if len(self.accounts) > 500_000:
            for key in list(self.accounts)[:100_000]:
                del self.accounts[key]
        return old

    def _prefetch(self, posts: list[Post], status_records: list[Account]) -> dict[int, View]:
        """Loads the batch's keys of stored state in a few queries; returns the plain views of the
        post texts it built on the way (by ``id(post)``), which the detectors then reuse."""
        if self.store is None or not (posts or status_records):
            return {}
        wanted = {(p.platform, p.author_id) for p in posts} | {(a.platform, a.id) for a in status_records}
        missing = list(wanted - self.accounts.keys())
        if missing:
            for k, acc in self.store.load_accounts(missing).items():
                self.accounts.setdefault(k, acc)
        authors = [f"{p.platform}:{p.author_id}" for p in posts]
        self.state.author_times.prefetch(authors)
        self.state.evasion_seen.prefetch(authors)
        self.state.author_links.prefetch(authors)
        parents = [f"{p.platform}:{p.reply_to or p.quote_of}" for p in posts if p.reply_to or p.quote_of]
        self.state.media_posts.prefetch(parents)
        self.state.threads.prefetch(parents + [f"{p.platform}:{p.reply_root}" for p in posts if p.reply_root])
        links = self.engine.links
        norm = self.engine.normalizer
        views = {id(p): norm.plain(p.text) for p in posts if p.text}
        found = [link for v in views.values() for *_span, link in links.find(v)]
        found += [link for p in posts for u in p.urls for *_span, link in links.find(View(u.lower(), u, None))]
        self.state.link_authors.prefetch(found)
        return views

    # -- the scan ----------------------------------------------------------------------------
    def scan(self, paths: list[str], fmt: str | None = None, restart: bool = False) -> ScanSummary:
        summary = ScanSummary()
        t0 = time.perf_counter()
        sources = expand_sources(paths)
        summary.sources = len(sources)
        reject_fh = open(self.rejects_path, "ab") if (self.rejects_path and self.store is None) else None  # noqa: SIM115
        try:
            for src in sources:
                self._scan_source(src, fmt, restart, summary, reject_fh)
        finally:
            if reject_fh:
                reject_fh.close()
        if self.store is not None and self.rejects_path:
            self._export_rejects([s.key for s in sources])
        summary.seconds = time.perf_counter() - t0
        return summary

    def _export_rejects(self, keys: list[str]) -> None:
        assert self.store is not None and self.rejects_path is not None
        with open(self.rejects_path, "wb") as fh:
            for key in keys:
                for source, line, reason in self.store.rejects(key):
                    fh.write(orjson.dumps({"source": source, "line": line, "reason": reason}) + b"\n")

    def _scan_source(self, src: Source, fmt: str | None, restart: bool, summary: ScanSummary, reject_fh) -> None:
        position, line_no, known_fmt = 0, 0, None
        if self.store is not None:
            if restart:
                self.store.reset_checkpoint(src.key)
            elif not src.is_stdin:
                position, line_no, known_fmt = self.store.checkpoint(src.key)
                if position:
                    summary.resumed_from[src.key] = line_no
        fmt_hint = fmt or known_fmt
        size = src.size
        pending: list[tuple[list[Account], list[Edge], Post | None]] = []
        batch = Batch(source=src.key, position=position, line=line_no, fmt=fmt_hint)
        n_in_batch = 0
        for n, pos, raw in src.lines(position, line_no):
            summary.lines += 1
            try:
                record, got_fmt = parse_line(raw, src.key, n, fmt_hint, self.limits, self.formats)
                fmt_hint = fmt_hint or got_fmt or None
            except Reject as exc:
                summary.rejects += 1
                batch.rejects.append((src.key, n, str(exc)))
                if reject_fh:
                    reject_fh.write(orjson.dumps({"source": src.key, "line": n, "reason": str(exc)}) + b"\n")
            else:
                batch.posts.extend(record.posts)
                batch.accounts.extend(record.accounts)
                batch.edges.extend(record.edges)
                pending.append((record.accounts, record.edges, None))
                pending.extend(([], [], post) for post in record.posts)
            batch.position, batch.line, batch.fmt = pos, n, fmt_hint
            n_in_batch += 1
            if n_in_batch >= self.batch_size:
                self._finish_batch(batch, pending, summary)
                if self.progress:
                    self.progress(src.key, pos, size, summary.posts)
                batch = Batch(source=src.key, position=pos, line=n, fmt=fmt_hint)
                pending = []
                n_in_batch = 0
        if n_in_batch or batch.rejects:
            self._finish_batch(batch, pending, summary)
        if self.progress:
            self.progress(src.key, size or batch.position, size, summary.posts)

    def _finish_batch(self, batch: Batch, pending: list, summary: ScanSummary) -> None:
        views = self._prefetch(
            [p for _a, _e, p in pending if p is not None], [a for accs, _e, _p in pending for a in accs if a.status]
        )
        engine = self.engine
        watch = engine.evasion
        book = CaseBook(engine.triage) if self.store is not None else self.casebook
        detected: list[tuple[Prepared, list[Signal]]] = []
        for accounts, edges, post in pending:
            if edges:
                watch.observe_edges(edges)
            for acc in accounts:
                merged = self._remember_account(acc)
                watch.observe_account(merged, self.state, self.state.evasion_meta.get(f"clock:{acc.platform}", 0.0))
            if post is None:
                continue
            if post.created_at > self.state.evasion_meta.get(f"clock:{post.platform}", 0.0):
                self.state.evasion_meta.set(f"clock:{post.platform}", post.created_at)
            account = self.accounts.get((post.platform, post.author_id))
            detected.append(engine.detect(post, account, self.state, text_view=views.get(id(post))))
        engine.learned(detected, self.state)
        shadow_mode = getattr(engine.model, "mode", None) == "shadow"
        for p, signals in detected:
            post = p.post
            verdict = engine.judge(p, signals)
            summary.posts += 1
            shadow = engine.triage.judge_shadow(post, signals) if shadow_mode else None
            if shadow is not None:
                p.materialize()
                batch.shadow.append((shadow, verdict.category if verdict else None, str(engine.model.version)))
                if verdict is None:
                    batch.signals.extend((post.platform, s) for s in shadow.signals)
            if verdict is not None:  # the evidence of flagged posts is kept; the rest is not stored
                summary.signals += len(signals)
                batch.signals.extend((post.platform, s) for s in signals)
                summary.verdicts += 1
                summary.categories[verdict.category] = summary.categories.get(verdict.category, 0) + 1
                batch.verdicts.append(verdict)
                if self.store is None:
                    self.verdicts[(post.platform, post.id)] = verdict
                for cid in book.add(verdict, post, p.account):
                    batch.case_posts.append((cid, post.platform, post.id))
        summary.accounts += len(batch.accounts)
        summary.edges += len(batch.edges)
        if self.store is not None:
            batch.cases = book.cases
            batch.state = {ks.namespace: ks.take_dirty() for ks in self.state.all()}
            self.store.commit_batch(batch, engine.triage, self.retain_all)
            watch.committed()
            if self.review is not None and self.auto_rules and batch.verdicts:
                self.review.auto_act(batch.verdicts, self.auto_rules)
        else:
            for ks in self.state.all():
                ks.dirty.clear()


__all__ = ["DetectionEngine", "ScanSummary", "Scanner", "case_id"]
