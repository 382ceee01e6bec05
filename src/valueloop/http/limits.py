"""One cap on the size of a whole upload or form request, all its files together.

Why here and not in the upload route: FastAPI parses a multipart body — spooling every
file to disk — *before* the route runs, so a per-file check in the route still lets one
request carry any number of files of any total size. This middleware refuses the request
when its ``Content-Length`` is over the limit, before anything is read, and counts the
bytes as they stream in for a request without a length (chunked). Past the limit it
answers 413 itself and tells the application the client went away, so the parser stops
and nothing the application would still answer is sent.

Only form bodies (``multipart/form-data``, ``application/x-www-form-urlencoded``) are
capped here; the events intake caps its own JSON Lines body.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from valueloop.http.errors import error_body

UPLOAD_SUFFIXES = (".csv", ".tsv", ".xlsx", ".parquet", ".json", ".jsonl")
"""The file types an upload (the API's ``/ingest`` and the upload page) accepts."""

FORM_TYPES = (b"multipart/form-data", b"application/x-www-form-urlencoded")


def _refusal(limit: int, size: int | None) -> bytes:
    said = f"{size:,} bytes" if size is not None else "more"
    message = f"the request carries {said}; an upload may be at most {limit:,} bytes in all (every file together)"
    return json.dumps(error_body("too_large", message)).encode()


class BodyLimit:
    """Pure ASGI middleware: form and upload requests larger than ``limit`` bytes get 413."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = dict(scope.get("headers", [])) if scope["type"] == "http" else {}
        if not headers.get(b"content-type", b"").lower().startswith(FORM_TYPES):
            await self.app(scope, receive, send)
            return
        declared = headers.get(b"content-length", b"").strip()
        size = int(declared) if declared.isdigit() else None
        if size is not None and size > self.limit:
            await self._refuse(send, size)
            return
        refused = started = False
        seen = 0

        async def counted() -> Message:
            nonlocal refused, seen
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            seen += len(message.get("body", b""))
            if message["type"] == "http.request" and seen > self.limit:
                refused = True
                if not started:
                    await self._refuse(send, None)
                return {"type": "http.disconnect"}
            return message

        async def unless_refused(message: Message) -> None:
            nonlocal started
            if not refused:
                started = True
                await send(message)

        try:
            await self.app(scope, counted, unless_refused)
        except Exception:
            if not refused:  # the parser's complaint about the cut-off body is ours to swallow, nothing else
                raise

    async def _refuse(self, send: Send, size: int | None) -> None:
        body = _refusal(self.limit, size)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                   (b"connection", b"close")]  # fmt: skip
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})
