"""``csewatch audit verify``: recompute the audit log's hash chain and check its anchored head."""

from __future__ import annotations

from pathlib import Path

import typer

from csewatch.commands.common import DbOpt, console, err
from csewatch.store import Store

audit_app = typer.Typer(no_args_is_help=True, help="The append-only, hash-chained audit log.")


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
