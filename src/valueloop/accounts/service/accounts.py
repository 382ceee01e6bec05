"""Use cases of accounts: users and roles, password login with sessions, API tokens, and scope.

Who may do what is data here (:data:`ROLE_PERMISSIONS`); the web adapters only ask.
A manager is bound to subtrees of the entity tree and sees only the units under them;
:func:`visible_units` turns those roots into the set of entity ids a request may show.
Secrets are never stored in the clear: argon2 for passwords, SHA-256 for session ids and
tokens (they are long random strings, so a fast hash is enough).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache, lru_cache

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import VerificationError, VerifyMismatchError

from valueloop.errors import AccessDenied as AccessDenied
from valueloop.errors import AuthError as AuthError
from valueloop.errors import InputError
from valueloop.errors import NotFound as NotFound
from valueloop.errors import RateLimited as RateLimited
from valueloop.results import Instant, Result
from valueloop.store import appdb
from valueloop.store import tables as db
from valueloop.store.lake import Lake
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace


class Role(StrEnum):
    admin = "admin"
    analyst = "analyst"
    manager = "manager"
    auditor = "auditor"
    viewer = "viewer"
    scraper = "scraper"
    """A machine that scrapes ``/metrics`` and may do nothing else."""


class Permission(StrEnum):
    public = "public"
    authenticated = "authenticated"
    models_read = "models:read"
    scores_read = "scores:read"
    evaluate = "evaluate:run"
    findings_read = "findings:read"
    actions_read = "actions:read"
    actions_write = "actions:write"
    text_read = "text:read"
    ingest = "ingest:write"
    alerts_read = "alerts:read"
    alerts_write = "alerts:write"
    events_write = "events:write"
    experiments_read = "experiments:read"
    reports_read = "reports:read"
    audits_write = "audits:write"
    """Plan mystery-shopper visits (``POST /audits/plan``): auditors, analysts and admins."""
    metrics_read = "metrics:read"
    """Scrape ``GET /metrics`` (every unit's live KPIs): admins and the ``scraper`` role, never a scoped user."""
    accounts_admin = "accounts:admin"
    """Users and API tokens: add, list, disable, create, revoke (only :attr:`Role.admin` holds it)."""


_READ = {
    Permission.models_read,
    Permission.scores_read,
    Permission.findings_read,
    Permission.actions_read,
    Permission.alerts_read,
    Permission.experiments_read,
    Permission.reports_read,
}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.admin: frozenset(Permission),
    Role.analyst: frozenset(
        {
            *_READ,
            Permission.evaluate,
            Permission.audits_write,
            Permission.actions_write,
            Permission.text_read,
            Permission.ingest,
            Permission.alerts_write,
            Permission.events_write,
            Permission.authenticated,
        }
    ),
    # Text analytics are workspace-wide (not per unit), so a scoped manager does not get them.
    Role.manager: frozenset({*_READ, Permission.actions_write, Permission.alerts_write, Permission.authenticated}),
    Role.auditor: frozenset({*_READ, Permission.text_read, Permission.audits_write, Permission.authenticated}),
    Role.viewer: frozenset({*_READ, Permission.text_read, Permission.authenticated}),
    Role.scraper: frozenset({Permission.metrics_read, Permission.authenticated}),
}
WORKSPACE_WIDE = frozenset(
    {
        Permission.evaluate,
        Permission.text_read,
        Permission.ingest,
        Permission.events_write,
        Permission.audits_write,
        Permission.metrics_read,
        Permission.accounts_admin,
    }
)
"""Permissions whose use reads or writes every unit at once; a user bound to units never holds them."""
TOKEN_SCOPES = tuple(p.value for p in Permission if p not in (Permission.public, Permission.authenticated))
"""What a token may be limited to; a token never has more than its user's role (so only an admin's token can
carry ``accounts:admin`` in effect)."""
MAX_NAME = 100
"""Longest user or token name (the width of the ``username`` and ``name`` columns)."""
MAX_TOKEN_DAYS = 36_500
MAX_FAILURES = 5
MAX_ADDRESS = 64
"""Longest client address kept with a failed login (the width of the ``ip`` column)."""
FAILURE_WINDOW = timedelta(minutes=15)
SESSION_TTL = timedelta(hours=12)
LAST_USED_RESOLUTION = timedelta(minutes=1)
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Principal:
    """Who is asking: the user, their role, the unit subtrees they are bound to, what they may do."""

    user_id: int
    username: str
    role: Role
    units: tuple[str, ...]
    permissions: frozenset[Permission]
    csrf_token: str | None = None
    """Set for a browser session: unsafe requests must echo it."""
    token_id: int | None = None
    """Set when the request came with an API token: the id of that token."""

    @property
    def scoped(self) -> bool:
        """Bound to unit subtrees (every manager; any other role but admin when given units)."""
        return bool(self.units)

    def can(self, permission: Permission) -> bool:
        return permission is Permission.public or permission in self.permissions


