"""Signed, expiring tokens for survey links: the only thing in a survey URL.

A token is ``kind.ref.expiry.mac``: ``kind`` is ``i`` (an invitation), ``u`` (a unit's
anonymous link, printed as a QR code) or ``r`` (one rendering of an anonymous form, so a
replayed post is recognised); ``ref`` is a random id that only the app database can tie to
an interaction, customer or unit, so the URL carries no personal data; ``expiry`` is Unix
seconds in base 36; ``mac`` is HMAC-SHA256 over the rest with the workspace's secret,
truncated to 128 bits. Single use is not the token's business: the invitation's row
records that it was answered (see :mod:`valueloop.surveys.service.answers`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from valueloop.errors import InputError

Kind = Literal["i", "u", "r"]
KINDS: tuple[Kind, ...] = ("i", "u", "r")
MAX_TOKEN = 200
_SHAPE = re.compile(r"^([iur])\.([a-z0-9]{8,64})\.([0-9a-z]{1,13})\.([A-Za-z0-9_-]{22})$")
Reason = Literal["malformed", "forged", "expired", "used"]


class TokenError(InputError):
    """A link that cannot be honoured; ``reason`` says why (the page tells the respondent)."""

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(message)
        self.reason: Reason = reason


@dataclass(frozen=True)
class Claims:
    kind: Kind
    ref: str
    expires_at: datetime


REF_LEN = 24


def new_ref() -> str:
    """A random reference (:data:`REF_LEN` characters of base 32: 120 bits), lower case to survive any URL handling."""
    return base64.b32encode(secrets.token_bytes(15)).decode().lower()


def sign(secret: bytes, kind: Kind, ref: str, expires_at: datetime) -> str:
    body = f"{kind}.{ref}.{_base36(int(expires_at.timestamp()))}"
    token = f"{body}.{_mac(secret, body)}"
    if not _SHAPE.match(token):
        raise ValueError(f"cannot sign {kind}/{ref!r}: a ref is 8–64 lower-case letters and digits")
    return token


def verify(secret: bytes, token: str, now: datetime, kind: Kind | None = None) -> Claims:
    """The claims of a genuine, unexpired token (of ``kind`` when given); :class:`TokenError` otherwise.

    The MAC is compared in constant time before the expiry is believed.
    """
    m = _SHAPE.match(token) if len(token) <= MAX_TOKEN else None
    if m is None:
        raise TokenError("malformed", "this link is not a survey link (it may have been cut off)")
    got_kind, ref, exp, mac = m.groups()
    if not hmac.compare_digest(mac, _mac(secret, f"{got_kind}.{ref}.{exp}")) or (kind and got_kind != kind):
        raise TokenError("forged", "this link was not issued by this survey server")
    expires_at = datetime.fromtimestamp(int(exp, 36), UTC)
    if now >= expires_at:
        raise TokenError("expired", f"this link expired on {expires_at:%Y-%m-%d %H:%M} UTC")
    return Claims(got_kind, ref, expires_at)  # type: ignore[arg-type]


def _mac(secret: bytes, body: str) -> str:
    digest = hmac.new(secret, body.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _base36(n: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        n, r = divmod(n, 36)
        out = digits[r] + out
        if n == 0:
            return out
