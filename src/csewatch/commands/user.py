"""``csewatch user``: reviewer accounts (add, passwd, disable, enable, remove) and their API tokens."""

from __future__ import annotations

import typer

from csewatch.commands.common import CreateOpt, DbOpt, JsonOpt, console, err
from csewatch.store import Store

user_app = typer.Typer(no_args_is_help=True, help="Reviewer accounts and API tokens.")


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
