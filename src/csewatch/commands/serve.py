"""``csewatch serve``: the review web app and its JSON API."""

from __future__ import annotations

from pathlib import Path

import typer

from csewatch.commands.common import DbOpt, PolicyOpt, action_sinks, load_pack
from csewatch.store import Store

commands = typer.Typer()  # top-level commands, merged into the main app by csewatch.cli


@commands.command()
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
        load_pack(policy),
        action_sinks(actions_jsonl, webhook, secret_env),
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
