"""``csewatch model``: train the learned text model, read its card, measure it leave-one-family-out,
and move it from shadow to live through the measured-precision gate.

A model trained here starts in shadow mode: point a pack's ``model.path`` at the file with
``mode: shadow``, scan, let reviewers decide the cases (``model sample`` opens cases for a sample of
the posts only the model would flag), and ``model promote`` switches the pack to ``live`` only when
reviewers' decisions on the model's would-be verdicts reach the pack's automation thresholds.
"""

from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

model_app = typer.Typer(no_args_is_help=True, help="The learned text model: train, card, shadow, promote.")
console = Console() if sys.stdout.isatty() else Console(width=160)

_DB = typer.Option("csewatch.db", "--db", envvar="CSEWATCH_DB", help="SQLite path or SQLAlchemy URL")
_POLICY = typer.Option(None, "--policy", help="Policy pack directory (default: the bundled pack)")
_JSON = typer.Option(False, "--json", help="Print JSON instead of tables")


def _load_policy(path: Path | None):
    from csewatch.policy import PolicyError, load_policy

    try:
        return load_policy(path)
    except PolicyError as exc:
        console.print(f"[red]policy error:[/red] {exc}")
        raise typer.Exit(2) from exc


def _print_card(card: dict) -> None:
    console.print(f"model [bold]{card.get('version')}[/bold]: {card.get('kind')}")
    data = card.get("data", {})
    console.print(
        f"data: authors {data.get('authors')}, {data.get('examples')} examples, "
        f"{data.get('decisions', 0)} from reviewers' decisions"
    )
    console.print(f"thresholds: {card.get('thresholds')}")
    oos = card.get("out_of_author")
    if not oos:
        return
    t = Table(title="out of author (each author scored by a model trained on the others)")
    for col in ("label", "n", "precision", "recall"):
        t.add_column(col)
    for lab, v in oos["labels"].items():
        t.add_row(lab, str(v["n"]), f"{v['precision']:.3f}", f"{v['recall']:.3f}")
    console.print(t)
    console.print(f"hard negatives flagged: {oos.get('hard_negative_fp_all', 0):.2%}")
    for lab, by in oos.get("recall_by", {}).items():
        for k in ("source", "lang"):
            if by.get(k):
                console.print(f"  {lab} recall by {k}: " + ", ".join(f"{g} {r:.2f}" for g, r in by[k].items()))


@model_app.command("train")
def model_train(
    out: Path = typer.Option(Path("csewatch-model.npz"), "--out", help="Model file to write"),
    authors: str = typer.Option("", "--authors", help="Comma-separated synthetic authors (default: all)"),
    posts: int = typer.Option(20000, "--posts", help="Posts per author"),
    seed: int = typer.Option(1, "--seed"),
    c: float = typer.Option(4.0, "--c", help="Inverse regularisation strength"),
    db: str | None = typer.Option(None, "--db", help="Also learn from this store's decisions; save the model there"),
    policy: Path | None = _POLICY,
    version: str | None = typer.Option(None, "--version"),
    as_json: bool = _JSON,
) -> None:
    """Train on the synthetic authors (and reviewers' decisions with --db); writes the model and its card."""
    from csewatch.learn.train import authors as all_authors
    from csewatch.learn.train import decision_corpus, train

    pol = _load_policy(policy)
    names = [a for a in authors.split(",") if a] or all_authors()
    unknown = sorted(set(names) - set(all_authors()))
    if unknown:
        console.print(f"[red]unknown author(s):[/red] {unknown}; known: {all_authors()}")
        raise typer.Exit(2)
    store = None
    extra = None
    if db:
        from csewatch.store import Store

        store = Store(db, create=False)
        extra = decision_corpus(store, pol)
    model = train(pol, names, posts=posts, seed=seed, c=c, extra=extra, version=version)
    model.save(out)
    model.card["file"] = str(out)
    if store is not None:
        store.save_model(model.version, model.card, model.to_bytes())
    if as_json:
        print(json.dumps(model.card))
    else:
        _print_card(model.card)
        console.print(f"wrote {out} ({out.stat().st_size:,} bytes); it runs in shadow mode until promoted")


@model_app.command("card")
def model_card(
    path: Path | None = typer.Argument(None, help="Model file (default: the bundled model)"),
    as_json: bool = _JSON,
) -> None:
    """The model card: data, thresholds and out-of-author figures."""
    from csewatch.detect.classifier import bundled_model_path
    from csewatch.learn.linear import LinearModel

    p = path or bundled_model_path()
    if not Path(p).is_file():
        console.print(f"[red]no model file at {p}[/red]")
        raise typer.Exit(2)
    card = LinearModel.load(p).card
    if as_json:
        print(json.dumps(card))
    else:
        _print_card(card)


@model_app.command("lofo")
def model_lofo(
    authors: str = typer.Option("", "--authors"),
    posts: int = typer.Option(8000, "--posts"),
    seed: int = typer.Option(2, "--seed"),
    policy: Path | None = _POLICY,
    as_json: bool = _JSON,
) -> None:
    """Leave one family out: recall on each harmful family (false positives on each hard-negative
    family) by a model trained without it."""
    from csewatch.learn.train import author_corpus, leave_one_family_out
    from csewatch.learn.train import authors as all_authors

    pol = _load_policy(policy)
    corpus = author_corpus(pol, [a for a in authors.split(",") if a] or all_authors(), posts, seed)
    report = leave_one_family_out(corpus)
    if as_json:
        print(json.dumps(report))
        return
    t = Table(title="leave one family out")
    for col in ("family", "n", "recall / flagged"):
        t.add_column(col)
    for fam, v in report.items():
        t.add_row(fam, str(v["n"]), f"{v.get('recall', v.get('flagged')):.3f}")
    console.print(t)


