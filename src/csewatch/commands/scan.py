"""``csewatch scan``, ``cases``, ``explain``, ``eval``, ``synth`` and ``demo``: read a stream into the store,
read the case queue and why each case was flagged, and measure detection against labels."""

from __future__ import annotations

import contextlib
import json
import time
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from csewatch.commands.common import (
    DbOpt,
    JsonOpt,
    PolicyOpt,
    QuietOpt,
    ScanDbOpt,
    console,
    err,
    existing_db,
    load_pack,
    progress_steps,
)
from csewatch.commands.media import media_detector
from csewatch.eval import ACCOUNT_LEVEL, evaluate, print_breakdowns, read_labels
from csewatch.keys import entity_key, parse_entity_key
from csewatch.store import Store

commands = typer.Typer()  # top-level commands, merged into the main app by csewatch.cli


class _ScanProgress:
    """A rich progress bar over the bytes of each source, with posts/s."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[posts]} posts, {task.fields[rate]} posts/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            console=err,
            disable=quiet,
            transient=False,
        )
        self.tasks: dict[str, TaskID] = {}
        self.t0 = time.perf_counter()

    def __enter__(self) -> _ScanProgress:
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def __call__(self, source: str, position: int, size: int | None, posts: int) -> None:
        if self.quiet:
            return
        task = self.tasks.get(source)
        if task is None:
            task = self.tasks[source] = self.progress.add_task(Path(source).name, total=size, posts=0, rate=0)
        rate = int(posts / max(time.perf_counter() - self.t0, 1e-9))
        self.progress.update(task, completed=position, posts=posts, rate=rate)


def _run_scan(
    paths: list[str],
    db: str | None,
    policy_dir: Path | None,
    fmt: str | None,
    rejects: Path | None,
    restart: bool,
    batch_size: int,
    quiet: bool,
    media_dir: Path | None = None,
    index_dir: Path | None = None,
    auto_actions: Path | None = None,
):
    from csewatch.pipeline import Scanner

    policy = load_pack(policy_dir)
    store = Store(db, policy.version) if db else None
    media = None
    if media_dir is not None:
        media = media_detector(store or Store(None), media_dir, index_dir)
    review = None
    if store is not None and auto_actions is not None:
        from csewatch.actions.sinks import JsonlSink
        from csewatch.review.decisions import ReviewService

        review = ReviewService(store, policy, [JsonlSink(auto_actions)])
    from csewatch.store import StoreBusy

    lock = contextlib.ExitStack()
    if store is not None:  # one scanner per store
        try:
            lock.enter_context(store.scan_lock())
        except StoreBusy as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
    with lock, _ScanProgress(quiet) as prog:
        scanner = Scanner(
            policy, store, batch_size=batch_size, progress=prog, rejects_path=rejects, media=media, review=review
        )
        try:
            summary = scanner.scan(paths, fmt=fmt, restart=restart)
        except FileNotFoundError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
    return scanner, summary


@commands.command()
def scan(
    paths: list[str] = typer.Argument(..., help="Files (.jsonl, .json, .gz), directories, or - for stdin"),
    db: str = ScanDbOpt,
    policy: Path | None = PolicyOpt,
    fmt: str | None = typer.Option(None, "--format", help="A registered format: x | bluesky | mastodon | native..."),
    rejects: Path = typer.Option(Path("csewatch-rejects.jsonl"), "--rejects", help="Where rejected lines are listed"),
    restart: bool = typer.Option(False, "--restart", help="Ignore saved checkpoints and read sources from the start"),
    batch_size: int = typer.Option(2000, "--batch-size", min=1),
    media: Path | None = typer.Option(None, "--media", help="Media store directory: hash and match post media"),
    index_dir: Path | None = typer.Option(None, "--index", help="Where the PDQ index is kept between runs"),
    auto_actions: Path | None = typer.Option(
        Path("csewatch-actions.jsonl"),
        "--auto-actions",
        help="Where rules that earned automatic mode (by reviewers' decisions) send their actions",
    ),
    quiet: bool = QuietOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Scan a stream into the store; resumes each source from its last committed checkpoint."""
    from csewatch.manifest import default_manifest  # format names are the manifest's

    if fmt and fmt not in default_manifest().formats:
        err.print(f"[red]unknown format {fmt!r} (known: {', '.join(default_manifest().formats)})[/red]")
        raise typer.Exit(2)
    scanner, s = _run_scan(
        paths, db, policy, fmt, rejects, restart, batch_size, quiet or as_json, media, index_dir, auto_actions
    )
    doc = {
        "sources": s.sources,
        "lines": s.lines,
        "posts": s.posts,
        "accounts": s.accounts,
        "edges": s.edges,
        "rejects": s.rejects,
        "signals": s.signals,
        "verdicts": s.verdicts,
        "categories": s.categories,
        "resumed_from_line": s.resumed_from,
        "seconds": round(s.seconds, 3),
        "posts_per_s": round(s.posts_per_s, 1),
        "rejects_file": str(rejects),
        "media": dict(scanner.engine.detectors[-1].counts) if media else None,
    }
    if as_json:
        print(json.dumps(doc))
        return
    console.print(
        f"scanned {s.posts:,} posts from {s.lines:,} lines in {s.seconds:.1f}s "
        f"({s.posts_per_s:,.0f} posts/s): {s.verdicts:,} flagged, {s.rejects:,} rejected"
        + (f" (listed in {rejects})" if s.rejects else "")
    )
    for src, line in s.resumed_from.items():
        console.print(f"resumed {src} after line {line:,}")
    if media:
        console.print(f"media: {dict(scanner.engine.detectors[-1].counts)}")


