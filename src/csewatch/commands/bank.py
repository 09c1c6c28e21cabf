"""``csewatch bank``: import, list, count and remove the hashes of the known-media banks."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.table import Table

from csewatch.commands.common import CreateOpt, DbOpt, JsonOpt, console, err
from csewatch.store import Store

bank_app = typer.Typer(no_args_is_help=True, help="Hash banks: import, list, stats, remove.")


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
