"""Evaluation of a scan against labels: precision, recall and F1 per category and overall, the
confusion table, the share of hard negatives flagged, and the worst false positives / negatives
with the evidence that fired (or did not).

Labels come in two formats, both read by ``read_labels``: ``csewatch synth``'s (``{"post":
"platform:id", "label", "kind", "subtype"}``) and the independent synthetic authors' of
``csewatch.synth.authors`` (``{"platform", "id", "label", "family", "subfamily", "lang",
"obfuscation", "link_style"}``, whose labels are mapped to categories by ``AUTHOR_CATEGORY``).
Whenever the labels carry them, recall is broken down per family, language, obfuscation kind and link
style (per harmful category), and false positives per hard-negative family, benign kind and language,
so a good overall figure cannot hide a family, language or disguise that is never caught.

``leave_one_family_out_report`` measures the learned model on each family after training it without
that family (``csewatch eval --leave-one-family-out``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

BENIGN = "benign"
# verdict categories no post label names: account-level findings that a post of the account carries.
# Their verdicts are right on a post labelled with any harmful category (the post is still counted as
# missed for its own category) and wrong on a benign one; their recall is not defined here
# (ban evasion's recall is scored per evader by ``csewatch eval --graph-labels``).
ACCOUNT_LEVEL = {"ban_evasion"}

# the independent authors' post labels -> verdict category (every other label is benign)
AUTHOR_CATEGORY = {
    "advert": "advert_sale_trade",
    "context_reply": "sexualising_context",
    "solicitation": "solicitation",
    "evasion_announcement": "evasion_announcement",
}
# verdicts that also count as catching an author's post of that label (a reply asking a child's age
# may be read as solicitation; an evader's announcement may carry the account-level ban_evasion verdict)
AUTHOR_ALSO_COUNTS = {
    "context_reply": ("solicitation",),
    "solicitation": ("sexualising_context",),
    "evasion_announcement": ("ban_evasion",),
}
# label fields recall is broken down by, when present; those marked split hold "a+b" combinations,
# and such a post counts under each of its parts
BREAKDOWNS = ("family", "lang", "obfuscation", "link_style")
# rule ids of the learned model's verdicts: a hit resting on them alone is counted apart ("model only"),
# since the bundled model is trained on the independent authors' streams, where it is in-sample
MODEL_RULE_PREFIX = "model."
SPLIT_FIELDS = {"obfuscation", "link_style"}


@dataclass
class CategoryScore:
    category: str
    tp: int = 0
    fp: int = 0
    fn: int = 0
    model_only: int = 0  # true positives whose verdict rests on the learned model's rules alone

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
    # field -> category -> value -> [posts, caught (right category or one that also counts), flagged at all,
    # caught by the learned model alone]
    recall_by: dict[str, dict[str, dict[str, list[int]]]] = field(default_factory=dict)
    # "kind" | "lang" -> value -> [benign posts, flagged]
    benign_flagged_by: dict[str, dict[str, list[int]]] = field(default_factory=dict)
    author_labels: int = 0  # rows in the independent authors' format

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
            "recall_by": {
                f: {
                    cat: {
                        v: {"n": n, "caught": c, "recall": round(c / n, 4), "flagged": g, "model_only": m}
                        for v, (n, c, g, m) in vals.items()
                    }
                    for cat, vals in cats.items()
                }
                for f, cats in self.recall_by.items()
            },
            "benign_flagged_by": {
                f: {v: {"n": n, "flagged": g, "rate": round(g / n, 4)} for v, (n, g) in vals.items()}
                for f, vals in self.benign_flagged_by.items()
            },
            "author_labels": self.author_labels,
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
        "model_only": s.model_only,
        "recall_without_model": round((s.tp - s.model_only) / s.support, 4) if defined and s.support else None,
    }


def normalize_label(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """One label row of either format -> (post key, row with ``label`` a verdict category).

    A ``csewatch synth`` row is kept as it is (its ``subtype`` is the family of a harmful post). An
    author's row gets ``label`` from ``AUTHOR_CATEGORY`` (benign otherwise), ``kind`` = its own label,
    ``subtype`` = its family, and ``accept``: the other verdicts that also count as catching it."""
    if "post" in row:
        out = dict(row)
        if out.get("label", BENIGN) != BENIGN and out.get("subtype") and "family" not in out:
            out["family"] = out["subtype"]
        return str(row["post"]), out
    if row.get("platform") is None or row.get("id") is None:
        raise ValueError("a label row needs 'post' (csewatch synth) or 'platform' and 'id' (the authors' format)")
    own = str(row.get("label", ""))
    out = {k: v for k, v in row.items() if v is not None}
    out.update(
        post=f"{row['platform']}:{row['id']}",
        label=AUTHOR_CATEGORY.get(own, BENIGN),
        kind=own,
        subtype=str(row.get("family") or ""),
        accept=list(AUTHOR_ALSO_COUNTS.get(own, ())),
    )
    return out["post"], out


def read_labels(path: str | Path) -> dict[str, dict]:
    """Post key -> normalised label row, from a labels file of either format (see ``normalize_label``)."""
    out = {}
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    key, row = normalize_label(orjson.loads(line))
                except (ValueError, TypeError, AttributeError) as exc:  # orjson.JSONDecodeError is a ValueError
                    raise ValueError(f"{path}:{n}: {exc}") from None
                out[key] = row
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
    recall_by: dict[str, dict[str, dict[str, list[int]]]] = {}
    benign_by: dict[str, dict[str, list[int]]] = {}
    for key, lab in labels.items():
        truth = lab["label"]
        pred_row = predicted.get(key)
        pred = pred_row["category"] if pred_row else BENIGN
        confusion[(truth, pred)] += 1
        also = lab.get("accept") or ()
        alias = truth != BENIGN and pred != truth and pred in also and pred not in ACCOUNT_LEVEL
        for c in {truth, pred} - {BENIGN} - ({pred} if alias else set()):
            cats.setdefault(c, CategoryScore(c))
        hit = truth != BENIGN and (pred == truth or pred in also)
        rules = (pred_row or {}).get("rules") or []
        model_only = hit and bool(rules) and all(str(r).startswith(MODEL_RULE_PREFIX) for r in rules)
        if hit and model_only:
            cats[truth].model_only += 1
        if truth != BENIGN:
            _tally_recall(recall_by, lab, truth, hit, pred != BENIGN, model_only)
        else:
            _tally_benign(benign_by, lab, pred != BENIGN)
        if truth != BENIGN and pred == truth:
            cats[truth].tp += 1
        elif truth != BENIGN and pred in also:  # a verdict that also counts: a hit, and no false positive
            cats[truth].tp += 1
            if pred in ACCOUNT_LEVEL:
                cats[pred].tp += 1
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
        author_labels=sum(1 for lab in labels.values() if "accept" in lab),
        categories=dict(sorted(cats.items())),
        overall=overall,
        confusion=dict(confusion),
        hard_negatives=hn_total,
        hard_negatives_flagged=hn_flagged,
        hard_negative_flagged_by_subtype={k: (v[0], v[1]) for k, v in sorted(by_sub.items())},
        recall_by={
            f: {c: dict(sorted(vals.items())) for c, vals in sorted(recall_by[f].items())}
            for f in BREAKDOWNS
            if f in recall_by
        },
        benign_flagged_by={f: dict(sorted(vals.items())) for f, vals in sorted(benign_by.items())},
    )
    for score, key, pred, kind in fps[:worst]:
        report.false_positives.append(
            {"post": key, "predicted": pred, "score": score, "kind": kind, "evidence": explain(key) if explain else []}
        )
    for key, truth in fns[:worst]:
        report.false_negatives.append({"post": key, "label": truth, "evidence": explain(key) if explain else []})
    return report


def _values(lab: dict, name: str) -> list[str]:
    v = lab.get(name)
    if v is None or v == "":
        return []
    v = str(v)
    return [x for x in v.split("+") if x] if name in SPLIT_FIELDS else [v]


def _tally_recall(by: dict, lab: dict, truth: str, caught: bool, flagged: bool, model_only: bool) -> None:
    for name in BREAKDOWNS:
        for v in _values(lab, name):
            cell = by.setdefault(name, {}).setdefault(truth, {}).setdefault(v, [0, 0, 0, 0])
            cell[0] += 1
            cell[1] += int(caught)
            cell[2] += int(flagged)
            cell[3] += int(model_only)


def _tally_benign(by: dict, lab: dict, flagged: bool) -> None:
    for name in ("kind", "lang"):
        for v in _values(lab, name):
            cell = by.setdefault(name, {}).setdefault(v, [0, 0])
            cell[0] += 1
            cell[1] += int(flagged)


# ---------------------------------------------------------------------------------------------
# the learned model, leave one family out


def leave_one_family_out_report(
    policy: Any,
    authors: Sequence[str] | None = None,
    posts: int = 3000,
    seed: int = 2,
    c: float = 4.0,
    min_n: int = 20,
    corpus: Any = None,
) -> dict[str, Any]:
    """Recall of the learned model on each harmful family (and the flagged share of each
    hard-negative family) when trained without any post of that family, by
    ``csewatch.learn.train.leave_one_family_out`` over ``author_corpus`` (or a given ``corpus``).

    Thresholds are those the model card would pick: each label's lowest threshold that keeps its
    out-of-author precision at the target (``train.TARGET_PRECISION``), from models trained without
    each author; with a single author they cannot be tuned and the card's fallback is used. Families
    with fewer than ``min_n`` posts are listed as not measured rather than dropped."""
    import numpy as np

    from csewatch.learn import train as T

    names = list(authors or T.authors())
    if corpus is None:
        corpus = T.author_corpus(policy, names, posts, seed)
    groups = [e.source for e in corpus.examples]
    out_of_author = None
    if len(set(groups)) >= 2:
        oos = T.out_of_sample(corpus, groups, c)
        thresholds = {}
        for li, lab in enumerate(T.LABELS):
            y = np.array([e.y[li] for e in corpus.examples])
            thresholds[lab] = {"live": round(T._threshold(oos[:, li], y, T.TARGET_PRECISION[lab]), 4)}
        tuned = "out-of-author, at the card's target precision"
        out_of_author = T.figures(corpus, oos, thresholds)
    else:
        thresholds = {lab: {"live": 0.9} for lab in T.LABELS}  # train()'s fallback with one author
        tuned = "fixed 0.9 (one author: no out-of-author tuning)"
    families = T.leave_one_family_out(corpus, thresholds, c=c, min_n=min_n)
    sizes = Counter(
        (e.label, e.family)
        for e in corpus.examples
        if e.family and e.label in ("advert", "context_reply", "evasion_announcement", "hard_negative")
    )
    unmeasured = {f"{lab}/{fam}": n for (lab, fam), n in sorted(sizes.items()) if f"{lab}/{fam}" not in families}
    # a family that is all its label has (every author naming it alike): left out, nothing of that label
    # is left to learn from, and its recall is 0 by construction, not a finding about the family
    positives = Counter(T.LABEL_OF[e.label] for e in corpus.examples if e.label in T.LABEL_OF)
    alone = [
        key
        for (lab, fam), n in sorted(sizes.items())
        if (key := f"{lab}/{fam}") in families and lab in T.LABEL_OF and positives[T.LABEL_OF[lab]] == n
    ]
    return {
        "authors": sorted(set(groups)),
        "posts_per_author": posts,
        "seed": seed,
        "examples": len(corpus.examples),
        "thresholds": {lab: v["live"] for lab, v in thresholds.items()},
        "thresholds_from": tuned,
        "families": families,
        "not_measured": unmeasured,
        "no_positives_left": alone,
        "min_n": min_n,
        "out_of_author": out_of_author,
    }


def print_breakdowns(report: EvalReport, console: Any) -> None:
    """Rich tables of ``report``'s recall per family / language / obfuscation / link style, and of
    the benign posts flagged per hard-negative family, kind and language (only those the labels carry)."""
    from rich.table import Table

    model_hits = sum(s.model_only for s in report.categories.values())
    if model_hits and report.author_labels:
        console.print(
            f"[yellow]{model_hits} hits rest on the learned model alone. The bundled model is trained on the "
            "independent authors' streams: on their streams (any seed) those hits are in-sample, so read "
            "'w/o model' as the out-of-sample recall (and --leave-one-family-out for the model).[/yellow]"
        )
    for name, cats in report.recall_by.items():
        t = Table(title=f"recall per {name}")
        for col in (name, "category", "posts", "caught", "recall", "w/o model", "any flag"):
            t.add_column(col, justify="left" if col in (name, "category") else "right")
        for cat, vals in cats.items():
            for v, (n, caught, flagged, mo) in sorted(vals.items(), key=lambda kv: (kv[1][1] / kv[1][0], kv[0])):
                t.add_row(
                    v, cat, str(n), str(caught), f"{caught / n:.3f}", f"{(caught - mo) / n:.3f}", f"{flagged / n:.3f}"
                )
        console.print(t)
    if report.hard_negative_flagged_by_subtype:
        t = Table(title="hard negatives flagged per family")
        for col in ("family", "posts", "flagged", "rate"):
            t.add_column(col, justify="left" if col == "family" else "right")
        rows = sorted(report.hard_negative_flagged_by_subtype.items(), key=lambda kv: (-kv[1][0] / kv[1][1], kv[0]))
        for fam, (flagged, n) in rows:
            t.add_row(fam or "-", str(n), str(flagged), f"{flagged / n:.3f}")
        console.print(t)
    for name, vals in report.benign_flagged_by.items():
        t = Table(title=f"benign posts flagged per {name}")
        for col in (name, "posts", "flagged", "rate"):
            t.add_column(col, justify="left" if col == name else "right")
        for v, (n, flagged) in vals.items():
            t.add_row(v, str(n), str(flagged), f"{flagged / n:.3f}")
        console.print(t)


def print_lofo(report: dict[str, Any], console: Any) -> None:
    """Rich tables of ``leave_one_family_out_report``."""
    from rich.table import Table

    th = ", ".join(f"{k}={v}" for k, v in report["thresholds"].items())
    t = Table(title=f"leave one family out ({', '.join(report['authors'])}; {report['examples']:,} posts)")
    for col in ("label/family", "posts", "recall", "flagged (hard negatives)"):
        t.add_column(col, justify="left" if col == "label/family" else "right")
    for fam, v in report["families"].items():
        rec, fl = v.get("recall"), v.get("flagged")
        note = " (nothing of its label left to train on)" if fam in report.get("no_positives_left", ()) else ""
        t.add_row(fam + note, str(v["n"]), "" if rec is None else f"{rec:.3f}", "" if fl is None else f"{fl:.3f}")
    for fam, n in report["not_measured"].items():
        t.add_row(fam, str(n), f"< {report['min_n']} posts", "not measured")
    console.print(t)
    console.print(f"thresholds ({report['thresholds_from']}): {th}")
    ooa = report.get("out_of_author")
    if ooa:
        t = Table(title="out of author (trained without each author): recall per language / obfuscation")
        for col in ("label", "by", "value", "recall"):
            t.add_column(col, justify="right" if col == "recall" else "left")
        for lab, by in ooa["recall_by"].items():
            for name in ("lang", "obfuscation"):
                for v, r in sorted(by.get(name, {}).items(), key=lambda kv: kv[1]):
                    t.add_row(lab, name, v, f"{r:.3f}")
        console.print(t)
