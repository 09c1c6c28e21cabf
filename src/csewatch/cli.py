"""The ``csewatch`` command: the main app, ``--version``, and the command groups of csewatch.commands
mounted on it, one module per area (scan and eval, media and banks, graph jobs, the human loop, users,
the web app, NCMEC reports, the audit log, policy packs, the learned model, the store's schema).

Long jobs show a progress bar with rate and ETA; ``--quiet`` silences it and ``--json`` prints one
machine-readable document instead of tables. Shared options and helpers are in csewatch.commands.common.
"""

from __future__ import annotations

import sys

import typer

from csewatch.commands import audit, bank, graph, media, ncmec, policy, review, scan, serve, user
from csewatch.commands.db import db_app
from csewatch.commands.model import model_app

__all__ = ["app", "main"]

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Child-safety detection and response engine.")


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


# top-level commands (merged in this order: it is the order of `csewatch --help`), then the groups
for _commands in (scan.commands, media.commands, review.commands, serve.commands, ncmec.commands):
    app.add_typer(_commands)
app.add_typer(policy.policy_app, name="policy")
app.add_typer(model_app, name="model")
app.add_typer(db_app, name="db")
app.add_typer(bank.bank_app, name="bank")
app.add_typer(graph.graph_app, name="graph")
app.add_typer(audit.audit_app, name="audit")
app.add_typer(user.user_app, name="user")


def main() -> None:  # pragma: no cover
    app(sys.argv[1:])


if __name__ == "__main__":  # pragma: no cover
    app()
