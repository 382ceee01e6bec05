"""The API's interactive reference (``/api/docs``): Swagger UI served from the package, never from a CDN.

FastAPI's own docs page loads Swagger UI from a CDN with an inline start-up script, so it breaks
offline and needs a looser script policy. This page loads the vendored copy
(``static/vendor/swagger-ui``, Apache-2.0, its licence beside it) and starts it from
``static/api-docs.js``, so it runs under the dashboard's own CSP.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from valueloop.http.web.render import templates

DOCS_PATH = "/api/docs"
router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH, response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Public like ``/openapi.json`` it reads: the schema says what exists, every call still needs a sign-in."""
    return templates.TemplateResponse(request, "api_docs.html", {"openapi_url": request.app.openapi_url})