def _shadow_precision(db: str, policy: Path | None):
    from csewatch.review.decisions import ReviewService
    from csewatch.store import Store

    pol = _load_policy(policy)
    store = Store(db, create=False)
    rows = [r for r in ReviewService(store, pol).precision() if r.rule.startswith("shadow:")]
    return pol, store, rows


@model_app.command("shadow")
def model_shadow(db: str = _DB, policy: Path | None = _POLICY, as_json: bool = _JSON) -> None:
    """Shadow verdicts recorded, and the precision reviewers' decisions give each shadow rule."""
    pol, store, rows = _shadow_precision(db, policy)
    allv = store.shadow_verdicts()
    only = sum(1 for v in allv if v["live_category"] is None)
    auto = pol.pack.automation
    out = {
        "shadow_verdicts": len(allv),
        "only_shadow": only,
        "rules": [
            {
                "rule": r.rule,
                "decisions": r.decisions,
                "violating": r.violating,
                "precision": round(r.precision, 4),
                "may_go_live": r.decisions >= auto.min_decisions and r.precision >= auto.min_precision,
            }
            for r in rows
        ],
    }
    if as_json:
        print(json.dumps(out))
        return
    console.print(f"{len(allv):,} shadow verdicts ({only:,} on posts the live rules did not flag)")
    t = Table(title=f"shadow rules (gate: >= {auto.min_decisions} decisions at >= {auto.min_precision:.0%})")
    for col in ("rule", "decisions", "violating", "precision", "may go live"):
        t.add_column(col)
    for r in out["rules"]:
        t.add_row(
            r["rule"],
            str(r["decisions"]),
            str(r["violating"]),
            f"{r['precision']:.3f}",
            "yes" if r["may_go_live"] else "no",
        )
    console.print(t)


@model_app.command("sample")
def model_sample(
    n: int = typer.Option(50, "-n", help="How many shadow-only verdicts to send to review"),
    seed: int = typer.Option(0, "--seed"),
    db: str = _DB,
    policy: Path | None = _POLICY,
) -> None:
    """Open review cases for a random sample of the posts only the shadow model would flag, so its
    precision is measured on what it alone adds."""
    from csewatch.model import Case
    from csewatch.triage import Triage, case_id

    pol, store, _rows = _shadow_precision(db, policy)
    pool = store.shadow_verdicts(only_unflagged=True)
    pick = random.Random(seed).sample(pool, min(n, len(pool)))
    triage = Triage(pol)
    cases, members = [], []
    for v in pick:
        cid = case_id(v["platform"], "post", v["post_id"])
        cases.append(
            Case(
                id=cid,
                platform=v["platform"],
                subject_type="post",
                subject_id=v["post_id"],
                category=v["category"],
                severity=1,
                score=v["score"],
                priority=0.0,
                n_posts=1,
            )
        )
        members.append((cid, v["platform"], v["post_id"]))
    store.open_review_cases(cases, members, triage)
    console.print(f"opened {len(cases)} review case(s) from {len(pool):,} shadow-only verdicts")


@model_app.command("promote")
def model_promote(
    policy: Path = typer.Option(..., "--policy", help="The pack directory whose model goes live"),
    db: str = _DB,
) -> None:
    """Switch the pack's model from shadow to live, only if every shadow rule with decisions passes the
    pack's measured-precision gate (automation.min_decisions / min_precision)."""
    pol, _store, rows = _shadow_precision(db, policy)
    auto = pol.pack.automation
    if pol.pack.model.mode != "shadow":
        console.print(f"[yellow]the pack's model is {pol.pack.model.mode!r}, not shadow: nothing to promote[/yellow]")
        raise typer.Exit(1)
    measured = [r for r in rows if r.decisions]
    failing = [r for r in measured if r.decisions < auto.min_decisions or r.precision < auto.min_precision]
    if not measured or failing:
        for r in failing or rows:
            console.print(f"  {r.rule}: {r.violating}/{r.decisions} violating ({r.precision:.3f})")
        console.print(
            f"[red]refused[/red]: the gate needs >= {auto.min_decisions} decisions at >= "
            f"{auto.min_precision:.0%} precision for each shadow rule"
            + ("" if measured else " (no decisions yet: see `csewatch model sample`)")
        )
        raise typer.Exit(1)
    pack = policy / "pack.yaml"
    text = pack.read_text("utf-8")
    new, n = re.subn(r"(?m)^(model:\s*\n(?:[ \t]+.*\n)*?[ \t]+mode:[ \t]*)shadow\b", r"\1live", text)
    if n != 1:
        console.print(f"[red]could not find model.mode: shadow in {pack}[/red]")
        raise typer.Exit(2)
    pack.write_text(new, "utf-8")
    console.print(f"model is live in {pack}: " + ", ".join(f"{r.rule} {r.precision:.3f}" for r in measured))
