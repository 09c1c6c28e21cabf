"""The review web app. Server-rendered pages (Jinja2) and a JSON API, both behind authentication:
only the login page answers anonymously. Sessions are HttpOnly, SameSite=Strict cookies; every
form carries the session's CSRF token; media is shown blurred and greyscaled until a reviewer
reveals one item, which is audited, as is every decision. Every answer carries a strict
Content-Security-Policy and no-store headers; request bodies and every parameter are capped; case ids
are percent-encoded in links and redirects; requests are logged (method, path, status, time) without
query strings, bodies or tokens."""

from __future__ import annotations

import html
import logging
import statistics
import time
from collections import defaultdict
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Form, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field
from sqlalchemy import func, select

from csewatch.actions.sinks import ActionSink
from csewatch.ingest.common import format_time
from csewatch.policy import Policy
from csewatch.review.decisions import STATE_AFTER, ReviewService
from csewatch.store import Store
from csewatch.store import schema as S
from csewatch.web.auth import Auth, Busy

COOKIE = "csewatch_session"
TEMPLATES = Path(str(resources.files("csewatch.web").joinpath("templates")))
STATIC = Path(str(resources.files("csewatch.web").joinpath("static")))
log = logging.getLogger("csewatch.web")

MAX_BODY = 64 * 1024  # bytes of one request body
MAX_RATIONALE = 10_000
MAX_ID = 300  # case, post and user ids (the columns' width)
MAX_NAME = 120  # names, categories, detectors, hashtags, terms
MAX_LIMIT = 500
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


def path_quote(value: object) -> str:
    """A value as one percent-encoded path segment run: '?', '#', '%' and spaces cannot end it early."""
    return quote(str(value), safe="/:@!$&'()*+,;=")


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
                await Response(
                    f"request body over {self.max_body} bytes", status_code=413, media_type="text/plain"
                )(scope, receive, send_with_headers)
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


def highlight(text: str, spans: list[tuple[int, int, str]]) -> str:
    """HTML of ``text`` with the evidence spans marked (escaped; overlapping spans merged)."""
    spans = sorted((s, e, r) for s, e, r in spans if 0 <= s < e <= len(text))
    out, pos = [], 0
    for s, e, rule in spans:
        if s < pos:
            continue
        out.append(html.escape(text[pos:s]))
        out.append(f'<mark title="{html.escape(rule)}">{html.escape(text[s:e])}</mark>')
        pos = e
    out.append(html.escape(text[pos:]))
    return "".join(out)


