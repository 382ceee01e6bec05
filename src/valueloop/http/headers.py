"""Security headers on every answer: pages, API, static files, redirects, 404s and server errors.

Why a pure ASGI wrapper around the *whole* stack rather than an ordinary middleware:
Starlette answers an unhandled exception from its ``ServerErrorMiddleware``, which sits
outside every middleware added with ``add_middleware``; only a wrapper around the built
stack (``create_app`` builds it so) sees that 500 too. Streaming answers (the alerts
event stream, file downloads) pass through untouched but for the headers.

The dashboard's policy allows scripts from this site only (the templates carry
no inline script or event handler; page data travels in ``<script type="application/json">``
blocks, which are data, not code). Inline *styles* stay allowed: htmx adds its indicator
style element and ECharts styles its tooltips inline, and a style cannot run code. The
Swagger UI page (``/api/docs``) loads its script from a CDN with an inline start-up
script, so it alone gets a looser script policy; it shows no data of its own.
An answer that sets its own ``Content-Security-Policy`` keeps it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CDN = "https://cdn.jsdelivr.net"
DASHBOARD_CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
DOCS_CSP = "; ".join(
    (
        "default-src 'self'",
        f"script-src 'self' 'unsafe-inline' {CDN}",
        f"style-src 'self' 'unsafe-inline' {CDN}",
        "img-src 'self' data: https://fastapi.tiangolo.com",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
FIXED = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
"""Headers every answer carries whatever its path (a route's own value wins)."""


def policy_for(docs_paths: Iterable[str]) -> Callable[[str], str]:
    """The CSP of a path: :data:`DOCS_CSP` for the API docs pages, :data:`DASHBOARD_CSP` elsewhere."""
    docs = frozenset(p for p in docs_paths if p)
    return lambda path: DOCS_CSP if path in docs else DASHBOARD_CSP


class SecurityHeaders:
    """Pure ASGI wrapper adding :data:`FIXED` and the path's CSP to every HTTP answer."""

    def __init__(self, app: ASGIApp, csp: Callable[[str], str]) -> None:
        self.app = app
        self.csp = csp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = (*FIXED, (b"content-security-policy", self.csp(str(scope.get("path", ""))).encode()))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
