"""Evaluation of a scan against labels: precision, recall and F1 per category and overall, the
confusion table, the share of hard negatives flagged, and the worst false positives / negatives
with the evidence that fired (or did not)."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import orjson

BENIGN = "benign"
# verdict categories no post label names: account-level findings that a post of the account carries.
# Their verdicts are right on a post labelled with any harmful category (the post is still counted as
# missed for its own category) and wrong on a benign one; their recall is not defined here
# (ban evasion's recall is scored per evader by ``csewatch eval --graph-labels``).
ACCOUNT_LEVEL = {"ban_evasion"}


@dataclass
class CategoryScore:
    category: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.tp + self.fn


@dataclass
class EvalReport:
    n_labelled: int
    n_scored: int
    categories: dict[str, CategoryScore]
    overall: CategoryScore
    confusion: dict[tuple[str, str], int]
    hard_negatives: int
    hard_negatives_flagged: int
    hard_negative_flagged_by_subtype: dict[str, tuple[int, int]]
    false_positives: list[dict] = field(default_factory=list)
    false_negatives: list[dict] = field(default_factory=list)

    @property
    def hard_negative_rate(self) -> float:
        return self.hard_negatives_flagged / self.hard_negatives if self.hard_negatives else 0.0

    def to_dict(self) -> dict:
        return {
            "labelled": self.n_labelled,
            "scored": self.n_scored,
            "categories": {c: _score_dict(s) for c, s in self.categories.items()},
            "overall": _score_dict(self.overall),
            "confusion": [{"label": a, "predicted": b, "n": n} for (a, b), n in sorted(self.confusion.items())],
            "hard_negatives": self.hard_negatives,
            "hard_negatives_flagged": self.hard_negatives_flagged,
            "hard_negative_rate": round(self.hard_negative_rate, 5),
            "hard_negative_by_subtype": {
                k: {"flagged": f, "of": n} for k, (f, n) in self.hard_negative_flagged_by_subtype.items()
            },
            "false_positives": self.false_positives,
            "false_negatives": self.false_negatives,
        }


def _score_dict(s: CategoryScore) -> dict:
    defined = s.category not in ACCOUNT_LEVEL
    return {
        "precision": round(s.precision, 4),
        "recall": round(s.recall, 4) if defined else None,
        "f1": round(s.f1, 4) if defined else None,
        "tp": s.tp,
        "fp": s.fp,
        "fn": s.fn,
        "support": s.support,
    }


def read_labels(path: str | Path) -> dict[str, dict]:
    out = {}
    with open(path, "rb") as fh:
        for line in fh:
            if line.strip():
                row = orjson.loads(line)
                out[row["post"]] = row
    return out


def evaluate(labels: dict[str, dict], predicted: dict[str, dict], worst: int = 5, explain=None) -> EvalReport:
    """``predicted``: post key -> {"category", "score", ...} for flagged posts; unflagged are benign."""
    cats: dict[str, CategoryScore] = {}
    confusion: Counter[tuple[str, str]] = Counter()
    overall = CategoryScore("overall")
    fps: list[tuple[float, str, str, str]] = []
    fns: list[tuple[str, str]] = []
    hn_total = hn_flagged = 0
    by_sub: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, lab in labels.items():
        truth = lab["label"]
        pred_row = predicted.get(key)
        pred = pred_row["category"] if pred_row else BENIGN
        confusion[(truth, pred)] += 1
        for c in {truth, pred} - {BENIGN}:
            cats.setdefault(c, CategoryScore(c))
        if truth != BENIGN and pred == truth:
            cats[truth].tp += 1
        elif truth != BENIGN and pred in ACCOUNT_LEVEL:
            cats[pred].tp += 1
            cats[truth].fn += 1
            fns.append((key, truth))
        else:
            if pred != BENIGN:
                cats[pred].fp += 1
                fps.append((pred_row["score"], key, pred, lab.get("kind", "")))
            if truth != BENIGN:
                cats[truth].fn += 1
                fns.append((key, truth))
        # overall: flagged vs not, regardless of category
        if truth != BENIGN and pred != BENIGN:
            overall.tp += 1
        elif pred != BENIGN:
            overall.fp += 1
        elif truth != BENIGN:
            overall.fn += 1
        if lab.get("kind") == "hard_negative":
            hn_total += 1
            by_sub[lab.get("subtype", "")][1] += 1
            if pred != BENIGN:
                hn_flagged += 1
                by_sub[lab.get("subtype", "")][0] += 1
    fps.sort(reverse=True)
    report = EvalReport(
        n_labelled=len(labels),
        n_scored=sum(1 for k in labels if k in predicted),
        categories=dict(sorted(cats.items())),
        overall=overall,
        confusion=dict(confusion),
        hard_negatives=hn_total,
        hard_negatives_flagged=hn_flagged,
        hard_negative_flagged_by_subtype={k: (v[0], v[1]) for k, v in sorted(by_sub.items())},
    )
    for score, key, pred, kind in fps[:worst]:
        report.false_positives.append(
            {"post": key, "predicted": pred, "score": score, "kind": kind, "evidence": explain(key) if explain else []}
        )
    for key, truth in fns[:worst]:
        report.false_negatives.append({"post": key, "label": truth, "evidence": explain(key) if explain else []})
    return report
