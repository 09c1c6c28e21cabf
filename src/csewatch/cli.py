"""The ``csewatch`` command: demo, synth, scan, cases, explain, eval and policy check.

Long jobs show a progress bar with rate and ETA; ``--quiet`` silences it and ``--json`` prints one
machine-readable document instead of tables.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

import typer
from rich.console import Console
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

from csewatch.commands.db import db_app
from csewatch.commands.model import model_app
from csewatch.eval import ACCOUNT_LEVEL, evaluate, print_breakdowns, read_labels
from csewatch.policy import PolicyError, load_policy
from csewatch.store import Store

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Child-safety detection and response engine.")
policy_app = typer.Typer(no_args_is_help=True, help="Policy pack tools.")
app.add_typer(policy_app, name="policy")
app.add_typer(model_app, name="model")
app.add_typer(db_app, name="db")
# piped output is not squeezed to 80 columns: case tables carry evidence
console = Console() if sys.stdout.isatty() else Console(width=160)
err = Console(stderr=True)


def _existing_db(ctx: typer.Context, value: str) -> str:
    """--db of a command that reads a store: a missing SQLite file is refused (a mistyped path must
    not become a new, empty database); only ``scan`` and an explicit ``--create`` make one."""
    from csewatch.store import missing_sqlite_file

    missing = missing_sqlite_file(value) if value and not ctx.params.get("create") else None
    if missing is not None:
        create = any(p.name == "create" for p in ctx.command.params)
        raise typer.BadParameter(
            f"no database at {missing} (only `csewatch scan` creates a store"
            + ("; pass --create to make a new one here)" if create else ")")
        )
    return value


DbOpt = typer.Option(
    "csewatch.db",
    "--db",
    help="SQLite path or database URL (postgresql+psycopg://...)",
    callback=_existing_db,
    envvar="CSEWATCH_DB",
)
ScanDbOpt = typer.Option(
    "csewatch.db", "--db", help="SQLite path (created when missing) or database URL", envvar="CSEWATCH_DB"
)
CreateOpt = typer.Option(False, "--create", is_eager=True, help="Create the database when it does not exist")
PolicyOpt = typer.Option(
    None, "--policy", help="Policy pack directory (default: the bundled pack)", envvar="CSEWATCH_POLICY"
)
JsonOpt = typer.Option(False, "--json", help="Print JSON instead of tables")
QuietOpt = typer.Option(False, "--quiet", "-q", help="No progress bars", envvar="CSEWATCH_QUIET")


def _version(value: bool) -> None:
    if value:
        from importlib.metadata import PackageNotFoundError, version

        try:
            print(f"csewatch {version('csewatch')}")
        except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
            print("csewatch (version unknown: not installed)")
        raise typer.Exit()


@app.callback()
def _main(
    _version_flag: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit"
    ),
) -> None:
    """Child-safety detection and response engine."""


class _Steps:
    """A rich progress bar over the named steps of a long job (graph jobs, graph evaluation), on stderr
    with the elapsed time of the whole; hidden by --quiet and never shown with --json."""

    def __init__(self, total: int, quiet: bool, title: str = ""):
        self.progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
            disable=quiet,
        )
        self.title = title
        self.total = total
        self.task: TaskID | None = None
        self._started = False

    def __enter__(self) -> _Steps:
        self.progress.__enter__()
        self.task = self.progress.add_task(self.title, total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        self.progress.__exit__(*exc)  # type: ignore[arg-type]

    def step(self, description: str) -> None:
        """Start the named step (the one before it is done)."""
        assert self.task is not None
        if self._started:
            self.progress.advance(self.task)
        self._started = True
        self.progress.update(self.task, description=f"{self.title}: {description}" if self.title else description)


def _policy(path: Path | None):
    try:
        return load_policy(path)
    except PolicyError as exc:
        err.print(f"[red]policy error:[/red] {exc}")
        raise typer.Exit(2) from None


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

    policy = _policy(policy_dir)
    store = Store(db, policy.version) if db else None
    media = None
    if media_dir is not None:
        media = _media_detector(store or Store(None), media_dir, index_dir)
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


@app.command()
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


@app.command()
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


@app.command()
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
        platform, _, post_id = ident.partition(":")
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
    return value if ctx.params.get("leave_one_family_out") else _existing_db(ctx, value)


@app.command("eval")
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
        lofo = leave_one_family_out_report(_policy(policy), names, posts=posts, seed=seed, min_n=min_n)
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

    pol = _policy(None)
    labels = read_graph_labels(path)
    out: dict = {}
    with _Steps(7, quiet, "eval --graph-labels") as steps:
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
    predicted = {f"{p}:{i}": v for (p, i), v in verdicts.items()}

    def explain(key: str) -> list[str]:
        platform, _, pid = key.partition(":")
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


@app.command()
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


@app.command()
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


# -- known media -------------------------------------------------------------------------------

bank_app = typer.Typer(no_args_is_help=True, help="Hash banks: import, list, stats, remove.")
app.add_typer(bank_app, name="bank")


def _media_detector(store: Store, media_dir: Path, index_dir: Path | None, dihedral: bool = False):
    from csewatch.detect.media import MediaDetector
    from csewatch.media.bank import Banks
    from csewatch.media.matcher import MediaMatcher
    from csewatch.media.store import LocalMediaStore

    return MediaDetector(LocalMediaStore(media_dir), MediaMatcher(Banks(store), index_dir=index_dir), dihedral)


@app.command("hash")
def hash_cmd(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False),
    dihedral: bool = typer.Option(False, "--dihedral", help="Also the 8 rotations/mirrors"),
    fast: bool = typer.Option(False, "--fast", help="Fast PDQ (reduced-scale decode; a few bits off the reference)"),
    as_json: bool = JsonOpt,
) -> None:
    """Hashes of media files, every registered type that applies (images: PDQ and quality; videos: vPDQ
    frame hashes; any file: MD5, SHA-256); bad files get a reason."""
    import msgspec

    from csewatch.media.hashing import MediaError, hash_file
    from csewatch.media.hashtypes import REGISTRY
    from csewatch.media.video import parse as parse_vpdq

    rows = []
    for f in files:  # size checked before reading; digests streamed; over the cap: refused, never decoded
        try:
            h = msgspec.to_builtins(hash_file(f, dihedral=dihedral, fast=fast or None))
            h["types"] = [name for name in REGISTRY if h.get(name)]
            if h.get("vpdq"):  # the video's frame hashes, one object per sampled frame
                h["vpdq_frames"] = [vars(fr) for fr in parse_vpdq(h["vpdq"])]
            rows.append({"file": str(f), **h})
        except MediaError as exc:
            known = msgspec.to_builtins(exc.hashes) if exc.hashes is not None else {}
            rows.append({"file": str(f), **{k: v for k, v in known.items() if v is not None}, "error": str(exc)})
    if as_json:
        print(json.dumps(rows))
        return
    t = Table(title="hashes")
    for col in ("file", "pdq", "quality", "size", "sha256", "error"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(
            r["file"],
            r.get("pdq") or (f"vpdq: {r['frames']} frames" if r.get("vpdq") else ""),
            "" if r.get("quality") is None else str(r["quality"]),
            f"{r['width']}x{r['height']}" if r.get("width") else "",
            r.get("sha256", ""),
            r.get("error", ""),
        )
    console.print(t)


@app.command()
def match(
    files: list[Path] = typer.Argument(..., exists=True, dir_okay=False),
    db: str = DbOpt,
    radius: int = typer.Option(31, "--radius", min=0, max=128),
    dihedral: bool = typer.Option(False, "--dihedral", help="Match rotated and mirrored copies too"),
    as_json: bool = JsonOpt,
) -> None:
    """Match image and video files against every bank in force (every registered hash type)."""
    import msgspec

    from csewatch.media.bank import Banks
    from csewatch.media.hashing import MediaError, hash_file
    from csewatch.media.matcher import MediaMatcher

    matcher = MediaMatcher(Banks(Store(db)), radius=radius)
    rows = []
    for f in files:
        try:
            h = hash_file(f, dihedral=dihedral)
            matches = matcher.match_hashes(h)
            rows.append(
                {
                    "file": str(f),
                    "kind": h.kind,
                    "pdq": h.pdq,
                    "frames": h.frames if h.kind == "video" else None,
                    "quality": h.quality,
                    "low_quality": h.kind == "image" and (h.quality or 0) < matcher.quality_floor,
                    "matches": [msgspec.to_builtins(m) for m in matches],
                }
            )
        except MediaError as exc:  # over the byte cap: the streamed digests still meet the exact-hash banks
            exact = matcher.match_hashes(exc.hashes) if exc.hashes is not None else []
            rows.append({"file": str(f), "error": str(exc), "matches": [msgspec.to_builtins(m) for m in exact]})
    if as_json:
        print(json.dumps(rows))
        return
    t = Table(title=f"matches (radius {radius})")
    for col in ("file", "quality", "bank@version", "type", "distance", "category", "variant"):
        t.add_column(col, overflow="fold")
    for r in rows:
        if r.get("error"):
            t.add_row(r["file"], "", f"error: {r['error']}", "", "", "", "")
        elif not r["matches"]:
            t.add_row(
                r["file"],
                str(r["quality"]),
                "no match" + (" (low quality)" if r["low_quality"] else ""),
                "",
                "",
                "",
                "",
            )
        for m in r["matches"]:
            t.add_row(
                r["file"],
                str(r.get("quality", "")),
                f"{m['bank']}@v{m['bank_version']}",
                m["hash_type"],
                str(m["distance"]),
                m["category"],
                m["variant"],
            )
    console.print(t)


@bank_app.command("import")
def bank_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False),
    bank: str = typer.Option(..., "--bank", help="Bank name, e.g. ncmec, iwf, internal"),
    hash_type: str | None = typer.Option(
        None, "--type", help="A registered hash type (sha256, md5, pdq, vpdq) when the file has no type column"
    ),
    category: str = typer.Option("unspecified", "--category"),
    source: str | None = typer.Option(None, "--source"),
    db: str = DbOpt,
    create: bool = CreateOpt,
    as_json: bool = JsonOpt,
) -> None:
    """Import hashes from CSV / TSV / JSONL (python-threatexchange and HMA style columns accepted)."""
    from csewatch.media.bank import BankError, Banks
    from csewatch.media.hashtypes import REGISTRY, resolve

    if hash_type is not None and resolve(hash_type) is None:
        err.print(f"[red]--type {hash_type}: not a registered hash type ({', '.join(REGISTRY)})[/red]")
        raise typer.Exit(2)
    try:
        res = Banks(Store(db)).import_file(
            bank, file, default_type=hash_type, default_category=category, default_source=source
        )
    except (BankError, UnicodeDecodeError) as exc:
        err.print(f"[red]{file}: {exc}[/red]")
        raise typer.Exit(2) from None
    doc = {
        "bank": res.bank,
        "version": res.version,
        "added": res.added,
        "unchanged": res.unchanged,
        "rejected": [{"line": n, "reason": r} for n, r in res.rejected],
    }
    if as_json:
        print(json.dumps(doc))
        return
    console.print(
        f"bank {res.bank} is now v{res.version}: {res.added} added, {res.unchanged} already there, "
        f"{len(res.rejected)} rejected"
    )
    for n, r in res.rejected[:20]:
        console.print(f"  line {n}: {r}")


@bank_app.command("list")
def bank_list(
    bank: str | None = typer.Option(None, "--bank"),
    db: str = DbOpt,
    limit: int = typer.Option(50, "-n"),
    as_json: bool = JsonOpt,
) -> None:
    """Entries in force (hashes and their metadata; never media)."""
    from csewatch.media.bank import Banks

    rows = Banks(Store(db)).active(bank)[:limit]
    if as_json:
        print(json.dumps(rows))
        return
    t = Table(title="bank entries")
    for col in ("bank", "type", "hash", "category", "source", "added in"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(r["bank"], r["hash_type"], r["value"], r["category"], r["source"], f"v{r['added_version']}")
    console.print(t)


@bank_app.command("stats")
def bank_stats(db: str = DbOpt, as_json: bool = JsonOpt) -> None:
    """Hashes in force per bank and type, and each bank's version."""
    from csewatch.media.bank import Banks

    rows = Banks(Store(db)).stats()
    if as_json:
        print(json.dumps(rows))
        return
    t = Table(title="banks")
    from csewatch.media.hashtypes import REGISTRY

    for col in ("bank", "version", *REGISTRY):
        t.add_column(col)
    for r in rows:
        t.add_row(r["bank"], str(r["version"]), *(str(r.get(name, 0)) for name in REGISTRY))
    console.print(t)


