"""The JSON API (bearer tokens): cases, decisions, claims, audited media reveals, bulk decisions and
policy edits for leads, rule precision, and the API's own OpenAPI schema."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from csewatch.policy import PolicyError
from csewatch.policy import edit as policy_edit
from csewatch.review.decisions import STATE_AFTER
from csewatch.web.deps import MAX_ID, MAX_LIMIT, MAX_NAME, MAX_RATIONALE, ApiUser, Console, api_user, console, refused
from csewatch.web.routes.cases import media_item

router = APIRouter()


class DecisionIn(BaseModel):
    outcome: str = Field(max_length=32)
    rationale: str = Field(max_length=MAX_RATIONALE)
    policy_category: str | None = Field(None, max_length=MAX_NAME)


class RevealIn(BaseModel):
    post_id: str = Field(max_length=MAX_ID)
    index: int = Field(ge=0, le=10_000)


class PolicyEditIn(BaseModel):
    hashtag: str | None = Field(None, max_length=MAX_NAME)
    state: str | None = Field(None, max_length=32)
    indicator: str | None = Field(None, max_length=MAX_NAME)
    term: str | None = Field(None, max_length=MAX_NAME)
    ambiguous: bool = False
    version: str | None = Field(None, max_length=64)  # the pack version the edit was made against: stale -> 409


@router.get("/api/cases")
def api_cases(
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    category: str | None = Query(None, max_length=MAX_NAME),
    state: str | None = Query(None, max_length=32),
    user: ApiUser = Depends(api_user),
    c: Console = Depends(console),
) -> JSONResponse:
    return JSONResponse(
        [
            {
                "id": k.id,
                "category": k.category,
                "severity": k.severity,
                "score": k.score,
                "priority": k.priority,
                "state": k.state,
                "n_posts": k.n_posts,
            }
            for k in c.store.top_cases(limit, category=category, state=state)
        ]
    )


@router.get("/api/cases/{case_id:path}")
def api_case(case_id: str, user: ApiUser = Depends(api_user), c: Console = Depends(console)) -> JSONResponse:
    case = c.store.case(case_id)
    if case is None:
        raise HTTPException(status_code=404, detail="no such case")
    c.review.audit.append(user[0], "api_view_case", case_id)
    posts = [
        {
            "post": v["post_id"],
            "score": v["score"],
            "rules": v["rules"],
            "signals": c.store.post_signals(v["platform"], v["post_id"]),
        }
        for v in c.store.case_verdicts(case_id)
    ]
    return JSONResponse({"id": case.id, "category": case.category, "state": case.state, "posts": posts})


@router.post("/api/decisions/{case_id:path}")
def api_decide(
    case_id: str, body: DecisionIn, user: ApiUser = Depends(api_user), c: Console = Depends(console)
) -> JSONResponse:
    with refused():
        d = c.review.decide(case_id, user[0], body.outcome, body.rationale, body.policy_category)
    return JSONResponse({"case": case_id, "outcome": d.outcome, "state": STATE_AFTER[d.outcome]})


@router.post("/api/claims/{case_id:path}")
def api_claim(case_id: str, user: ApiUser = Depends(api_user), c: Console = Depends(console)) -> JSONResponse:
    with refused(missing="no such case"):
        c.review.claim(case_id, user[0])
    return JSONResponse({"case": case_id, "claimed_by": user[0]})


@router.post("/api/reveal/{case_id:path}")
def api_reveal(
    case_id: str, body: RevealIn, user: ApiUser = Depends(api_user), c: Console = Depends(console)
) -> JSONResponse:
    """The media item's metadata (never shown without this audited call)."""
    item = media_item(c, case_id, body.post_id, body.index)
    c.review.audit.append(user[0], "reveal_media", case_id, {"post": body.post_id, "index": body.index, "api": True})
    return JSONResponse(item)


@router.post("/api/bulk-decisions/{case_id:path}")
def api_bulk(
    case_id: str, body: DecisionIn, user: ApiUser = Depends(api_user), c: Console = Depends(console)
) -> JSONResponse:
    if user[1] not in ("lead", "admin"):
        raise HTTPException(status_code=403, detail="bulk decisions are for leads")
    with refused():
        ds = c.review.bulk_decide(case_id, user[0], body.outcome, body.rationale, body.policy_category)
    return JSONResponse({"decided": [d.case_id for d in ds]})


@router.post("/api/policy")
def api_policy(body: PolicyEditIn, user: ApiUser = Depends(api_user), c: Console = Depends(console)) -> JSONResponse:
    if user[1] not in ("lead", "admin"):
        raise HTTPException(status_code=403, detail="policy edits are for leads")
    if c.policy_dir is None:
        raise HTTPException(status_code=409, detail="serve with --policy DIR (a copy of the pack) to edit it")
    try:
        if body.hashtag and body.state:
            version = policy_edit.set_hashtag_state(c.policy_dir, body.hashtag, body.state, body.version)
        elif body.indicator and body.term:
            version = policy_edit.add_term(c.policy_dir, body.indicator, body.term, body.ambiguous, body.version)
        else:
            raise HTTPException(status_code=422, detail="give hashtag+state or indicator+term")
    except policy_edit.PolicyConflict as exc:  # a stale edit: refused, nothing written
        raise HTTPException(status_code=409, detail=str(exc)) from None
    except PolicyError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    c.review.audit.append(user[0], "policy_edit", str(c.policy_dir), {**body.model_dump(), "version": version})
    return JSONResponse({"version": version})


@router.get("/api/precision")
def api_precision(user: ApiUser = Depends(api_user), c: Console = Depends(console)) -> JSONResponse:
    return JSONResponse(
        [
            {
                "rule": r.rule,
                "decisions": r.decisions,
                "violating": r.violating,
                "precision": round(r.precision, 4),
                "mode": r.mode,
            }
            for r in c.review.precision()
        ]
    )


@router.get("/api/openapi.json")
def api_schema(request: Request, user: ApiUser = Depends(api_user)) -> JSONResponse:
    from fastapi.openapi.utils import get_openapi

    return JSONResponse(get_openapi(title="csewatch", version="1", routes=request.app.routes))