def bar_svg(rows: list[tuple[str, float]], width: int = 520, unit: str = "") -> str:
    """A small horizontal bar chart as inline SVG."""
    if not rows:
        return "<p>no data yet</p>"
    top = max(v for _l, v in rows) or 1
    h = 22 * len(rows) + 10
    bars = []
    for i, (label, v) in enumerate(rows):
        w = int((width - 220) * v / top)
        y = 5 + 22 * i
        bars.append(
            f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label[:30])}</text>'
            f'<rect x="210" y="{y}" width="{max(w, 1)}" height="16" fill="#4a6fa5"/>'
            f'<text x="{215 + w}" y="{y + 13}" font-size="11">{v:g}{unit}</text>'
        )
    return f'<svg role="img" width="{width}" height="{h}" xmlns="http://www.w3.org/2000/svg">{"".join(bars)}</svg>'


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
    templates = Jinja2Templates(directory=str(TEMPLATES))
    templates.env.filters["path"] = path_quote
    auth = auth or Auth(store)
    review = ReviewService(store, policy, sinks, claim_seconds=claim_seconds)

    def to_case(case_id: str) -> RedirectResponse:
        return RedirectResponse(f"/cases/{path_quote(case_id)}", status_code=303)

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        kinds = {"app.css": "text/css", "keys.js": "text/javascript"}
        if name not in kinds:
            raise HTTPException(status_code=404, detail="not found")
        return Response((STATIC / name).read_text(), media_type=kinds[name])

    # -- authentication --------------------------------------------------------------------------
    def current(request: Request) -> tuple[str, str, str]:
        sess = auth.session(request.cookies.get(COOKIE))
        if sess is None:
            raise HTTPException(status_code=303, headers={"Location": "/login"})
        return sess

    def check_csrf(sess: tuple[str, str, str], token: str) -> None:
        if not token or token != sess[2]:
            raise HTTPException(status_code=403, detail="missing or wrong CSRF token")

    def api_user(request: Request) -> tuple[str, str]:
        header = request.headers.get("Authorization", "")
        user = auth.api_user(header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None)
        if user is None:
            raise HTTPException(status_code=401, detail="a bearer token is required")
        return user

    @app.get("/login", response_class=HTMLResponse)
    def login_page(request: Request, error: str = "") -> Response:
        return templates.TemplateResponse(request, "login.html", {"error": error})

    @app.post("/login")
    def login(
        request: Request,
        name: str = Form(..., max_length=MAX_NAME),
        password: str = Form(..., max_length=1024),
    ) -> Response:
        client = request.client.host if request.client else "?"
        try:
            got = auth.login(name, password, client)
        except PermissionError as exc:
            headers = {"Retry-After": "5" if isinstance(exc, Busy) else "60"}
            return templates.TemplateResponse(
                request, "login.html", {"error": str(exc)}, status_code=429, headers=headers
            )
        if got is None:
            return templates.TemplateResponse(
                request, "login.html", {"error": "wrong name or password"}, status_code=401
            )
        token, _csrf = got
        resp = RedirectResponse("/", status_code=303)
        resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=secure_cookies, max_age=8 * 3600)
        return resp

    @app.post("/logout")
    def logout(request: Request, csrf: str = Form(""), sess=Depends(current)) -> Response:
        check_csrf(sess, csrf)
        auth.logout(request.cookies.get(COOKIE, ""))
        resp = RedirectResponse("/login", status_code=303)
        resp.delete_cookie(COOKIE)
        return resp

    # -- pages -----------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse)
    def queue(
        request: Request,
        category: str = Query("", max_length=MAX_NAME),
        state: str = Query("open", max_length=32),
        subject_type: str = Query("", max_length=32),
        severity: int = Query(0, ge=0, le=5),
        detector: str = Query("", max_length=MAX_NAME),
        hashtag: str = Query("", max_length=MAX_NAME),
        sess=Depends(current),
    ) -> Response:
        cases = store.top_cases(
            100,
            category=category or None,
            state=state or None,
            subject_type=subject_type or None,
            min_severity=severity or None,
            detector=detector or None,
            hashtag=hashtag or None,
        )
        claimed = review.claims()
        with store.engine.connect() as conn:
            categories = sorted(conn.execute(select(S.cases.c.category).distinct()).scalars())
        return templates.TemplateResponse(
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

    def _case_view(
        request: Request, case_id: str, sess, revealed: tuple[str, int] | None = None, message: str = ""
    ) -> Response:
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
        with store.engine.connect() as conn:
            decisions = (
                conn.execute(select(S.decisions).where(S.decisions.c.case_id == case_id).order_by(S.decisions.c.seq))
                .mappings()
                .all()
            )
        claim = review.claims().get(case_id)
        return templates.TemplateResponse(
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

    def media_item(case_id: str, post_id: str, index: int) -> dict:
        """The media item ``index`` of post ``post_id`` in the case, or 404."""
        for v in store.case_verdicts(case_id):
            if v["post_id"] == post_id:
                media = (store.post(v["platform"], v["post_id"]) or {}).get("media") or []
                if 0 <= index < len(media):
                    return media[index]
        raise HTTPException(status_code=404, detail="no such media item in this case")

    @app.get("/cases/{case_id:path}", response_class=HTMLResponse)
    def case_page(request: Request, case_id: str, sess=Depends(current)) -> Response:
        review.audit.append(sess[0], "view_case", case_id)
        return _case_view(request, case_id, sess)

    @app.post("/claim/{case_id:path}")
    def claim(case_id: str, csrf: str = Form(""), sess=Depends(current)) -> Response:
        check_csrf(sess, csrf)
        try:
            review.claim(case_id, sess[0])
        except KeyError:
            raise HTTPException(status_code=404, detail="no such case") from None
        except PermissionError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return to_case(case_id)

    @app.post("/reveal/{case_id:path}", response_class=HTMLResponse)
    def reveal(
        request: Request,
        case_id: str,
        post_id: str = Form(..., max_length=MAX_ID),
        index: int = Form(..., ge=0, le=10_000),
        csrf: str = Form("", max_length=100),
        sess=Depends(current),
    ) -> Response:
        """Show one media item unblurred: an explicit, audited act (refused, unaudited, when the
        item is not in the case)."""
        check_csrf(sess, csrf)
        media_item(case_id, post_id, index)
        review.audit.append(sess[0], "reveal_media", case_id, {"post": post_id, "index": index})
        return _case_view(request, case_id, sess, revealed=(post_id, index))

    @app.post("/decide/{case_id:path}")
    def decide(
        request: Request,
        case_id: str,
        outcome: str = Form(..., max_length=32),
        rationale: str = Form("", max_length=MAX_RATIONALE),
        policy_category: str = Form("", max_length=MAX_NAME),
        bulk: str = Form("", max_length=8),
        csrf: str = Form("", max_length=100),
        sess=Depends(current),
    ) -> Response:
        check_csrf(sess, csrf)
        if bulk and sess[1] not in ("lead", "admin"):
            raise HTTPException(status_code=403, detail="bulk decisions are for leads")
        try:
            if bulk:
                review.bulk_decide(case_id, sess[0], outcome, rationale, policy_category or None)
            else:
                review.decide(case_id, sess[0], outcome, rationale, policy_category or None)
        except PermissionError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        except (ValueError, KeyError) as exc:
            return _case_view(request, case_id, sess, message=str(exc))
        return to_case(case_id)

    # -- policy editing (leads) ------------------------------------------------------------------
    def lead(sess=Depends(current)) -> tuple[str, str, str]:
        if sess[1] not in ("lead", "admin"):
            raise HTTPException(status_code=403, detail="policy edits are for leads")
        return sess

    @app.get("/policy", response_class=HTMLResponse)
    def policy_page(request: Request, message: str = Query("", max_length=500), sess=Depends(lead)) -> Response:
        from csewatch.policy import load_policy

        pack = load_policy(policy_dir) if policy_dir else policy
        return templates.TemplateResponse(
            request,
            "policy.html",
            {
                "user": sess,
                "pack": pack,
                "editable": policy_dir is not None,
                "message": message,
                "indicators": list(pack.terms.indicators),
            },
        )

    @app.post("/policy/hashtag")
    def policy_hashtag(
        tag: str = Form(..., max_length=MAX_NAME),
        state: str = Form(..., max_length=32),
        csrf: str = Form("", max_length=100),
        version: str = Form("", max_length=64),
        sess=Depends(lead),
    ) -> Response:
        args = {"tag": tag, "state": state, "expected_version": version or None}
        return _policy_edit(sess, csrf, "set_hashtag_state", args)

    @app.post("/policy/term")
    def policy_term(
        indicator: str = Form(..., max_length=MAX_NAME),
        term: str = Form(..., max_length=MAX_NAME),
        ambiguous: str = Form("", max_length=8),
        csrf: str = Form("", max_length=100),
        version: str = Form("", max_length=64),
        sess=Depends(lead),
    ) -> Response:
        args = {"indicator": indicator, "term": term, "ambiguous": bool(ambiguous), "expected_version": version or None}
        return _policy_edit(sess, csrf, "add_term", args)

    def _policy_edit(sess, csrf: str, what: str, args: dict) -> Response:
        from urllib.parse import quote

        from csewatch.policy import PolicyError
        from csewatch.policy import edit as policy_edit

        check_csrf(sess, csrf)
        if policy_dir is None:
            raise HTTPException(status_code=409, detail="serve with --policy DIR (a copy of the pack) to edit it")
        try:
            version = getattr(policy_edit, what)(policy_dir, **args)
        except PolicyError as exc:
            return RedirectResponse(f"/policy?message={quote(str(exc))}", status_code=303)
        review.audit.append(sess[0], "policy_edit", str(policy_dir), {"edit": what, **args, "version": version})
        return RedirectResponse(f"/policy?message={quote('pack is now version ' + version)}", status_code=303)

    @app.get("/dashboard", response_class=HTMLResponse)
    def dashboard(request: Request, sess=Depends(current)) -> Response:
        return templates.TemplateResponse(request, "dashboard.html", {"user": sess, **_dashboard()})

    def _dashboard() -> dict:
        with store.engine.connect() as conn:
            per_day: dict[str, int] = defaultdict(int)
            q = select(S.signals.c.detector, S.posts.c.created_at).select_from(
                S.signals.join(
                    S.posts, (S.posts.c.platform == S.signals.c.platform) & (S.posts.c.id == S.signals.c.post_id)
                )
            )
            for detector, created in conn.execute(q):
                day = format_time(created, "%m-%d", "??-??")
                per_day[f"{day} {detector}"] += 1
            first_decision = dict(
                conn.execute(
                    select(S.decisions.c.case_id, func.min(S.decisions.c.decided_at)).group_by(S.decisions.c.case_id)
                ).all()
            )
            seen = dict(conn.execute(select(S.cases.c.id, S.cases.c.first_seen)).all())
            open_ages = [
                time.time() - t for (t,) in conn.execute(select(S.cases.c.first_seen).where(S.cases.c.state == "open"))
            ]
            tags: dict[str, int] = defaultdict(int)
            for (hs,) in conn.execute(select(S.posts.c.hashtags)):
                for t in hs or []:
                    tags[t.lower()] += 1
        latency = [d - seen[c] for c, d in first_decision.items() if c in seen and seen[c]]
        q50 = statistics.median(latency) / 3600 if latency else None
        q90 = statistics.quantiles(latency, n=10)[8] / 3600 if len(latency) >= 2 else q50
        precision = review.precision()
        return {
            "detections": bar_svg(sorted(per_day.items())[-30:]),
            "precision": bar_svg([(f"{r.rule} ({r.mode})", round(r.precision, 3)) for r in precision]),
            "precision_rows": precision,
            "latency": (q50, q90),
            "queue_age": bar_svg(
                [
                    ("< 1 h", sum(a < 3600 for a in open_ages)),
                    ("1-24 h", sum(3600 <= a < 86400 for a in open_ages)),
                    ("> 1 day", sum(a >= 86400 for a in open_ages)),
                ]
            ),
            "hashtags": bar_svg(sorted(tags.items(), key=lambda kv: -kv[1])[:15]),
        }

    # -- JSON API (bearer tokens) ----------------------------------------------------------------
    @app.get("/api/cases")
    def api_cases(
        limit: int = Query(50, ge=1, le=MAX_LIMIT),
        category: str | None = Query(None, max_length=MAX_NAME),
        state: str | None = Query(None, max_length=32),
        user=Depends(api_user),
    ) -> JSONResponse:
        return JSONResponse(
            [
                {
                    "id": c.id,
                    "category": c.category,
                    "severity": c.severity,
                    "score": c.score,
                    "priority": c.priority,
                    "state": c.state,
                    "n_posts": c.n_posts,
                }
                for c in store.top_cases(limit, category=category, state=state)
            ]
        )

    @app.get("/api/cases/{case_id:path}")
    def api_case(case_id: str, user=Depends(api_user)) -> JSONResponse:
        case = store.case(case_id)
        if case is None:
            raise HTTPException(status_code=404, detail="no such case")
        review.audit.append(user[0], "api_view_case", case_id)
        posts = [
            {
                "post": v["post_id"],
                "score": v["score"],
                "rules": v["rules"],
                "signals": store.post_signals(v["platform"], v["post_id"]),
            }
            for v in store.case_verdicts(case_id)
        ]
        return JSONResponse({"id": case.id, "category": case.category, "state": case.state, "posts": posts})

    @app.post("/api/decisions/{case_id:path}")
    def api_decide(case_id: str, body: DecisionIn, user=Depends(api_user)) -> JSONResponse:
        try:
            d = review.decide(case_id, user[0], body.outcome, body.rationale, body.policy_category)
        except PermissionError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        except KeyError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        return JSONResponse({"case": case_id, "outcome": d.outcome, "state": STATE_AFTER[d.outcome]})

    @app.post("/api/claims/{case_id:path}")
    def api_claim(case_id: str, user=Depends(api_user)) -> JSONResponse:
        try:
            review.claim(case_id, user[0])
        except KeyError:
            raise HTTPException(status_code=404, detail="no such case") from None
        except PermissionError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        return JSONResponse({"case": case_id, "claimed_by": user[0]})

    @app.post("/api/reveal/{case_id:path}")
    def api_reveal(case_id: str, body: RevealIn, user=Depends(api_user)) -> JSONResponse:
        """The media item's metadata (never shown without this audited call)."""
        item = media_item(case_id, body.post_id, body.index)
        review.audit.append(user[0], "reveal_media", case_id, {"post": body.post_id, "index": body.index, "api": True})
        return JSONResponse(item)

    @app.post("/api/bulk-decisions/{case_id:path}")
    def api_bulk(case_id: str, body: DecisionIn, user=Depends(api_user)) -> JSONResponse:
        if user[1] not in ("lead", "admin"):
            raise HTTPException(status_code=403, detail="bulk decisions are for leads")
        try:
            ds = review.bulk_decide(case_id, user[0], body.outcome, body.rationale, body.policy_category)
        except PermissionError as exc:
            raise HTTPException(status_code=409, detail=str(exc)) from None
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        except KeyError as exc:
            raise HTTPException(status_code=404, detail=str(exc)) from None
        return JSONResponse({"decided": [d.case_id for d in ds]})

    @app.post("/api/policy")
    def api_policy(body: PolicyEditIn, user=Depends(api_user)) -> JSONResponse:
        from csewatch.policy import PolicyError
        from csewatch.policy import edit as policy_edit

        if user[1] not in ("lead", "admin"):
            raise HTTPException(status_code=403, detail="policy edits are for leads")
        if policy_dir is None:
            raise HTTPException(status_code=409, detail="serve with --policy DIR (a copy of the pack) to edit it")
        try:
            if body.hashtag and body.state:
                version = policy_edit.set_hashtag_state(policy_dir, body.hashtag, body.state, body.version)
            elif body.indicator and body.term:
                version = policy_edit.add_term(policy_dir, body.indicator, body.term, body.ambiguous, body.version)
            else:
                raise HTTPException(status_code=422, detail="give hashtag+state or indicator+term")
        except policy_edit.PolicyConflict as exc:  # a stale edit: refused, nothing written
            raise HTTPException(status_code=409, detail=str(exc)) from None
        except PolicyError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        review.audit.append(user[0], "policy_edit", str(policy_dir), {**body.model_dump(), "version": version})
        return JSONResponse({"version": version})

    @app.get("/api/precision")
    def api_precision(user=Depends(api_user)) -> JSONResponse:
        return JSONResponse(
            [
                {
                    "rule": r.rule,
                    "decisions": r.decisions,
                    "violating": r.violating,
                    "precision": round(r.precision, 4),
                    "mode": r.mode,
                }
                for r in review.precision()
            ]
        )

    @app.get("/api/openapi.json")
    def api_schema(user=Depends(api_user)) -> JSONResponse:
        from fastapi.openapi.utils import get_openapi

        return JSONResponse(get_openapi(title="csewatch", version="1", routes=app.routes))

    return app
