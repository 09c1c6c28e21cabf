"""Triage: combine a post's signals (and its author's profile signals) under the policy's rules into
a Verdict with score, category and severity, and say which Cases it feeds; group verdicts into Cases
whose priority grows with severity, score, reach and volume.
"""

from __future__ import annotations

import math

import msgspec

from csewatch.keys import case_id  # noqa: F401  (re-exported: callers import it from here)
from csewatch.model import Account, Case, Post, Signal, SubjectType, Verdict
from csewatch.policy import Policy, Rule

_ACCOUNT_CASE_CATEGORIES = {
    "advert_sale_trade",
    "solicitation",
    "evasion_announcement",
    "known_material",
    "ban_evasion",
}


class Triage:
    def __init__(self, policy: Policy):
        self.policy = policy
        self.rules: list[Rule] = list(policy.rules.rules)
        self.bonus = policy.rules.bonus
        self.flag = policy.pack.thresholds.flag
        self.severity = policy.pack.severity
        self.reach_w = policy.pack.priority.reach_weight
        self.volume_w = policy.pack.priority.volume_weight

    def fired(self, indicators: set[str], scores: dict[str, float] | None = None) -> list[tuple[Rule, float]]:
        """Every rule the indicator set satisfies, with its score (``scores``: indicator -> its best
        signal score, for rules whose score rises with one, ``score_from``)."""
        out = []
        for rule in self.rules:
            if rule.all and not indicators.issuperset(rule.all):
                continue
            n_any = len(indicators.intersection(rule.any)) if rule.any else 0
            if n_any < rule.min_any:
                continue
            if rule.also_min and len(indicators.intersection(rule.also_any)) < rule.also_min:
                continue
            if rule.none and not indicators.isdisjoint(rule.none):
                continue
            score = rule.score + self.bonus * (n_any - rule.min_any)
            if rule.score_from and scores:
                score += rule.score_scale * scores.get(rule.score_from, 0.0)
            out.append((rule, min(0.99, score)))
        return out

    def judge(self, post: Post, signals: list[Signal]) -> Verdict | None:
        if not signals:
            return None
        indicators = {s.indicator for s in signals}
        fired = self.fired(indicators, _best_scores(signals))
        if not fired:
            return None
        fired.sort(key=lambda rs: (rs[1], self.severity.get(rs[0].category, 1)), reverse=True)
        best, score = fired[0]
        if score < self.flag:
            return None
        category = best.category
        subjects: list[tuple[str, str]] = []
        if category in _ACCOUNT_CASE_CATEGORIES or (
            category == "sexualising_context" and "context_repeat_commenter" in indicators
        ):  # a commenter who sexualises several children's threads is a case of its own
            subjects.append((SubjectType.ACCOUNT, post.author_id))
        for s in signals:
            if s.subject_type == SubjectType.THREAD and category == "sexualising_context":
                subjects.append((SubjectType.THREAD, s.subject_id))
            elif s.subject_type == SubjectType.HASHTAG and s.indicator == "blocked_hashtag":
                subjects.append((SubjectType.HASHTAG, s.subject_id))
        return Verdict(
            post_id=post.id,
            platform=post.platform,
            author_id=post.author_id,
            score=round(score, 4),
            category=category,
            severity=self.severity.get(category, 1),
            rules=[r.id for r, _ in fired],
            signals=signals,
            case_subjects=list(dict.fromkeys(subjects)),
        )

    def judge_shadow(self, post: Post, signals: list[Signal]) -> Verdict | None:
        """The would-be verdict of rules that read a model's signals, had its shadow signals
        (``shadow_model_*``) been live; None when no such rule would fire. Never acted on: recorded and
        measured against reviewers' decisions (rule ids prefixed ``shadow:``)."""
        shadow = [s for s in signals if s.indicator.startswith("shadow_")]
        if not shadow:
            return None
        indicators = {s.indicator for s in signals if not s.indicator.startswith(("shadow_", "model_"))}
        indicators |= {s.indicator.removeprefix("shadow_") for s in shadow}
        scores = {k.removeprefix("shadow_"): v for k, v in _best_scores(signals).items()}
        fired = [
            (r, sc)
            for r, sc in self.fired(indicators, scores)
            if any(i.startswith("model_") for i in (*r.all, *r.any, *r.also_any)) and sc >= self.flag
        ]
        if not fired:
            return None
        fired.sort(key=lambda rs: (rs[1], self.severity.get(rs[0].category, 1)), reverse=True)
        best, score = fired[0]
        return Verdict(
            post_id=post.id,
            platform=post.platform,
            author_id=post.author_id,
            score=round(score, 4),
            category=best.category,
            severity=self.severity.get(best.category, 1),
            rules=[f"shadow:{r.id}" for r, _ in fired],
            signals=shadow,
        )

    def priority(self, severity: int, score: float, reach: int, n_posts: int) -> float:
        return round(
            severity
            * score
            * (1 + self.reach_w * math.log10(1 + max(reach, 0)))
            * (1 + self.volume_w * math.log10(max(n_posts, 1))),
            4,
        )


def _best_scores(signals: list[Signal]) -> dict[str, float]:
    out: dict[str, float] = {}
    for s in signals:
        if s.score > out.get(s.indicator, -1.0):
            out[s.indicator] = s.score
    return out


class CaseBook:
    """Cases accumulated from verdicts: one per subject, merged with max/min so that folding the
    same verdict twice changes nothing."""

    def __init__(self, triage: Triage):
        self.triage = triage
        self.cases: dict[str, Case] = {}
        self.posts: dict[str, set[str]] = {}

    def add(self, verdict: Verdict, post: Post, account: Account | None) -> list[str]:
        touched = []
        reach = (account.followers or 0) if account else 0
        for subject_type, subject_id in verdict.case_subjects:
            cid = case_id(verdict.platform, subject_type, subject_id)
            case = self.cases.get(cid)
            incoming = Case(
                id=cid,
                platform=verdict.platform,
                subject_type=subject_type,
                subject_id=subject_id,
                category=verdict.category,
                severity=verdict.severity,
                score=verdict.score,
                priority=0.0,
                n_posts=1,
                reach=reach,
                first_seen=post.created_at,
                last_seen=post.created_at,
            )
            self.cases[cid] = incoming if case is None else merge_cases(case, incoming)
            self.posts.setdefault(cid, set()).add(verdict.post_id)
            touched.append(cid)
        return touched

    def finalize(self) -> list[Case]:
        for cid, case in self.cases.items():
            case.n_posts = len(self.posts.get(cid, ())) or case.n_posts
            case.priority = self.triage.priority(case.severity, case.score, case.reach, case.n_posts)
        return sorted(self.cases.values(), key=lambda c: c.priority, reverse=True)


def merge_cases(old: Case, new: Case) -> Case:
    """Fold ``new`` into ``old``: the worst category wins; scores, reach and times are max/min."""
    take_new = (new.severity, new.score) > (old.severity, old.score)
    return msgspec.structs.replace(
        old,
        category=new.category if take_new else old.category,
        severity=max(old.severity, new.severity),
        score=max(old.score, new.score),
        reach=max(old.reach, new.reach),
        first_seen=min(old.first_seen, new.first_seen) if old.first_seen else new.first_seen,
        last_seen=max(old.last_seen, new.last_seen),
    )
