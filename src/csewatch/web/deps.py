"""What every route of the review console shares: the ``Console`` (store, policy, review service, auth,
templates and settings of one app, kept on ``app.state.console``), the request limits, and the
dependencies that guard routes: a logged-in session (``current``), a lead (``lead``), a bearer token
(``api_user``) and the CSRF check. Routes receive these through ``Depends``, never through closures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fastapi import Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from fastapi.templating import Jinja2Templates

from csewatch.policy import Policy
from csewatch.review.decisions import ReviewService
from csewatch.store import Store
from csewatch.web.auth import Auth
from csewatch.web.render import path_quote

COOKIE = "csewatch_session"
TEMPLATES = Path(str(resources.files("csewatch.web").joinpath("templates")))
STATIC = Path(str(resources.files("csewatch.web").joinpath("static")))

MAX_BODY = 64 * 1024  # bytes of one request body
MAX_RATIONALE = 10_000
MAX_ID = 300  # case, post and user ids (the columns' width)
MAX_NAME = 120  # names, categories, detectors, hashtags, terms
MAX_LIMIT = 500

Session = tuple[str, str, str]  # (user, role, csrf)
ApiUser = tuple[str, str]  # (user, role)


@dataclass
class Console:
    """One console app's collaborators and settings."""

    store: Store
    policy: Policy
    review: ReviewService
    auth: Auth
    templates: Jinja2Templates
    policy_dir: str | Path | None = None  # a writable copy of the pack that leads may edit
    secure_cookies: bool = False


def make_templates() -> Jinja2Templates:
    """The console's Jinja2 templates, with the ``path`` filter for ids in links."""
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["path"] = path_quote
    return templates


def console(request: Request) -> Console:
    """The ``Console`` of the app serving this request."""
    return request.app.state.console


def current(request: Request) -> Session:
    """The request's session (user, role, csrf); no session: a redirect to the login page."""
    sess = console(request).auth.session(request.cookies.get(COOKIE))
    if sess is None:
        raise HTTPException(status_code=303, headers={"Location": "/login"})
    return sess


def lead(sess: Session = Depends(current)) -> Session:
    """The session of a lead or admin (403 for a reviewer)."""
    if sess[1] not in ("lead", "admin"):
        raise HTTPException(status_code=403, detail="policy edits are for leads")
    return sess


def check_csrf(sess: Session, token: str) -> None:
    """403 unless ``token`` is the session's CSRF token."""
    if not token or token != sess[2]:
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token")


def api_user(request: Request) -> ApiUser:
    """The (user, role) of the request's bearer token (401 without a live one)."""
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None
    user = console(request).auth.api_user(token)
    if user is None:
        raise HTTPException(status_code=401, detail="a bearer token is required")
    return user


def to_case(case_id: str) -> RedirectResponse:
    """A 303 redirect to the case's page."""
    return RedirectResponse(f"/cases/{path_quote(case_id)}", status_code=303)


@contextmanager
def refused(missing: str | None = None) -> Iterator[None]:
    """A refused review step as its HTTP status: held by another reviewer or not allowed 409, a bad outcome or
    category 422, no such case 404 (with ``missing`` as the detail when given)."""
    try:
        yield
    except PermissionError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except ValueError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    except KeyError as exc:
        raise HTTPException(status_code=404, detail=missing or str(exc)) from None
