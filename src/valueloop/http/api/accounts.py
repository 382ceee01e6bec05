"""``/api/v1/users`` and ``/api/v1/tokens``: accounts administration (CLI ``users …`` and ``tokens …``).

Admin only (``accounts:admin``). Password hashes and token hashes never leave the server;
a new token's secret is answered once, by the request that creates it. Every change is
logged with the acting admin's name. An admin cannot disable their own account nor revoke
the token the request came with (either would lock them out halfway).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from valueloop.accounts.service import accounts
from valueloop.accounts.service.accounts import MAX_NAME, MAX_TOKEN_DAYS, Role
from valueloop.http.deps import AccountsAdmin, WorkspaceDep

log = logging.getLogger(__name__)
router = APIRouter(tags=["accounts"])

UserName = Annotated[str, Path(min_length=1, max_length=MAX_NAME)]
TokenId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class UserIn(BaseModel):
    """A new user (CLI ``users add``); a manager is bound to one or more units, an admin or scraper to none,
    an analyst, auditor or viewer optionally."""

    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    password: Annotated[str, Field(min_length=8, max_length=1_000)]
    role: Role = Role.viewer
    units: Annotated[list[Annotated[str, Field(min_length=1, max_length=200)]], Field(max_length=1_000)] = []


class UserOut(BaseModel):
    user_id: int
    username: str
    role: Role
    units: list[str]
    disabled: bool
    created_at: datetime
    last_login_at: datetime | None


class TokenIn(BaseModel):
    """A new API token (CLI ``tokens create``): no scopes means every scope, ``expires_days`` 0 or null never."""

    model_config = ConfigDict(extra="forbid")
    username: Annotated[str, Field(min_length=1, max_length=MAX_NAME)]
    name: Annotated[str, Field(min_length=1, max_length=MAX_NAME)] = "api"
    scopes: Annotated[list[str], Field(max_length=100)] = []
    expires_days: Annotated[int | None, Field(ge=0, le=MAX_TOKEN_DAYS)] = 90


class TokenOut(BaseModel):
    token_id: int
    username: str
    name: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class TokenCreated(TokenOut):
    secret: str = Field(description="The bearer token; shown only in this answer, stored only as its SHA-256.")


P = TypeVar("P", bound=BaseModel)


def _public(schema: type[P], record: BaseModel) -> P:
    """The service's record as this API's public schema (its moments written as pydantic writes them, ``…Z``)."""
    return schema.model_validate(record.model_dump())


def _user(ws: WorkspaceDep, username: str) -> UserOut:
    return next(_public(UserOut, u) for u in accounts.list_users(ws) if u.username == username)


@router.get("/users")
def list_users(_: AccountsAdmin, ws: WorkspaceDep) -> list[UserOut]:
    """Every user: role, bound units, whether disabled, when created and last signed in."""
    return [_public(UserOut, u) for u in accounts.list_users(ws)]


@router.post("/users", status_code=201)
def add_user(who: AccountsAdmin, ws: WorkspaceDep, body: UserIn) -> UserOut:
    """Add a user who may sign in to the dashboard (and be given API tokens)."""
    accounts.add_user(ws, body.username, body.password, body.role, body.units)
    log.info("user %r (%s) added by %s", body.username, body.role.value, who.username)
    return _user(ws, body.username)


@router.post("/users/{username}/disable")
def disable_user(who: AccountsAdmin, ws: WorkspaceDep, username: UserName) -> UserOut:
    """Disable a user: their sessions end at once and their tokens stop working."""
    accounts.disable_user(ws, username, by=who.username)
    log.info("user %r disabled by %s", username, who.username)
    return _user(ws, username)


@router.get("/tokens")
def list_tokens(
    _: AccountsAdmin, ws: WorkspaceDep, username: Annotated[str | None, Query(max_length=MAX_NAME)] = None
) -> list[TokenOut]:
    """Every API token (or one user's): whose, what for, scopes and times — never the secret."""
    return [_public(TokenOut, t) for t in accounts.list_tokens(ws, username)]


@router.post("/tokens", status_code=201)
def create_token(who: AccountsAdmin, ws: WorkspaceDep, body: TokenIn) -> TokenCreated:
    """Create a token for a user; it never has more rights than that user's role. The secret is in this answer only."""
    token_id, secret = accounts.create_token(ws, body.username, body.name, body.scopes, body.expires_days or None)
    log.info("token %d (%r) for %r created by %s", token_id, body.name, body.username, who.username)
    [token] = accounts.list_tokens(ws, token_id=token_id)
    return TokenCreated.model_validate(token.model_dump() | {"secret": secret})


@router.post("/tokens/{token_id}/revoke")
def revoke_token(who: AccountsAdmin, ws: WorkspaceDep, token_id: TokenId) -> TokenOut:
    """Revoke a token at once (again: no change, the first revocation time stays)."""
    token = accounts.revoke_token(ws, token_id, by=who)
    log.info("token %d of %r revoked by %s", token_id, token.username, who.username)
    return _public(TokenOut, token)