@bank_app.command("remove")
def bank_remove(
    bank: str = typer.Option(..., "--bank"),
    hashes: list[str] = typer.Option(None, "--hash", help="Hash to remove (repeat); all with --all"),
    remove_all: bool = typer.Option(False, "--all"),
    db: str = DbOpt,
) -> None:
    """Remove hashes from a bank (a new bank version; matches keep the version they were made in)."""
    from csewatch.media.bank import Banks

    if not hashes and not remove_all:
        err.print("[red]give --hash H (repeatable) or --all[/red]")
        raise typer.Exit(2)
    version, n = Banks(Store(db)).remove(bank, None if remove_all else hashes)
    console.print(f"bank {bank} is now v{version}: {n} removed")


# -- graph jobs ---------------------------------------------------------------------------------

graph_app = typer.Typer(no_args_is_help=True, help="Graph jobs over the stored stream.")
app.add_typer(graph_app, name="graph")


def _graph(db: str, policy_dir: Path | None, steps: _Steps | None = None, quiet: bool = False):
    from csewatch.graph.build import build_graph

    policy = _policy(policy_dir)
    store = Store(db, policy.version)
    if steps is not None:
        steps.step("building the account graph")
        g = build_graph(store, policy)
    else:
        with err.status("building the account graph"):
            g = build_graph(store, policy)
    if not quiet:
        err.print(f"graph: {g.graph.vcount():,} accounts, {g.graph.ecount():,} weighted links")
    return policy, store, g


