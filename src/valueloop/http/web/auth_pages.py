"""Sign in, sign out and the language switch.

The session cookie is HttpOnly, SameSite=Lax and Secure (unless the server runs with
``--insecure-cookies`` for plain http on this machine); the login form is protected by a
double-submit token (cookie + hidden field), every signed-in form by the session's token.
"""

from __future__ import annotations

import secrets
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from valueloop.accounts.service.accounts import SESSION_TTL, AccessDenied, AuthError, RateLimited, login, logout
from valueloop.http.deps import SESSION_COOKIE, Public, WorkspaceDep, caller, check_csrf
from valueloop.http.web.i18n import LANG_COOKIE, pick
from valueloop.http.web.render import page

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "vl_login_csrf"


MAX_NEXT = 2000


def local_path(target: str | None) -> str:
    r"""``target`` when it is a path on this site, else ``/`` (no open redirect after login or a language switch).

    A browser reads ``//evil.com`` and ``/\evil.com`` as another host, drops tabs and
    newlines before parsing (``/<TAB>/evil.com`` is ``//evil.com``), and follows a scheme
    (``javascript:``); so only a single leading ``/``, no backslash, no control
    character, no scheme and no host pass. Anything encoded (``%2F%2Fevil.com``) does
    not start with ``/`` once decoded by the server and falls back to ``/``.
    """
    if not target or len(target) > MAX_NEXT or not target.startswith("/") or target.startswith("//"):
        return "/"
    if "\\" in target or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in target):
        return "/"
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc else "/"


def _secure(request: Request) -> bool:
    return bool(request.app.state.settings.secure_cookies)


@router.get("/login")
def login_form(_: Public, request: Request, next: str = "/") -> Response:
    token = secrets.token_urlsafe(32)
    resp = page(request, "login.html", None, login_csrf=token, next=local_path(next), error=None)
    resp.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="lax", secure=_secure(request), path="/login")
    return resp


@router.post("/login")
def login_submit(
    _: Public,
    request: Request,
    ws: WorkspaceDep,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF) or ""
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise AccessDenied("the login form expired; reload the page")
    ip = request.client.host if request.client else "unknown"
    try:
        secret, _csrf = login(ws, username, password, ip)
    except RateLimited:
        return page(request, "login.html", None, 429, login_csrf=expected, next=local_path(next), error="rate_limited")
    except AuthError:
        return page(request, "login.html", None, 401, login_csrf=expected, next=local_path(next), error="bad_login")
    resp = RedirectResponse(local_path(next), status_code=303)
    resp.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=int(SESSION_TTL.total_seconds()),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    resp.delete_cookie(LOGIN_CSRF, path="/login")
    return resp


@router.post("/logout")
def logout_submit(_: Public, request: Request, ws: WorkspaceDep, csrf_token: Annotated[str, Form()]) -> Response:
    who = caller(request)
    secret = request.cookies.get(SESSION_COOKIE)
    if who is not None and secret:
        check_csrf(who, csrf_token)
        logout(ws, secret)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE, path="/")
    return resp


@router.get("/lang/{code}")
def switch_language(_: Public, request: Request, code: str, next: str = "/") -> Response:
    resp = RedirectResponse(local_path(next), status_code=303)
    resp.set_cookie(LANG_COOKIE, pick(code), max_age=365 * 86400, samesite="lax", secure=_secure(request), path="/")
    return resp
