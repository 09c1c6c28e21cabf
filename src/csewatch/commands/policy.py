"""``csewatch policy check``: validate a policy pack."""

from __future__ import annotations

from pathlib import Path

import typer

from csewatch.commands.common import console, err
from csewatch.policy import PolicyError, load_policy

policy_app = typer.Typer(no_args_is_help=True, help="Policy pack tools.")


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
