"""A case's page (posts with evidence marked, signals, history, claim), and the acts on a case from the
page: claim, reveal one media item (audited), decide (one case, or in bulk for leads)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from csewatch.ingest.common import format_time
from csewatch.review.decisions import STATE_AFTER
from csewatch.web.deps import (
    MAX_ID,
    MAX_NAME,
    MAX_RATIONALE,
    Console,
    Session,
    check_csrf,
    console,
    current,
    refused,
    to_case,
)
from csewatch.web.render import highlight

router = APIRouter()


def case_view(
    c: Console,
    request: Request,
    case_id: str,
    sess: Session,
    revealed: tuple[str, int] | None = None,
    message: str = "",
) -> Response:
    """The case page (404 for an unknown case)."""
    store = c.store
    case = store.case(case_id)
    if case is None:
        raise HTTPException(status_code=404, detail="no such case")
    posts = []
    for v in store.case_verdicts(case_id, limit=50):
        sigs = store.post_signals(v["platform"], v["post_id"])
        spans = [(e["start"], e["end"], e["rule"]) for s in sigs for e in s["evidence"] if e["field"] == "text"]
        post = store.post(v["platform"], v["post_id"]) or {}
        posts.append(
            {
                "id": v["post_id"],
                "score": v["score"],
                "rules": v["rules"],
                "signals": sigs,
                "created": format_time(v.get("created_at") or 0, "%Y-%m-%dT%H:%M:%S+00:00", "unknown"),
                "html": highlight(v.get("text") or "", spans),
                "media": post.get("media") or [],
            }
        )
    subject_signals = store.subject_signals(case.platform, case.subject_type, case.subject_id)
    decisions = store.console.case_decisions(case_id)
    claim = c.review.claims().get(case_id)
    return c.templates.TemplateResponse(
        request,
        "case.html",
        {
            "user": sess,
            "case": case,
            "posts": posts,
            "subject_signals": subject_signals,
            "decisions": decisions,
            "claim": claim,
            "revealed": revealed,
            "outcomes": list(STATE_AFTER),
            "message": message,
        },
    )


def media_item(c: Console, case_id: str, post_id: str, index: int) -> dict[str, Any]:
    """The media item ``index`` of post ``post_id`` in the case, or 404."""
    for v in c.store.case_verdicts(case_id):
        if v["post_id"] == post_id:
            media = (c.store.post(v["platform"], v["post_id"]) or {}).get("media") or []
            if 0 <= index < len(media):
                return media[index]
    raise HTTPException(status_code=404, detail="no such media item in this case")


@router.get("/cases/{case_id:path}", response_class=HTMLResponse)
def case_page(
    request: Request, case_id: str, sess: Session = Depends(current), c: Console = Depends(console)
) -> Response:
    c.review.audit.append(sess[0], "view_case", case_id)
    return case_view(c, request, case_id, sess)


@router.post("/claim/{case_id:path}")
def claim(
    case_id: str, csrf: str = Form(""), sess: Session = Depends(current), c: Console = Depends(console)
) -> Response:
    check_csrf(sess, csrf)
    with refused(missing="no such case"):
        c.review.claim(case_id, sess[0])
    return to_case(case_id)


@router.post("/reveal/{case_id:path}", response_class=HTMLResponse)
def reveal(
    request: Request,
    case_id: str,
    post_id: str = Form(..., max_length=MAX_ID),
    index: int = Form(..., ge=0, le=10_000),
    csrf: str = Form("", max_length=100),
    sess: Session = Depends(current),
    c: Console = Depends(console),
) -> Response:
    """Show one media item unblurred: an explicit, audited act (refused, unaudited, when the
    item is not in the case)."""
    check_csrf(sess, csrf)
    media_item(c, case_id, post_id, index)
    c.review.audit.append(sess[0], "reveal_media", case_id, {"post": post_id, "index": index})
    return case_view(c, request, case_id, sess, revealed=(post_id, index))


@router.post("/decide/{case_id:path}")
def decide(
    request: Request,
    case_id: str,
    outcome: str = Form(..., max_length=32),
    rationale: str = Form("", max_length=MAX_RATIONALE),
    policy_category: str = Form("", max_length=MAX_NAME),
    bulk: str = Form("", max_length=8),
    csrf: str = Form("", max_length=100),
    sess: Session = Depends(current),
    c: Console = Depends(console),
) -> Response:
    check_csrf(sess, csrf)
    if bulk and sess[1] not in ("lead", "admin"):
        raise HTTPException(status_code=403, detail="bulk decisions are for leads")
    try:
        if bulk:
            c.review.bulk_decide(case_id, sess[0], outcome, rationale, policy_category or None)
        else:
            c.review.decide(case_id, sess[0], outcome, rationale, policy_category or None)
    except PermissionError as exc:
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except (ValueError, KeyError) as exc:
        return case_view(c, request, case_id, sess, message=str(exc))
    return to_case(case_id)
