"""The case queue: open cases by priority, filtered by category, state, subject type, severity,
detector or hashtag, with who holds a claim on each."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from csewatch.web.deps import MAX_NAME, Console, Session, console, current

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
def queue(
    request: Request,
    category: str = Query("", max_length=MAX_NAME),
    state: str = Query("open", max_length=32),
    subject_type: str = Query("", max_length=32),
    severity: int = Query(0, ge=0, le=5),
    detector: str = Query("", max_length=MAX_NAME),
    hashtag: str = Query("", max_length=MAX_NAME),
    sess: Session = Depends(current),
    c: Console = Depends(console),
) -> Response:
    cases = c.store.top_cases(
        100,
        category=category or None,
        state=state or None,
        subject_type=subject_type or None,
        min_severity=severity or None,
        detector=detector or None,
        hashtag=hashtag or None,
    )
    claimed = c.review.claims()
    categories = c.store.console.categories()
    return c.templates.TemplateResponse(
        request,
        "queue.html",
        {
            "user": sess,
            "cases": cases,
            "claimed": claimed,
            "categories": categories,
            "filters": {
                "category": category,
                "state": state,
                "subject_type": subject_type,
                "severity": severity,
                "detector": detector,
                "hashtag": hashtag,
            },
        },
    )