def _cases_table(store: Store, limit: int, category: str | None = None) -> Table:
    table = Table(title=f"Top {limit} cases", show_lines=False)
    for col in ("#", "case", "priority", "category", "sev", "posts", "evidence that fired"):
        table.add_column(col, overflow="fold")
    for i, c in enumerate(store.top_cases(limit, category=category), 1):
        table.add_row(
            str(i),
            f"{c.subject_type}:{c.subject_id[:40]}",
            f"{c.priority:.2f}",
            c.category,
            str(c.severity),
            str(c.n_posts),
            _evidence_summary(store, c.id),
        )
    return table


def _evidence_summary(store: Store, cid: str) -> str:
    rows = store.case_verdicts(cid, limit=1)
    if not rows:
        return ""
    top = rows[0]
    sigs = store.post_signals(top["platform"], top["post_id"])
    parts = []
    for s in sigs:
        texts = sorted({e["text"] for e in s["evidence"] if e.get("text")})[:3]
        parts.append(f"{s['indicator']}" + (f"={'/'.join(texts)}" if texts else ""))
    return f"{','.join(top['rules'][:2])}: " + "; ".join(parts[:6])


@commands.command()
def cases(
    db: str = DbOpt,
    limit: int = typer.Option(20, "--limit", "-n"),
    category: str | None = typer.Option(None, "--category"),
    as_json: bool = JsonOpt,
) -> None:
    """The case queue, highest priority first."""
    store = Store(db)
    if as_json:
        import msgspec

        print(msgspec.json.encode(store.top_cases(limit, category=category)).decode())
        return
    console.print(_cases_table(store, limit, category))


