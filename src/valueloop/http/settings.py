"""What ``create_app`` needs to know: the workspace and the web-facing limits."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict


class ApiSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    workspace: Path
    max_upload_bytes: int = 50 * 1024 * 1024
    """The largest form or upload request, all its files together (a larger one is refused with 413)."""
    secure_cookies: bool = True
    """Mark cookies ``Secure``, so a browser sends them over HTTPS only. Turn off only for plain
    http on this machine (``valueloop serve --insecure-cookies``; ``valueloop demo --serve`` does)."""
    trusted_proxies: tuple[str, ...] = ()
    """Addresses or networks (``10.0.0.0/8``) of reverse proxies whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` are believed; none by default, so the socket's peer is the client."""
    event_window_hours: float = 24.0
    """Live events (``POST /api/v1/events``) more than this many hours before or after now are
    rejected (late / early); 0 takes any time (replaying history into a server)."""
    response_cache_seconds: float = 5.0
    """How long a read route's answer may be reused for the same caller while the data is
    unchanged (see :mod:`valueloop.http.response_cache`); 0 turns the cache off."""
