"""One place that turns errors into responses: JSON ``{"error": {"code", "message"}}`` for the API.

The code is stable and comes from the error class (``InputError`` → ``input_error``); the
status from the class's ``http_status``. Browser pages get a redirect to the login page
instead of a 401.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from valueloop.accounts.service.accounts import AuthError, RateLimited
from valueloop.errors import ValueloopError

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}


def error_code(err: ValueloopError) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(err).__name__).lower()


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def _is_api(request: Request) -> bool:
    """Machine routes answer 401 (a scraper cannot follow a login page); pages redirect to the login."""
    return request.url.path.startswith("/api/") or request.url.path == "/metrics"


async def _valueloop(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ValueloopError)
    if isinstance(exc, AuthError) and not isinstance(exc, RateLimited) and not _is_api(request):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return JSONResponse(error_body(error_code(exc), str(exc)), status_code=exc.http_status)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
    return JSONResponse(error_body(code, str(exc.detail)), status_code=exc.status_code, headers=exc.headers)


async def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    details = _encodable(jsonable_encoder(exc.errors(), custom_encoder={Exception: str}))
    return JSONResponse(error_body("validation_error", "the request is not valid", details=details), status_code=422)


def _encodable(value: Any) -> Any:
    """``value`` with strings that UTF-8 cannot carry (a lone surrogate sent as ``"\\ud800"``) escaped.

    Validation errors echo the offending input back; without this, the echo itself fails
    to encode and a 422 becomes a 500.
    """
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, list):
        return [_encodable(v) for v in value]
    if isinstance(value, dict):
        return {_encodable(k): _encodable(v) for k, v in value.items()}
    return value


def install(app: FastAPI) -> None:
    app.add_exception_handler(ValueloopError, _valueloop)
    app.add_exception_handler(HTTPException, _http)
    app.add_exception_handler(RequestValidationError, _validation)
