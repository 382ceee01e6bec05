"""One error tree for valueloop.

Every error a user can cause or meet derives from :class:`ValueloopError` and carries
the HTTP status and the CLI exit code it maps to, so adapters never guess.
Each layer has its own subclass, mixed with the builtin it refines.
"""

from __future__ import annotations


class ValueloopError(Exception):
    """Root of every valueloop error."""

    http_status: int = 500
    exit_code: int = 1


class SpecError(ValueError, ValueloopError):
    """A model, mapping or other YAML spec is invalid (bad input)."""

    http_status = 422
    exit_code = 2


class InputError(ValueError, ValueloopError):
    """A source file or argument cannot be used at all (missing, unreadable, wrong shape)."""

    http_status = 400
    exit_code = 2


class WorkspaceError(ValueloopError):
    """The workspace is missing or not initialised."""

    http_status = 404
    exit_code = 2


class StoreError(ValueloopError):
    """The lake or the app database failed to do its job."""

    http_status = 500
    exit_code = 1


class AuthError(PermissionError, ValueloopError):
    """Not signed in, or the credentials are wrong, expired or revoked."""

    http_status = 401
    exit_code = 2


class RateLimited(AuthError):
    """Too many failed logins for this user from this address; wait and try again."""

    http_status = 429


class AccessDenied(PermissionError, ValueloopError):
    """Signed in, but the role (or the token's scopes) does not allow this."""

    http_status = 403
    exit_code = 2


class NotFound(LookupError, ValueloopError):
    """The item does not exist or is outside the caller's units (the two are not told apart)."""

    http_status = 404
    exit_code = 2


class TooLarge(InputError):
    """A request body or upload is larger than the server accepts."""

    http_status = 413


class TransitionError(InputError):
    """A move the improvement workflow does not allow, or one that lacks the evidence it needs."""
