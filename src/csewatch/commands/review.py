"""``csewatch decide``, ``precision`` and ``export-signals``: the human loop from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from csewatch.commands.common import DbOpt, JsonOpt, PolicyOpt, action_sinks, console, err, load_pack
from csewatch.store import Store

commands = typer.Typer()  # top-level commands, merged into the main app by csewatch.cli


@commands.command()
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

    service = ReviewService(Store(db), load_pack(policy), action_sinks(actions_jsonl, webhook, secret_env))
    try:
        if bulk:
            decisions = service.bulk_decide(case, reviewer, outcome, rationale, category)
        else:
            decisions = [service.decide(case, reviewer, outcome, rationale, category)]
    except (ValueError, KeyError, PermissionError) as exc:
        err.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    console.print(f"{len(decisions)} decision(s) recorded: {outcome}; {service.pending_actions()} action(s) pending")


@commands.command()
def precision(db: str = DbOpt, policy: Path | None = PolicyOpt, as_json: bool = JsonOpt) -> None:
    """Measured precision per rule and detector from reviewers' decisions, and whether each may act alone."""
    from csewatch.review.decisions import ReviewService

    rows = ReviewService(Store(db), load_pack(policy)).precision()
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


@commands.command("export-signals")
def export_signals(
    out: Path = typer.Argument(..., help="Output file (.csv or .json)"),
    db: str = DbOpt,
) -> None:
    """Share hashes, invite links and handles of cases decided violating (ThreatExchange-style rows)."""
    from csewatch.actions.sharing import collect_signals, to_csv, to_json

    rows = collect_signals(Store(db))
    out.write_text(to_json(rows) if out.suffix == ".json" else to_csv(rows))
    console.print(f"{len(rows)} signal(s) written to {out}")