@graph_app.command("evasion")
def graph_evasion(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    threshold: float = typer.Option(0.6, "--threshold", min=0, max=1),
    labels: Path | None = typer.Option(None, "--labels", help="graph_labels.jsonl from csewatch synth"),
    save: bool = typer.Option(True, "--save/--no-save", help="Write links as signals and cases"),
    limit: int = typer.Option(20, "-n"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Link new accounts to the suspended accounts they most likely replace, with every piece of evidence."""
    from csewatch.graph.evasion import link_evaders
    from csewatch.graph.findings import save_evasion
    from csewatch.triage import Triage

    with _Steps(3 if save else 2, quiet or as_json, "graph evasion") as steps:
        pol, store, g = _graph(db, policy, steps, quiet or as_json)
        steps.step("linking new accounts to suspended ones")
        links = link_evaders(store, pol, g, threshold=threshold)
        if save:
            steps.step("writing signals and cases")
            save_evasion(store, Triage(pol), links)
    doc: dict = {
        "links": [
            {"account": x.account, "predecessor": x.predecessor, "score": x.score, "evidence": x.evidence}
            for x in links
        ]
    }
    if labels is not None:
        from csewatch.graph.evaluate import evasion_metrics, read_graph_labels
        from csewatch.graph.evasion import suspended_accounts

        doc["eval"] = evasion_metrics(links, read_graph_labels(labels), suspended_accounts(store))
    if as_json:
        print(json.dumps(doc))
        return
    t = Table(title=f"ban-evasion links (threshold {threshold})")
    for col in ("account", "suspended predecessor", "score", "evidence"):
        t.add_column(col, overflow="fold")
    for x in links[:limit]:
        t.add_row(x.account, x.predecessor, f"{x.score:.2f}", "; ".join(f"{k}: {v}" for k, v in x.evidence.items()))
    console.print(t)
    if "eval" in doc:
        console.print(f"against labels: {doc['eval']}")


@graph_app.command("clusters")
def graph_clusters(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    threshold: float = typer.Option(0.5, "--threshold", help="Jaccard of follow sets"),
    min_size: int = typer.Option(3, "--min-size"),
    labels: Path | None = typer.Option(None, "--labels", help="graph_labels.jsonl from csewatch synth"),
    save: bool = typer.Option(True, "--save/--no-save", help="Cases for clusters with flagged members"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Co-follow clusters (MinHash LSH + exact Jaccard) and the Leiden community count."""
    from csewatch.graph.clusters import cofollow_clusters, leiden_communities
    from csewatch.graph.findings import save_clusters
    from csewatch.triage import Triage

    with _Steps(4, quiet or as_json, "graph clusters") as steps:
        pol, store, g = _graph(db, policy, steps, quiet or as_json)
        steps.step("co-follow clusters")
        clusters = cofollow_clusters(g, threshold=threshold, min_size=min_size)
        steps.step("writing cluster cases" if save else "(not saving)")
        n_cases = save_clusters(store, Triage(pol), g, clusters) if save else 0
        steps.step("Leiden communities")
        communities = len(set(leiden_communities(g))) if g.graph.ecount() else 0
    doc: dict = {
        "clusters": [
            {
                "size": len(c.members),
                "mean_jaccard": round(c.mean_jaccard, 3),
                "key": c.key(g),
                "members": [g.names[m] for m in c.members][:50],
            }
            for c in clusters
        ],
        "cases": n_cases,
        "leiden_communities": communities,
    }
    if labels is not None:
        from csewatch.graph.evaluate import cluster_metrics, read_graph_labels

        doc["eval"] = cluster_metrics(clusters, g, read_graph_labels(labels))
    if as_json:
        print(json.dumps(doc))
        return
    t = Table(title=f"co-follow clusters (Jaccard >= {threshold}); {communities} Leiden communities")
    for col in ("size", "mean Jaccard", "case key", "first members"):
        t.add_column(col, overflow="fold")
    for c in clusters[:20]:
        t.add_row(str(len(c.members)), f"{c.mean_jaccard:.2f}", c.key(g), ", ".join(g.names[m] for m in c.members[:4]))
    console.print(t)
    console.print(f"{n_cases} cluster case(s) written")
    if "eval" in doc:
        console.print(f"against labels: {doc['eval']}")


@graph_app.command("bursts")
def graph_bursts(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    limit: int = typer.Option(20, "-n"),
    save: bool = typer.Option(True, "--save/--no-save", help="A hashtag case per bursting tag"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Bot-like accounts (posts per minute, clockwork gaps) and hashtag volume bursts."""
    from csewatch.graph.activity import activity_from_store
    from csewatch.graph.findings import save_bursts
    from csewatch.triage import Triage

    store = Store(db)
    with _Steps(2 if save else 1, quiet or as_json, "graph bursts") as steps:
        steps.step("posting rates and hashtag volumes")
        acts, bursts = activity_from_store(store)
        if save:
            steps.step("writing hashtag cases")
            save_bursts(store, Triage(_policy(policy)), bursts)
    bots = [a for a in acts if a.bot_like]
    doc = {
        "bot_like": [
            {"account": a.account, "posts": a.posts, "max_per_minute": a.max_per_minute, "gap_cv": round(a.gap_cv, 3)}
            for a in bots
        ],
        "bursts": [
            {
                "tag": b.tag,
                "hour_start": b.hour_start,
                "count": b.count,
                "baseline": round(b.baseline, 2),
                "p_value": b.p_value,
            }
            for b in bursts
        ],
    }
    if as_json:
        print(json.dumps(doc))
        return
    t = Table(title=f"{len(bots)} bot-like accounts")
    for col in ("account", "why"):
        t.add_column(col, overflow="fold")
    for a in bots[:limit]:
        t.add_row(a.account, a.explanation())
    console.print(t)
    t = Table(title=f"{len(bursts)} hashtag bursts")
    t.add_column("burst", overflow="fold")
    for b in bursts[:limit]:
        t.add_row(b.explanation())
    console.print(t)


@graph_app.command("hashtags")
def graph_hashtags(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    apply: Path | None = typer.Option(
        None,
        "--apply",
        help="Write proposals into this pack's candidate list "
        "(a copy of the current pack is made there first if it is not a pack)",
    ),
    labels: Path | None = typer.Option(None, "--labels", help="graph_labels.jsonl from csewatch synth"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Propose new hashtags for review from their company with flagged posts and listed tags."""
    from csewatch.graph.discovery import discover

    pol = _policy(policy)
    with _Steps(1, quiet or as_json, "graph hashtags") as steps:
        steps.step("hashtag co-occurrence")
        disc, proposals = discover(Store(db), pol)
    doc: dict = {
        "proposals": [
            {
                "tag": p.tag,
                "at": p.at,
                "posts": p.posts,
                "flagged": p.flagged,
                "authors": p.authors,
                "flagged_authors": p.flagged_authors,
                "co_listed": p.co_listed,
            }
            for p in proposals
        ]
    }
    if labels is not None:
        from csewatch.graph.evaluate import discovery_metrics, read_graph_labels

        doc["eval"] = discovery_metrics(disc, read_graph_labels(labels))
    if apply is not None:
        doc["applied"] = _apply_candidates(pol, apply, [p.tag for p in proposals])
    if as_json:
        print(json.dumps(doc))
        return
    t = Table(title=f"{len(proposals)} candidate hashtags (for review; never blocked automatically)")
    t.add_column("proposal", overflow="fold")
    for p in proposals[:50]:
        t.add_row(p.explanation())
    console.print(t)
    if "eval" in doc:
        console.print(f"against labels: {doc['eval']}")
    if apply is not None:
        console.print(f"{doc['applied']} tag(s) added to the candidate list of {apply}")


def _apply_candidates(pol, directory: Path, tags: list[str]) -> int:
    import shutil

    import yaml

    from csewatch.policy import load_policy

    if not (directory / "hashtags.yaml").exists():
        shutil.copytree(pol.directory, directory, dirs_exist_ok=True)
    path = directory / "hashtags.yaml"
    data = yaml.safe_load(path.read_text())
    listed = set(data.get("blocked") or []) | set(data.get("watch") or []) | set(data.get("candidate") or [])
    new = [t for t in tags if t not in listed]
    data["candidate"] = list(data.get("candidate") or []) + new
    path.write_text(
        "# candidates proposed by csewatch graph hashtags; reviewers promote them\n"
        + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    )
    load_policy(directory)  # the edited pack must still validate
    return len(new)


@graph_app.command("coordination")
def graph_coordination(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    window: float = typer.Option(600, "--window", help="Seconds"),
    min_accounts: int = typer.Option(3, "--min-accounts"),
    limit: int = typer.Option(20, "-n"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Accounts posting the same normalized text, invite link or media within a short window."""
    from csewatch.graph.coordination import coordination
    from csewatch.graph.findings import flagged_accounts

    store = Store(db)
    with _Steps(2, quiet or as_json, "graph coordination") as steps:
        steps.step("same text, link or media in the window")
        groups = coordination(store, _policy(policy), window, min_accounts)
        steps.step("flagged accounts")
        flagged = flagged_accounts(store)
    rows = [(g, sum(1 for a in g.accounts if a in flagged)) for g in groups]
    rows.sort(key=lambda gf: (-gf[1], -len(gf[0].accounts)))
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "kind": g.kind,
                        "item": g.item,
                        "accounts": g.accounts,
                        "flagged": f,
                        "start": g.start,
                        "end": g.end,
                        "posts": g.posts,
                    }
                    for g, f in rows
                ]
            )
        )
        return
    t = Table(title=f"{len(groups)} coordinated groups (window {window:.0f}s)")
    for col in ("flagged", "group"):
        t.add_column(col, overflow="fold")
    for g, f in rows[:limit]:
        t.add_row(f"{f}/{len(g.accounts)}", g.explanation())
    console.print(t)


@graph_app.command("expand")
def graph_expand(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    seeds: list[str] = typer.Option(
        None,
        "--seed",
        help="platform:account (repeat); default: suspended accounts and accounts whose case scores >= 0.9",
    ),
    top: int = typer.Option(50, "--top"),
    labels: Path | None = typer.Option(None, "--labels", help="graph_labels.jsonl from csewatch synth"),
    save: bool = typer.Option(True, "--save/--no-save"),
    as_json: bool = JsonOpt,
    quiet: bool = QuietOpt,
) -> None:
    """Rank accounts tied to the seeds by personalized PageRank, each with the path that leads there."""
    from csewatch.graph.expand import default_seeds, expand
    from csewatch.graph.findings import save_expansion
    from csewatch.triage import Triage

    with _Steps(3 if save else 2, quiet or as_json, "graph expand") as steps:
        pol, store, g = _graph(db, policy, steps, quiet or as_json)
        steps.step("personalized PageRank from the seeds")
        seed_list = seeds or default_seeds(store)
        hits = expand(g, seed_list, top=top)
        if save:
            steps.step("writing signals and cases")
            save_expansion(store, Triage(pol), hits)
    doc: dict = {
        "seeds": len(seed_list),
        "hits": [{"account": h.account, "lift": round(h.score, 3), "seed": h.seed, "path": h.path} for h in hits],
    }
    if labels is not None:
        from csewatch.graph.evaluate import expansion_metrics, read_graph_labels

        doc["eval"] = expansion_metrics(hits, read_graph_labels(labels))
    if as_json:
        print(json.dumps(doc))
        return
    t = Table(title=f"expansion from {len(seed_list)} seeds")
    for col in ("account", "lift", "path from the nearest seed"):
        t.add_column(col, overflow="fold")
    for h in hits:
        t.add_row(h.account, f"{h.score:.1f}", h.explanation())
    console.print(t)
    if "eval" in doc:
        console.print(
            f"against labels: {doc['eval']['in_network']} of the top {doc['eval']['top']} are network members"
        )


# -- the human loop ---------------------------------------------------------------------------

audit_app = typer.Typer(no_args_is_help=True, help="The append-only, hash-chained audit log.")
app.add_typer(audit_app, name="audit")


def _sinks(jsonl: Path | None, webhook: str | None, secret_env: str) -> list:
    import os

    from csewatch.actions.sinks import JsonlSink, WebhookSink

    sinks: list = [JsonlSink(jsonl)] if jsonl else []
    if webhook:
        secret = os.environ.get(secret_env)
        if not secret:
            err.print(f"[red]--webhook needs the signing secret in ${secret_env}[/red]")
            raise typer.Exit(2)
        sinks.append(WebhookSink(webhook, secret))
    return sinks


@app.command()
def decide(
    case: str = typer.Argument(..., help="Case id (platform:type:subject)"),
    outcome: str = typer.Option(..., "--outcome", help="violating | not_violating | escalate | need_context"),
    rationale: str = typer.Option(..., "--rationale", help="Required: why"),
    reviewer: str = typer.Option(..., "--reviewer"),
    category: str | None = typer.Option(None, "--category", help="Policy category when violating"),
    bulk: bool = typer.Option(False, "--bulk", help="A cluster case: decide every member's case too"),
    actions_jsonl: Path | None = typer.Option(Path("csewatch-actions.jsonl"), "--actions-jsonl"),
    webhook: str | None = typer.Option(None, "--webhook", help="Also POST actions here, HMAC-signed"),
    secret_env: str = typer.Option("CSEWATCH_WEBHOOK_SECRET", "--webhook-secret-env"),
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
) -> None:
    """Record a reviewer's decision; a violating one enforces through the action sinks."""
    from csewatch.review.decisions import ReviewService

    service = ReviewService(Store(db), _policy(policy), _sinks(actions_jsonl, webhook, secret_env))
    try:
        if bulk:
            decisions = service.bulk_decide(case, reviewer, outcome, rationale, category)
        else:
            decisions = [service.decide(case, reviewer, outcome, rationale, category)]
    except (ValueError, KeyError, PermissionError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"{len(decisions)} decision(s) recorded: {outcome}; {service.pending_actions()} action(s) pending")


@app.command()
def precision(db: str = DbOpt, policy: Path | None = PolicyOpt, as_json: bool = JsonOpt) -> None:
    """Measured precision per rule and detector from reviewers' decisions, and whether each may act alone."""
    from csewatch.review.decisions import ReviewService

    rows = ReviewService(Store(db), _policy(policy)).precision()
    if as_json:
        print(
            json.dumps(
                [
                    {
                        "rule": r.rule,
                        "decisions": r.decisions,
                        "violating": r.violating,
                        "precision": round(r.precision, 4),
                        "mode": r.mode,
                    }
                    for r in rows
                ]
            )
        )
        return
    t = Table(title="precision from decisions")
    for col in ("rule / detector", "decisions", "violating", "precision", "mode"):
        t.add_column(col)
    for r in rows:
        t.add_row(r.rule, str(r.decisions), str(r.violating), f"{r.precision:.3f}", r.mode)
    console.print(t)


@app.command("export-signals")
def export_signals(
    out: Path = typer.Argument(..., help="Output file (.csv or .json)"),
    db: str = DbOpt,
) -> None:
    """Share hashes, invite links and handles of cases decided violating (ThreatExchange-style rows)."""
    from csewatch.actions.sharing import collect_signals, to_csv, to_json

    rows = collect_signals(Store(db))
    out.write_text(to_json(rows) if out.suffix == ".json" else to_csv(rows))
    console.print(f"{len(rows)} signal(s) written to {out}")


user_app = typer.Typer(no_args_is_help=True, help="Reviewer accounts and API tokens.")
app.add_typer(user_app, name="user")


@user_app.command("add")
def user_add(
    name: str = typer.Argument(...),
    role: str = typer.Option("reviewer", "--role", help="reviewer | lead | admin"),
    password_env: str = typer.Option(
        "CSEWATCH_PASSWORD",
        "--password-env",
        help="Read the password from this environment variable instead of prompting",
    ),
    db: str = DbOpt,
    create: bool = CreateOpt,
) -> None:
    """Create or update a reviewer account (Argon2-hashed password, at least 12 characters)."""
    import os

    from csewatch.web.auth import Auth

    password = os.environ.get(password_env) or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    try:
        Auth(Store(db)).add_user(name, password, role)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"user {name} ({role}) saved")


@user_app.command("token")
def user_token(
    name: str = typer.Argument(...),
    days: float = typer.Option(90, "--days", min=0.001, max=3650, help="How long the token is valid"),
    db: str = DbOpt,
) -> None:
    """A new API token for a user (printed once; only its digest is stored); it expires after --days."""
    from csewatch.web.auth import Auth

    try:
        print(Auth(Store(db)).new_api_token(name, seconds=days * 86400))
    except KeyError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


def _user_op(what: str, name: str, db: str, *args) -> None:
    from csewatch.web.auth import Auth

    try:
        getattr(Auth(Store(db)), what)(name, *args)
    except (KeyError, ValueError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None


@user_app.command("disable")
def user_disable(name: str = typer.Argument(...), db: str = DbOpt) -> None:
    """Disable a user: no login; their sessions and API tokens end at once."""
    _user_op("disable", name, db)
    console.print(f"user {name} disabled; sessions and tokens ended")


@user_app.command("enable")
def user_enable(name: str = typer.Argument(...), db: str = DbOpt) -> None:
    """Let a disabled user log in again (old sessions and tokens stay ended)."""
    _user_op("disable", name, db, False)
    console.print(f"user {name} enabled")


@user_app.command("remove")
def user_remove(name: str = typer.Argument(...), db: str = DbOpt) -> None:
    """Delete a user with their sessions and tokens (their decisions and audit entries stay)."""
    _user_op("remove", name, db)
    console.print(f"user {name} removed")


@user_app.command("passwd")
def user_passwd(
    name: str = typer.Argument(...),
    password_env: str = typer.Option(
        "CSEWATCH_PASSWORD", "--password-env", help="Read the password from this environment variable instead"
    ),
    db: str = DbOpt,
) -> None:
    """Set a new password; the user's sessions and tokens end."""
    import os

    password = os.environ.get(password_env) or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    _user_op("set_password", name, db, password)
    console.print(f"password of {name} changed; sessions and tokens ended")


@user_app.command("tokens")
def user_tokens(name: str | None = typer.Argument(None), db: str = DbOpt, as_json: bool = JsonOpt) -> None:
    """API tokens (id, user, created, expires), all or one user's; never the tokens themselves."""
    import json

    from csewatch.ingest.common import format_time
    from csewatch.web.auth import Auth

    rows = Auth(Store(db)).tokens(name)
    if as_json:
        print(json.dumps(rows))
        return
    for r in rows:
        created = format_time(r["created_at"], "%Y-%m-%dT%H:%M:%SZ", "?")
        expires = format_time(r["expires_at"], "%Y-%m-%dT%H:%M:%SZ", "?")
        print(f"{r['id']}  {r['user']}  created {created}  expires {expires}")


@user_app.command("revoke")
def user_revoke(
    token_id: str = typer.Argument(..., help="A token id from `csewatch user tokens`"), db: str = DbOpt
) -> None:
    """Revoke an API token by its id."""
    from csewatch.web.auth import Auth

    try:
        n = Auth(Store(db)).revoke_token(token_id)
    except ValueError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    if not n:
        err.print(f"[red]no token {token_id}[/red]")
        raise typer.Exit(2)
    console.print(f"{n} token(s) revoked")


@app.command()
def serve(
    db: str = DbOpt,
    policy: Path | None = PolicyOpt,
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    actions_jsonl: Path | None = typer.Option(Path("csewatch-actions.jsonl"), "--actions-jsonl"),
    webhook: str | None = typer.Option(None, "--webhook"),
    secret_env: str = typer.Option("CSEWATCH_WEBHOOK_SECRET", "--webhook-secret-env"),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Set when served over HTTPS"),
    trust_proxy: str | None = typer.Option(
        None,
        "--trust-proxy",
        envvar="CSEWATCH_TRUST_PROXY",
        help="Addresses of reverse proxies whose X-Forwarded-For to believe (comma-separated); default: none",
    ),
    claim_minutes: float = typer.Option(30, "--claim-minutes", min=1, max=24 * 60, help="How long a claim holds"),
) -> None:
    """The review web app and its JSON API."""
    import logging

    import uvicorn

    from csewatch.policy import DEFAULT_DIR
    from csewatch.web.app import create_app

    editable = policy if policy is not None and policy.resolve() != DEFAULT_DIR.resolve() else None
    app_ = create_app(
        Store(db),
        _policy(policy),
        _sinks(actions_jsonl, webhook, secret_env),
        secure_cookies,
        policy_dir=editable,
        claim_seconds=claim_minutes * 60,
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    print(f"csewatch serving on http://{host}:{port}/", flush=True)
    uvicorn.run(
        app_,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,  # csewatch.web logs requests itself, without query strings
        proxy_headers=bool(trust_proxy),
        forwarded_allow_ips=trust_proxy or None,
    )


@app.command("report-ncmec")
def report_ncmec(
    case: str = typer.Argument(..., help="A case decided violating"),
    url: str = typer.Option(..., "--url", help="CyberTipline Reporting API base URL"),
    username: str = typer.Option(..., "--username"),
    password_env: str = typer.Option("CSEWATCH_NCMEC_PASSWORD", "--password-env"),
    org: str = typer.Option(..., "--org"),
    first_name: str = typer.Option(..., "--first-name"),
    last_name: str = typer.Option(..., "--last-name"),
    email: str = typer.Option(..., "--email"),
    media: Path | None = typer.Option(None, "--media", help="Media store to upload the reported files from"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print the report XML and send nothing"),
    reviewer: str = typer.Option(..., "--reviewer"),
    db: str = DbOpt,
) -> None:
    """Report a violating case to NCMEC's CyberTipline and put its evidence under a one-year legal hold."""
    import os

    from csewatch.actions.ncmec import CyberTiplineClient, CyberTiplineError, Reporter, build_report_xml, report_case
    from csewatch.review.audit import AuditLog

    store = Store(db)
    c = store.case(case)
    if c is None or c.state != "actioned":
        err.print(f"[red]{case}: only a case decided violating (state actioned) is reported[/red]")
        raise typer.Exit(2)
    who = Reporter(org, first_name, last_name, email)
    if dry_run:
        print(build_report_xml(store, case, who)[0])
        return
    password = os.environ.get(password_env)
    if not password:
        err.print(f"[red]the API password is read from ${password_env}[/red]")
        raise typer.Exit(2)
    fetch = None
    if media is not None:
        from csewatch.media.store import LocalMediaStore
        from csewatch.model import MediaRef

        ms = LocalMediaStore(media)

        def fetch(f: dict) -> bytes | None:
            return ms.get(MediaRef(id=f.get("media_id") or "", sha256=f.get("sha256"), url=f.get("url")))

    try:
        report_id = report_case(store, CyberTiplineClient(url, username, password), case, who, fetch)
    except CyberTiplineError as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    AuditLog(store).append(reviewer, "ncmec_report", case, {"report_id": report_id})
    console.print(f"reported as CyberTipline report {report_id}; evidence held for a year")


@audit_app.command("verify")
def audit_verify(
    db: str = DbOpt,
    key_file: Path | None = typer.Option(
        None, "--key-file", help="The audit key (default: $CSEWATCH_AUDIT_KEY_FILE); without it, the chain only"
    ),
    anchor_dir: Path | None = typer.Option(
        None, "--anchor-dir", help="Default: $CSEWATCH_AUDIT_ANCHOR_DIR, or beside the key file"
    ),
) -> None:
    """Recompute the hash chain and, with the audit key, check its anchored head; exit 1 when broken.
    Says what was proved and what was not."""
    from csewatch.review.audit import AuditLog

    res = AuditLog(Store(db), key_file=key_file, anchor_dir=anchor_dir).verify()
    for line in res.proved:
        console.print(f"proved: {line}")
    for line in res.not_proved:
        console.print(f"not proved: {line}")
    if res.ok:
        anchored = f"; anchored head at entry {res.anchored_seq} intact" if res.anchored_seq is not None else ""
        console.print(f"ok: {res.entries} entries, chain intact{anchored}")
        return
    where = f"broken at entry {res.first_bad}: " if res.first_bad is not None else "failed: "
    err.print(f"[red]{where}{res.reason}[/red]")
    raise typer.Exit(1)


@policy_app.command("check")
def policy_check(directory: Path | None = typer.Argument(None, help="Pack directory (default: bundled)")) -> None:
    """Validate a policy pack: YAML, types, unknown indicators, ranges."""
    try:
        p = load_policy(directory)
    except PolicyError as exc:
        err.print(f"[red]invalid:[/red] {exc}")
        raise typer.Exit(1) from None
    n_terms = len(p.term_entries())
    console.print(
        f"ok: {p.version} ({n_terms} terms, {len(p.rules.rules)} rules, "
        f"{len(p.hashtags.blocked)} blocked hashtags, {len(p.links.invite_hosts)} invite hosts)"
    )


def main() -> None:  # pragma: no cover
    app(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    app()