@commands.command()
def explain(
    ident: str = typer.Argument(..., help="A case id (platform:type:subject) or a post (platform:post id)"),
    db: str = DbOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Why a case or a post was flagged: every signal, the rule, the field and span it fired on."""
    store = Store(db)
    case = store.case(ident)
    doc: dict = {}
    if case is not None:
        import msgspec

        doc["case"] = msgspec.to_builtins(case)
        doc["posts"] = []
        for v in store.case_verdicts(ident, limit=20):
            doc["posts"].append(
                {
                    "post": f"{v['platform']}:{v['post_id']}",
                    "score": v["score"],
                    "category": v["category"],
                    "rules": v["rules"],
                    "text": v.get("text"),
                    "signals": _signals_doc(store.post_signals(v["platform"], v["post_id"])),
                }
            )
        if case.subject_type == "account":
            doc["account_signals"] = _signals_doc(store.subject_signals(case.platform, "account", case.subject_id))
    else:
        try:
            platform, post_id = parse_entity_key(ident)
        except ValueError:
            err.print(f"[red]no case or post {ident!r} (a post is PLATFORM:POST_ID)[/red]")
            raise typer.Exit(1) from None
        post = store.post(platform, post_id)
        sigs = store.post_signals(platform, post_id)
        if post is None and not sigs:
            err.print(f"[red]no case or post {ident!r}[/red]")
            raise typer.Exit(1)
        verdict = store.verdict_map().get((platform, post_id))
        doc = {"post": ident, "text": post["text"] if post else None, "verdict": verdict, "signals": _signals_doc(sigs)}
    if as_json:
        print(json.dumps(doc, default=str))
        return
    _print_explain(doc)


def _signals_doc(rows: list[dict]) -> list[dict]:
    return [
        {
            "detector": f"{r['detector']}@{r['version']}",
            "indicator": r["indicator"],
            "score": r["score"],
            "explanation": r["explanation"],
            "evidence": r["evidence"],
        }
        for r in rows
    ]


def _print_explain(doc: dict) -> None:
    if "case" in doc:
        c = doc["case"]
        console.print(
            f"[bold]case {c['id']}[/bold]  category={c['category']} severity={c['severity']} "
            f"priority={c['priority']} posts={c['n_posts']} state={c['state']}"
        )
        for s in doc.get("account_signals", []):
            console.print(f"  account  {s['indicator']}: {s['explanation']}")
        for p in doc["posts"]:
            console.print(f"\n[bold]{p['post']}[/bold] score={p['score']} rules={', '.join(p['rules'])}")
            if p.get("text") is not None:
                console.print(f"  text: {p['text']!r}")
            _print_signals(p["signals"])
    else:
        console.print(f"[bold]post {doc['post']}[/bold]  verdict={doc['verdict']}")
        if doc.get("text") is not None:
            console.print(f"  text: {doc['text']!r}")
        _print_signals(doc["signals"])


def _print_signals(signals: list[dict]) -> None:
    for s in signals:
        spans = ", ".join(f"{e['field']}[{e['start']}:{e['end']}]={e['text']!r} ({e['rule']})" for e in s["evidence"])
        console.print(f"  - {s['detector']} {s['indicator']}: {s['explanation']}\n      {spans}")


def _eval_db(ctx: typer.Context, value: str) -> str:
    """--db of ``eval``: not read (nor checked) with --leave-one-family-out, which needs no store."""
    return value if ctx.params.get("leave_one_family_out") else existing_db(ctx, value)


@commands.command("eval")
def eval_cmd(
    labels: Path | None = typer.Option(
        None, "--labels", exists=True, help="labels.jsonl of csewatch synth or of an author (csewatch.synth.authors)"
    ),
    db: str = typer.Option(
        "csewatch.db",
        "--db",
        help="SQLite path or database URL (postgresql+psycopg://...)",
        callback=_eval_db,
        envvar="CSEWATCH_DB",
    ),
    worst: int = typer.Option(5, "--worst"),
    graph_labels: Path | None = typer.Option(
        None,
        "--graph-labels",
        exists=True,
        help="graph_labels.jsonl: also score evasion, expansion, clusters and hashtag discovery (writes nothing)",
    ),
    leave_one_family_out: bool = typer.Option(
        False,
        "--leave-one-family-out",
        is_eager=True,
        help="Measure the learned model on each family after training it without that family (no store)",
    ),
    authors: str = typer.Option("", "--authors", help="With --leave-one-family-out: authors a,b (default: all)"),
    posts: int = typer.Option(3000, "--posts", min=50, help="With --leave-one-family-out: posts per author"),
    seed: int = typer.Option(2, "--seed", help="With --leave-one-family-out: the authors' seed"),
    min_n: int = typer.Option(20, "--min-n", min=1, help="With --leave-one-family-out: smallest family measured"),
    policy: Path | None = PolicyOpt,
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Precision, recall and F1 of the scanned store against labels, with the worst errors, and recall per
    family, language and obfuscation where the labels carry them; or, with --leave-one-family-out, the
    learned model's recall on each family it was not trained on."""
    if leave_one_family_out:
        from csewatch.eval import leave_one_family_out_report, print_lofo

        names = [a for a in authors.split(",") if a] or None
        lofo = leave_one_family_out_report(load_pack(policy), names, posts=posts, seed=seed, min_n=min_n)
        if as_json:
            print(json.dumps(lofo, default=str))
        else:
            print_lofo(lofo, console)
        return
    if labels is None:
        err.print("[red]--labels is required (or --leave-one-family-out)[/red]")
        raise typer.Exit(2)
    store = Store(db)
    try:
        report = _evaluate(store, labels, worst)
    except ValueError as exc:  # a labels file of neither format
        err.print(f"[red]labels:[/red] {exc}")
        raise typer.Exit(2) from None
    graph = _evaluate_graph(store, graph_labels, quiet or as_json) if graph_labels else None
    if as_json:
        print(json.dumps({**report.to_dict(), **({"graph": graph} if graph else {})}, default=str))
        return
    _print_eval(report)
    print_breakdowns(report, console)
    if graph:
        t = Table(title="graph jobs against the graph labels")
        t.add_column("job")
        t.add_column("scores", overflow="fold")
        for job, scores in graph.items():
            t.add_row(job, ", ".join(f"{k}={v}" for k, v in scores.items()))
        console.print(t)


def _evaluate_graph(store: Store, path: Path, quiet: bool = True) -> dict:
    from csewatch.graph.build import build_graph
    from csewatch.graph.clusters import cofollow_clusters
    from csewatch.graph.discovery import discover
    from csewatch.graph.evaluate import (
        cluster_metrics,
        discovery_metrics,
        evasion_metrics,
        expansion_metrics,
        read_graph_labels,
        stream_evasion_links,
        stream_evasion_metrics,
    )
    from csewatch.graph.evasion import link_evaders, suspended_accounts
    from csewatch.graph.expand import default_seeds, expand

    pol = load_pack(None)
    labels = read_graph_labels(path)
    out: dict = {}
    with progress_steps(7, quiet, "eval --graph-labels") as steps:
        steps.step("building the account graph")
        g = build_graph(store, pol)
        steps.step("hashtag discovery")
        disc, _proposals = discover(store, pol)
        steps.step("evasion links drawn in the scan")
        out["evasion_in_scan"] = stream_evasion_metrics(stream_evasion_links(store), labels)
        steps.step("ban-evasion linking")
        out["evasion"] = evasion_metrics(link_evaders(store, pol, g), labels, suspended_accounts(store))
        steps.step("expansion from seeds")
        out["expansion"] = expansion_metrics(expand(g, default_seeds(store), top=50), labels)
        steps.step("co-follow clusters")
        out["clusters"] = cluster_metrics(cofollow_clusters(g), g, labels)
        steps.step("scoring")
        out["discovery"] = discovery_metrics(disc, labels)
    return out


def _evaluate(store: Store, labels: Path, worst: int):
    verdicts = store.verdict_map()
    predicted = {entity_key(p, i): v for (p, i), v in verdicts.items()}

    def explain(key: str) -> list[str]:
        platform, pid = parse_entity_key(key)
        signals = store.post_signals(platform, pid)
        if signals:
            return [f"{s['indicator']}: {s['explanation']}" for s in signals]
        post = store.post(platform, pid)  # unflagged: no evidence is stored, show what was missed
        return [f"not flagged; text: {post['text'][:200]!r}"] if post else ["not flagged"]

    return evaluate(read_labels(labels), predicted, worst=worst, explain=explain)


def _print_eval(report) -> None:
    t = Table(title=f"Evaluation on {report.n_labelled:,} labelled posts")
    for col in ("category", "precision", "recall", "w/o model", "F1", "TP", "FP", "FN", "support"):
        t.add_column(col, justify="right" if col != "category" else "left")
    for name, s in [*report.categories.items(), ("(any flag)", report.overall)]:
        defined = name not in ACCOUNT_LEVEL  # account-level findings: recall per evader, with --graph-labels
        t.add_row(
            name + ("" if defined else " (account)"),
            f"{s.precision:.3f}",
            f"{s.recall:.3f}" if defined else "n/a",
            f"{(s.tp - s.model_only) / s.support:.3f}" if defined and s.support and name in report.categories else "",
            f"{s.f1:.3f}" if defined else "n/a",
            str(s.tp),
            str(s.fp),
            str(s.fn),
            str(s.support),
        )
    console.print(t)
    console.print(
        f"hard negatives flagged: {report.hard_negatives_flagged}/{report.hard_negatives} "
        f"({100 * report.hard_negative_rate:.2f}%)"
    )
    ct = Table(title="Confusion (label -> predicted)")
    for col in ("label", "predicted", "posts"):
        ct.add_column(col)
    for (a, b), n in sorted(report.confusion.items()):
        ct.add_row(a, b, str(n))
    console.print(ct)
    for title, rows in (("worst false positives", report.false_positives), ("false negatives", report.false_negatives)):
        if rows:
            console.print(f"[bold]{title}[/bold]")
            for r in rows:
                console.print(f"  {r['post']} {r.get('predicted', r.get('label'))}: " + "; ".join(r["evidence"][:5]))


@commands.command()
def synth(
    out: Path = typer.Option(Path("csewatch-demo"), "--out", "-o"),
    posts: int = typer.Option(20_000, "--posts", "-n", min=10),
    seed: int = typer.Option(1, "--seed"),
    fmt: str = typer.Option(
        "mixed", "--format", help="mixed (one file per platform) | x | bluesky | mastodon | native"
    ),
    as_json: bool = JsonOpt,
) -> None:
    """Write a seeded, labelled synthetic stream: OUT/stream/*.jsonl and OUT/labels.jsonl."""
    from csewatch.synth import generate

    if fmt not in ("mixed", "x", "bluesky", "mastodon", "native"):
        err.print(f"[red]unknown format {fmt!r}[/red]")
        raise typer.Exit(2)
    counts = generate(out, posts, seed, fmt)
    if as_json:
        print(json.dumps({"out": str(out), "posts": counts}))
    else:
        console.print(
            f"wrote {sum(counts.values()):,} posts to {out}/stream ({counts}) and labels to {out}/labels.jsonl"
        )


@commands.command()
def demo(
    posts: int = typer.Option(20_000, "--posts", "-n", min=100),
    seed: int = typer.Option(int(time.time()) % 100_000, "--seed", help="Default: a new seed each run"),
    out: Path = typer.Option(Path("csewatch-demo"), "--out"),
    db: str | None = typer.Option(None, "--db", help="Default: OUT/csewatch.db, made anew each run"),
    top: int = typer.Option(15, "--top"),
    quiet: bool = QuietOpt,
) -> None:
    """Generate a labelled synthetic stream, scan it into SQLite, show the top cases and the scores."""
    from csewatch.synth import generate

    if db is None:  # the demo's own database, never one the user scanned real data into
        db = str(out / "csewatch.db")
        for suffix in ("", "-wal", "-shm"):
            Path(db + suffix).unlink(missing_ok=True)
    console.print(f"[bold]1/3[/bold] generating {posts:,} synthetic posts (seed {seed}) into {out}/")
    generate(out, posts, seed, "mixed")
    console.print(f"[bold]2/3[/bold] scanning into {db}")
    _scanner, s = _run_scan([str(out / "stream")], db, None, None, out / "rejects.jsonl", True, 2000, quiet)
    console.print(
        f"scanned {s.posts:,} posts in {s.seconds:.1f}s ({s.posts_per_s:,.0f} posts/s), "
        f"{s.verdicts:,} flagged, {s.rejects} rejected"
    )
    store = Store(db)
    console.print(_cases_table(store, top))
    console.print("[bold]3/3[/bold] evaluation against the labels")
    _print_eval(_evaluate(store, out / "labels.jsonl", worst=3))
    console.print(f"\nnext: [cyan]csewatch cases --db {db}[/cyan], [cyan]csewatch explain CASE_ID --db {db}[/cyan]")
