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
Swagger UI page (``/api/docs``) runs the vendored copy under the same policy: no path
needs a script from another host.
An answer that sets its own ``Content-Security-Policy`` keeps it.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

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
FIXED = (
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
"""Headers every answer carries whatever its path (a route's own value wins)."""


class SecurityHeaders:
    """Pure ASGI wrapper adding :data:`FIXED` and :data:`DASHBOARD_CSP` to every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = (*FIXED, (b"content-security-policy", DASHBOARD_CSP.encode()))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in extra if name not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
