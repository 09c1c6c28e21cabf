"""Login, logout and the console's static files (the only routes that answer without a session)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from csewatch.web.auth import Busy
from csewatch.web.deps import COOKIE, MAX_NAME, STATIC, Console, Session, check_csrf, console, current

router = APIRouter()


@router.get("/static/{name}")
def static(name: str) -> Response:
    kinds = {"app.css": "text/css", "keys.js": "text/javascript"}
    if name not in kinds:
        raise HTTPException(status_code=404, detail="not found")
    return Response((STATIC / name).read_text(), media_type=kinds[name])


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, error: str = "", c: Console = Depends(console)) -> Response:
    return c.templates.TemplateResponse(request, "login.html", {"error": error})


@router.post("/login")
def login(
    request: Request,
    name: str = Form(..., max_length=MAX_NAME),
    password: str = Form(..., max_length=1024),
    c: Console = Depends(console),
) -> Response:
    client = request.client.host if request.client else "?"
    try:
        got = c.auth.login(name, password, client)
    except PermissionError as exc:
        headers = {"Retry-After": "5" if isinstance(exc, Busy) else "60"}
        return c.templates.TemplateResponse(
            request, "login.html", {"error": str(exc)}, status_code=429, headers=headers
        )
    if got is None:
        return c.templates.TemplateResponse(request, "login.html", {"error": "wrong name or password"}, status_code=401)
    token, _csrf = got
    resp = RedirectResponse("/", status_code=303)
    resp.set_cookie(COOKIE, token, httponly=True, samesite="strict", secure=c.secure_cookies, max_age=8 * 3600)
    return resp


@router.post("/logout")
def logout(
    request: Request, csrf: str = Form(""), sess: Session = Depends(current), c: Console = Depends(console)
) -> Response:
    check_csrf(sess, csrf)
    c.auth.logout(request.cookies.get(COOKIE, ""))
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(COOKIE)
    return resp
