"""``csewatch report-ncmec``: report a case decided violating to NCMEC's CyberTipline and hold its evidence."""

from __future__ import annotations

from pathlib import Path

import typer

from csewatch.commands.common import DbOpt, console, err
from csewatch.store import Store

commands = typer.Typer()  # top-level commands, merged into the main app by csewatch.cli


@commands.command("report-ncmec")
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
