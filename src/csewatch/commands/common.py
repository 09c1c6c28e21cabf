"""What the command groups share: the rich consoles (stdout, and stderr for errors and progress), the
common options (--db, --policy, --json, --quiet, --create) with their environment variables, loading the
policy pack (exit 2 on an invalid one), the progress bar over a long job's steps and the action sinks of
``decide`` and ``serve``."""

from __future__ import annotations

import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from csewatch.policy import Policy, PolicyError, load_policy

# piped output is not squeezed to 80 columns: case tables carry evidence
console = Console() if sys.stdout.isatty() else Console(width=160)
err = Console(stderr=True)


def existing_db(ctx: typer.Context, value: str) -> str:
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
    callback=existing_db,
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


class Steps:
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

    def __enter__(self) -> Steps:
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


def progress_steps(total: int, quiet: bool, title: str = "") -> Steps:
    """The progress bar over a job's ``total`` named steps (``Steps`` is looked up at call time, so tests
    can swap it in this module to record the steps shown)."""
    return Steps(total, quiet, title)


def load_pack(path: Path | None) -> Policy:
    """The policy pack at ``path`` (default: the bundled one); an invalid pack prints why and exits 2."""
    try:
        return load_policy(path)
    except PolicyError as exc:
        err.print(f"[red]policy error:[/red] {exc}")
        raise typer.Exit(2) from None


def action_sinks(jsonl: Path | None, webhook: str | None, secret_env: str) -> list:
    """The action sinks of a decision: a JSONL file, and a webhook signed with the secret in ``$secret_env``."""
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
