"""The review web app. Server-rendered pages (Jinja2) and a JSON API, both behind authentication:
only the login page answers anonymously. Sessions are HttpOnly, SameSite=Strict cookies; every
form carries the session's CSRF token; media is shown blurred and greyscaled until a reviewer
reveals one item, which is audited, as is every decision. Every answer carries a strict
Content-Security-Policy and no-store headers; request bodies and every parameter are capped; case ids
are percent-encoded in links and redirects; requests are logged (method, path, status, time) without
query strings, bodies or tokens.

This module is the assembly: the guard middleware (body cap, security headers, request log) and the
routers of ``csewatch.web.routes``, one per area, sharing one ``Console`` (web/deps.py) on app.state."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import Response

from csewatch.actions.sinks import ActionSink
from csewatch.policy import Policy
from csewatch.review.decisions import ReviewService
from csewatch.store import Store
from csewatch.web.auth import Auth
from csewatch.web.deps import COOKIE, MAX_BODY, Console, make_templates
from csewatch.web.render import bar_svg, highlight, path_quote
from csewatch.web.routes import api, cases, dashboard, login, queue
from csewatch.web.routes import policy as policy_routes

__all__ = ["COOKIE", "MAX_BODY", "Guard", "bar_svg", "create_app", "highlight", "path_quote"]

log = logging.getLogger("csewatch.web")

SECURITY_HEADERS = [
    (
        b"content-security-policy",
        b"default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        b"form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    ),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cache-control", b"no-store"),
]


class Guard:
    """ASGI middleware: refuses bodies over ``max_body`` bytes (413), adds the security headers to
    every answer, and logs each request without its query string."""

    def __init__(self, app, max_body: int = MAX_BODY):
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = [500]

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                names = {k for k, _v in SECURITY_HEADERS}
                message["headers"] = [h for h in message.get("headers", []) if h[0] not in names] + SECURITY_HEADERS
            await send(message)

        try:
            declared = dict(scope.get("headers") or []).get(b"content-length")
            too_big = declared is not None and (not declared.isdigit() or int(declared) > self.max_body)
            chunks, size = [], 0
            while not too_big:
                message = await receive()
                if message["type"] != "http.request":
                    chunks.append(message)
                    break
                size += len(message.get("body", b""))
                too_big = size > self.max_body
                chunks.append(message)
                if not message.get("more_body"):
                    break
            if too_big:
                await Response(f"request body over {self.max_body} bytes", status_code=413, media_type="text/plain")(
                    scope, receive, send_with_headers
                )
                return

            async def replay():
                return chunks.pop(0) if chunks else await receive()

            await self.app(scope, replay, send_with_headers)
        finally:
            log.info(
                "%s %s %d %.1f ms",
                scope.get("method"),
                scope.get("path"),
                status[0],
                (time.perf_counter() - start) * 1000,
            )


def create_app(
    store: Store,
    policy: Policy,
    sinks: list[ActionSink] | None = None,
    secure_cookies: bool = False,
    policy_dir: str | Path | None = None,
    claim_seconds: float = 1800,
    max_body: int = MAX_BODY,
    auth: Auth | None = None,
) -> FastAPI:
    """``policy_dir``: a writable copy of the pack that leads may edit from the policy page;
    ``claim_seconds``: how long a claim holds a case; ``auth``: login limits other than the defaults."""
    app = FastAPI(title="csewatch", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(Guard, max_body=max_body)
    app.state.console = Console(
        store=store,
        policy=policy,
        review=ReviewService(store, policy, sinks, claim_seconds=claim_seconds),
        auth=auth or Auth(store),
        templates=make_templates(),
        policy_dir=policy_dir,
        secure_cookies=secure_cookies,
    )
    for area in (login, queue, cases, policy_routes, dashboard, api):
        app.include_router(area.router)
    return app
