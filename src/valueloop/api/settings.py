"""What ``create_app`` needs to know: the workspace and the web-facing limits."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict


class ApiSettings(BaseModel):
    model_config = ConfigDict(frozen=True)

    workspace: Path
    max_upload_bytes: int = 50 * 1024 * 1024
    secure_cookies: bool = False
    """Mark cookies ``Secure`` (set when served over HTTPS behind a proxy)."""
    response_cache_seconds: float = 5.0
    """How long a read route's answer may be reused for the same caller while the data is
    unchanged (see :mod:`valueloop.api.response_cache`); 0 turns the cache off."""
