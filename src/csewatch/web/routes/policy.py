"""The policy page and the leads' edits of the pack from it (a hashtag's state, a new term): each edit
is checked against the pack version it was made on and audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csewatch.policy import PolicyError, load_policy
from csewatch.policy import edit as policy_edit
from csewatch.web.deps import MAX_NAME, Console, Session, check_csrf, console, lead

router = APIRouter()


@router.get("/policy", response_class=HTMLResponse)
def policy_page(
    request: Request,
    message: str = Query("", max_length=500),
    sess: Session = Depends(lead),
    c: Console = Depends(console),
) -> Response:
    pack = load_policy(c.policy_dir) if c.policy_dir else c.policy
    return c.templates.TemplateResponse(
        request,
        "policy.html",
        {
            "user": sess,
            "pack": pack,
            "editable": c.policy_dir is not None,
            "message": message,
            "indicators": list(pack.terms.indicators),
        },
    )


@router.post("/policy/hashtag")
def policy_hashtag(
    tag: str = Form(..., max_length=MAX_NAME),
    state: str = Form(..., max_length=32),
    csrf: str = Form("", max_length=100),
    version: str = Form("", max_length=64),
    sess: Session = Depends(lead),
    c: Console = Depends(console),
) -> Response:
    args = {"tag": tag, "state": state, "expected_version": version or None}
    return _policy_edit(c, sess, csrf, "set_hashtag_state", args)


@router.post("/policy/term")
def policy_term(
    indicator: str = Form(..., max_length=MAX_NAME),
    term: str = Form(..., max_length=MAX_NAME),
    ambiguous: str = Form("", max_length=8),
    csrf: str = Form("", max_length=100),
    version: str = Form("", max_length=64),
    sess: Session = Depends(lead),
    c: Console = Depends(console),
) -> Response:
    args = {"indicator": indicator, "term": term, "ambiguous": bool(ambiguous), "expected_version": version or None}
    return _policy_edit(c, sess, csrf, "add_term", args)


def _policy_edit(c: Console, sess: Session, csrf: str, what: str, args: dict[str, Any]) -> Response:
    check_csrf(sess, csrf)
    if c.policy_dir is None:
        raise HTTPException(status_code=409, detail="serve with --policy DIR (a copy of the pack) to edit it")
    try:
        version = getattr(policy_edit, what)(c.policy_dir, **args)
    except PolicyError as exc:
        return RedirectResponse(f"/policy?message={quote(str(exc))}", status_code=303)
    c.review.audit.append(sess[0], "policy_edit", str(c.policy_dir), {"edit": what, **args, "version": version})
    return RedirectResponse(f"/policy?message={quote('pack is now version ' + version)}", status_code=303)