def _now() -> datetime:
    return datetime.now(UTC)


def _sha(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _engine(ws: Workspace) -> sa.Engine:
    return appdb.engine(ws.database_url)


def add_user(ws: Workspace, username: str, password: str, role: Role, units: Iterable[str] = ()) -> int:
    """Create a user; a manager must be bound to at least one unit, an admin or scraper to none.

    Any other role may be bound to units too: it then sees only those subtrees and loses the
    :data:`WORKSPACE_WIDE` permissions.
    """
    bound = sorted(set(units))
    if not username.strip() or len(password) < 8:
        raise InputError("a user needs a name and a password of at least 8 characters")
    _check_name(username, "user name", path_safe=True)
    if role is Role.manager and not bound:
        raise InputError("a manager is bound to one or more units (--unit)")
    if role in (Role.admin, Role.scraper) and bound:
        raise InputError(f"role {role.value} sees every unit (it manages users, or scrapes every unit): drop --unit")
    with _engine(ws).begin() as conn:
        if conn.execute(sa.select(db.users.c.user_id).where(db.users.c.username == username)).first():
            raise InputError(f"user {username!r} already exists")
        result = conn.execute(
            db.users.insert().values(
                username=username,
                password_hash=_hasher.hash(password),
                role=role.value,
                units=bound,
                disabled=False,
                created_at=_now(),
            )
        )
        key = result.inserted_primary_key
        return int(key[0]) if key else 0


def _check_name(name: str, what: str, path_safe: bool = False) -> None:
    """A name fits its column and is printable; a user name is also one URL path segment (no ``/``)."""
    if len(name) > MAX_NAME or not name.isprintable() or (path_safe and "/" in name):
        raise InputError(f"a {what} is at most {MAX_NAME} printable characters{', without /' if path_safe else ''}")


class UserRecord(Result):
    """A user as ``users list`` shows one: role, bound units, whether disabled, when created and last signed in."""

    user_id: int
    username: str
    role: str
    units: list[str]
    disabled: bool
    created_at: Instant
    last_login_at: Instant | None


class TokenRecord(Result):
    """An API token as ``tokens list`` shows one: whose, what for, scopes and times — never the secret."""

    token_id: int
    username: str
    name: str
    scopes: list[str]
    created_at: Instant
    expires_at: Instant | None
    revoked_at: Instant | None
    last_used_at: Instant | None


def list_users(ws: Workspace) -> list[UserRecord]:
    u = db.users
    cols = (u.c.user_id, u.c.username, u.c.role, u.c.units, u.c.disabled, u.c.created_at, u.c.last_login_at)
    with _engine(ws).connect() as conn:
        rows = conn.execute(sa.select(*cols).order_by(u.c.user_id)).mappings().all()
    return [
        UserRecord.model_validate(
            {**r, "created_at": appdb.as_utc(r["created_at"]), "last_login_at": appdb.as_utc(r["last_login_at"])}
        )
        for r in rows
    ]


def disable_user(ws: Workspace, username: str, by: str | None = None) -> None:
    """Disable a user and end every session they have (their tokens stop working too).

    ``by`` is the acting user when there is one (the API, the dashboard): nobody disables
    themselves there, which would lock them out mid-request. Disabling twice is harmless.
    """
    if by is not None and by == username:
        raise InputError("you cannot disable your own account; ask another admin or use the CLI")
    with _engine(ws).begin() as conn:
        uid = _user_id(conn, username)
        conn.execute(db.users.update().where(db.users.c.user_id == uid).values(disabled=True))
        conn.execute(db.sessions.delete().where(db.sessions.c.user_id == uid))


def _user_id(conn: sa.Connection, username: str) -> int:
    uid = conn.execute(sa.select(db.users.c.user_id).where(db.users.c.username == username)).scalar_one_or_none()
    if uid is None:
        raise InputError(f"no user {username!r}")
    return int(uid)


def ensure_first_admin(ws: Workspace, announce: Callable[[str], None] | None = None) -> str | None:
    """Create ``admin`` when the workspace has no users yet.

    The password is ``VALUELOOP_ADMIN_PASSWORD`` or a generated one, which is returned (and
    passed to ``announce``) exactly once; it is not stored anywhere but as a hash.
    Returns None when users already exist.
    """
    with _engine(ws).connect() as conn:
        if conn.execute(sa.select(sa.func.count()).select_from(db.users)).scalar_one():
            return None
    password = os.environ.get("VALUELOOP_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
    add_user(ws, "admin", password, Role.admin)
    if announce is not None:
        announce(f"created user 'admin' with password: {password}")
    return password


def user_principal(ws: Workspace, username: str) -> Principal:
    """The principal of ``username`` outside any request (a scheduled delivery acts for that user)."""
    u = db.users
    with _engine(ws).connect() as conn:
        row = conn.execute(sa.select(u).where(u.c.username == username)).mappings().one_or_none()
    if row is None or row["disabled"]:
        raise InputError(f"no active user {username!r}")
    return _principal(row)


def _principal(row: sa.RowMapping, scopes: Iterable[str] | None = None, csrf: str | None = None) -> Principal:
    role = Role(row["role"])
    perms = ROLE_PERMISSIONS[role] - (WORKSPACE_WIDE if row["units"] else frozenset())
    if scopes is not None:
        perms = perms & {Permission(s) for s in scopes} | {Permission.authenticated}
    token = row["token_id"] if scopes is not None else None
    return Principal(int(row["user_id"]), str(row["username"]), role, tuple(row["units"]), perms, csrf,
                     None if token is None else int(token))  # fmt: skip


def login(ws: Workspace, username: str, password: str, ip: str) -> tuple[str, str]:
    """Check the password and open a session; returns (session secret, CSRF token).

    After :data:`MAX_FAILURES` failures for this user from this address within
    :data:`FAILURE_WINDOW`, further attempts are refused without checking the password.
    The attempt is counted *before* the password is checked (:func:`_reserve_attempt`), so
    wrong passwords sent in parallel cannot get past the limit; a success clears the count.
    An unknown or disabled user costs the same argon2 verification as a known one, so the
    answer's timing does not tell which user names exist.
    """
    now = _now()
    _reserve_attempt(ws, username, ip, now)
    with _engine(ws).connect() as conn:
        row = conn.execute(sa.select(db.users).where(db.users.c.username == username)).mappings().first()
    matches = _verify(row["password_hash"] if row is not None else _dummy_hash(), password)
    if row is None or row["disabled"] or not matches:
        raise AuthError("wrong user name or password")  # the reserved attempt stays, as this failure
    f = db.login_failures
    secret, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    with _engine(ws).begin() as conn:
        conn.execute(f.delete().where((f.c.username == username) & (f.c.ip == ip[:MAX_ADDRESS])))
        conn.execute(db.users.update().where(db.users.c.user_id == row["user_id"]).values(last_login_at=now))
        conn.execute(
            db.sessions.insert().values(
                session_hash=_sha(secret),
                user_id=row["user_id"],
                csrf_token=csrf,
                created_at=now,
                expires_at=now + SESSION_TTL,
            )
        )
    return secret, csrf


_attempts = threading.Lock()


def _reserve_attempt(ws: Workspace, username: str, ip: str, now: datetime) -> None:
    """Record this attempt as a failure unless the limit is reached (then :class:`RateLimited`).

    Insert, then count in the same transaction: on SQLite the insert takes the write lock, so
    a second server process counts after this one commits; the process lock does the same
    for the threads of one server on any database. A name longer than any user's cannot
    sign in and is counted under its first :data:`MAX_NAME` characters.
    """
    f = db.login_failures
    name, address = username[:MAX_NAME], ip[:MAX_ADDRESS]
    recent = (f.c.username == name) & (f.c.ip == address) & (f.c.at > now - FAILURE_WINDOW)
    with _attempts, _engine(ws).begin() as conn:
        conn.execute(f.insert().values(username=name, ip=address, at=now))
        if conn.execute(sa.select(sa.func.count()).select_from(f).where(recent)).scalar_one() > MAX_FAILURES:
            raise RateLimited("too many failed logins; try again in 15 minutes")  # rolls the insert back


@cache
def _dummy_hash() -> str:
    """A hash no password matches, verified for unknown users (made once, on first need)."""
    return _hasher.hash(secrets.token_urlsafe(32))


def _verify(hashed: str, password: str) -> bool:
    try:
        return _hasher.verify(hashed, password)
    except (VerifyMismatchError, VerificationError):
        return False


def session_principal(ws: Workspace, secret: str) -> Principal | None:
    s, u = db.sessions, db.users
    query = sa.select(u, s.c.csrf_token, s.c.expires_at).join(s, s.c.user_id == u.c.user_id)
    with _engine(ws).connect() as conn:
        row = conn.execute(query.where(s.c.session_hash == _sha(secret))).mappings().first()
    if row is None or row["disabled"] or (appdb.as_utc(row["expires_at"]) or _now()) <= _now():
        return None
    return _principal(row, csrf=row["csrf_token"])


def logout(ws: Workspace, secret: str) -> None:
    with _engine(ws).begin() as conn:
        conn.execute(db.sessions.delete().where(db.sessions.c.session_hash == _sha(secret)))


def create_token(
    ws: Workspace, username: str, name: str, scopes: Iterable[str], expires_days: int | None = 90
) -> tuple[int, str]:
    """A new API token for ``username``; returns (token id, secret) — the secret is shown only now.

    No scopes means every scope; ``expires_days`` of None (or 0) means it never expires.
    """
    wanted = sorted(set(scopes)) or list(TOKEN_SCOPES)
    unknown = [s for s in wanted if s not in TOKEN_SCOPES]
    if unknown:
        raise InputError(f"unknown scopes {unknown}; known: {', '.join(TOKEN_SCOPES)}")
    if not name.strip():
        raise InputError("a token needs a name (what it is for)")
    _check_name(name, "token name")
    if expires_days is not None and not 0 <= expires_days <= MAX_TOKEN_DAYS:
        raise InputError(f"a token expires in 0 (never) to {MAX_TOKEN_DAYS} days, not {expires_days}")
    secret = "vl_" + secrets.token_urlsafe(32)
    now = _now()
    expires = now + timedelta(days=expires_days) if expires_days else None
    with _engine(ws).begin() as conn:
        uid = _user_id(conn, username)
        result = conn.execute(
            db.api_tokens.insert().values(
                user_id=uid, name=name, token_hash=_sha(secret), scopes=wanted, created_at=now, expires_at=expires
            )
        )
        key = result.inserted_primary_key
    return (int(key[0]) if key else 0), secret


def revoke_token(ws: Workspace, token_id: int, by: Principal | None = None) -> TokenRecord:
    """Revoke a token at once and answer it as :func:`list_tokens` does; revoking twice keeps the first time.

    ``by`` is the acting principal when there is one: a request cannot revoke the very token
    it is authenticated with (that would lock the caller out halfway; use another token,
    the dashboard or the CLI).
    """
    t = db.api_tokens
    if not 0 < token_id < 2**63:
        raise InputError(f"no token {token_id}")
    if by is not None and by.token_id == token_id:
        raise InputError("a token cannot revoke itself; use another token, the dashboard or the CLI")
    with _engine(ws).begin() as conn:
        if conn.execute(sa.select(t.c.token_id).where(t.c.token_id == token_id)).first() is None:
            raise InputError(f"no token {token_id}")
        conn.execute(t.update().where((t.c.token_id == token_id) & t.c.revoked_at.is_(None)).values(revoked_at=_now()))
    return list_tokens(ws, token_id=token_id)[0]


def list_tokens(ws: Workspace, username: str | None = None, token_id: int | None = None) -> list[TokenRecord]:
    """API tokens (all, one user's, or one), oldest first: id, user, name, scopes and times — never the secret."""
    t, u = db.api_tokens, db.users
    cols = (t.c.token_id, u.c.username, t.c.name, t.c.scopes, t.c.created_at, t.c.expires_at, t.c.revoked_at,
            t.c.last_used_at)  # fmt: skip
    query = sa.select(*cols).join(u, u.c.user_id == t.c.user_id).order_by(t.c.token_id)
    if username is not None:
        query = query.where(u.c.username == username)
    if token_id is not None:
        query = query.where(t.c.token_id == token_id)
    with _engine(ws).connect() as conn:
        rows = conn.execute(query).mappings().all()
    times = ("created_at", "expires_at", "revoked_at", "last_used_at")
    return [
        TokenRecord.model_validate({**r, "scopes": list(r["scopes"]), **{k: appdb.as_utc(r[k]) for k in times}})
        for r in rows
    ]


def token_principal(ws: Workspace, secret: str) -> Principal | None:
    """The principal of a live API token; its ``last_used_at`` is kept to the minute.

    Writing the time on every request would make each API read a database write (on
    SQLite a serialised, synced transaction), so the stamp moves only when it is older than
    :data:`LAST_USED_RESOLUTION`.
    """
    t, u = db.api_tokens, db.users
    cols = (u, t.c.token_id, t.c.scopes, t.c.expires_at, t.c.revoked_at, t.c.last_used_at)
    query = sa.select(*cols).join(t, t.c.user_id == u.c.user_id)
    with _engine(ws).connect() as conn:
        row = conn.execute(query.where(t.c.token_hash == _sha(secret))).mappings().first()
    now = _now()
    if row is None or row["disabled"] or row["revoked_at"] is not None:
        return None
    if row["expires_at"] is not None and (appdb.as_utc(row["expires_at"]) or now) <= now:
        return None
    last = appdb.as_utc(row["last_used_at"])
    if last is None or now - last >= LAST_USED_RESOLUTION:
        with _engine(ws).begin() as conn:
            conn.execute(t.update().where(t.c.token_id == row["token_id"]).values(last_used_at=now))
    return _principal(row, scopes=row["scopes"])


def visible_units(ws: Workspace, who: Principal) -> frozenset[str] | None:
    """Every entity id under the principal's bound units (themselves included); None means all units."""
    if not who.scoped:
        return None
    files = tuple(Lake(ws.lake_dir).manifest().datasets.get("entities", []))
    return _subtrees(ws, files, who.units)


@lru_cache(maxsize=64)
def _subtrees(ws: Workspace, files: tuple[str, ...], roots: tuple[str, ...]) -> frozenset[str]:
    """Cached per lake snapshot of the entity tree (``files`` changes whenever entities are re-ingested)."""
    wh = Warehouse(ws)
    entities = wh.execute(wh.table("entities").select("entity_id", "parent_id"))
    children: dict[str, list[str]] = {}
    for child, parent in zip(entities["entity_id"], entities["parent_id"], strict=True):
        if isinstance(parent, str):
            children.setdefault(parent, []).append(str(child))
    seen, todo = set(roots), list(roots)
    while todo:
        for kid in children.get(todo.pop(), []):
            if kid not in seen:
                seen.add(kid)
                todo.append(kid)
    return frozenset(seen)
