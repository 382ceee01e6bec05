"""``valueloop users add|list|disable`` and ``valueloop tokens create|list|revoke``."""

from __future__ import annotations

from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr

users_app = typer.Typer(help="People who may sign in to the dashboard and the API.", no_args_is_help=True)
tokens_app = typer.Typer(help="API bearer tokens (shown once, stored hashed).", no_args_is_help=True)


UNIT_HELP = "Entity id the user is bound to, with its subtree (a manager needs one; analyst, auditor, viewer may)."


@users_app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="admin, analyst, manager, auditor, viewer or scraper.")] = "viewer",
    unit: Annotated[list[str] | None, typer.Option(help=UNIT_HELP)] = None,
    password: Annotated[str | None, typer.Option(envvar="VALUELOOP_NEW_PASSWORD", help="Else prompted.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add a user (the password is prompted for unless given)."""
    from valueloop.accounts.service.accounts import Role, add_user
    from valueloop.errors import InputError
    from valueloop.store.workspace import open_workspace

    if role not in Role.__members__:
        raise InputError(f"unknown role {role!r}; one of {', '.join(Role.__members__)}")
    secret = password or typer.prompt("password", hide_input=True, confirmation_prompt=True)
    uid = add_user(open_workspace(workspace), username, secret, Role(role), unit or [])
    stderr.print(f"added user {username} (id {uid}, role {role})")


@users_app.command("list")
def list_(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Every user, with role, bound units and whether disabled."""
    from valueloop.accounts.service.accounts import list_users
    from valueloop.store.workspace import open_workspace

    emit(
        list_users(open_workspace(workspace)),
        fmt,
        columns=["user_id", "username", "role", "units", "disabled", "created_at", "last_login_at"],
    )


@users_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="Login name.")], workspace: WorkspaceOpt = None) -> None:
    """Disable a user: sessions end at once, tokens stop working."""
    from valueloop.accounts.service.accounts import disable_user
    from valueloop.store.workspace import open_workspace

    disable_user(open_workspace(workspace), username)
    stderr.print(f"disabled {username}")


@tokens_app.command("create")
def create(
    username: Annotated[str, typer.Argument(help="Whose token (it never has more rights than the user).")],
    name: Annotated[str, typer.Option(help="What the token is for.")] = "api",
    scope: Annotated[
        list[str] | None, typer.Option(help="Permission, e.g. scores:read; repeatable (default: all).")
    ] = None,
    expires_days: Annotated[int, typer.Option(help="Days until it expires (0 = never).")] = 90,
    workspace: WorkspaceOpt = None,
) -> None:
    """Create a token and print it once; only its SHA-256 is stored."""
    from valueloop.accounts.service.accounts import create_token
    from valueloop.store.workspace import open_workspace

    tid, secret = create_token(open_workspace(workspace), username, name, scope or [], expires_days or None)
    stderr.print(f"token {tid} for {username}; copy it now, it is not shown again:")
    typer.echo(secret)


@tokens_app.command("list")
def list_tokens(
    username: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Every API token: whose, what for, scopes and times (never the secret)."""
    from valueloop.accounts.service.accounts import list_tokens as tokens
    from valueloop.store.workspace import open_workspace

    emit(
        tokens(open_workspace(workspace), username),
        fmt,
        columns=["token_id", "username", "name", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"],
    )


@tokens_app.command("revoke")
def revoke(token_id: Annotated[int, typer.Argument(help="Token id.")], workspace: WorkspaceOpt = None) -> None:
    """Revoke a token at once."""
    from valueloop.accounts.service.accounts import revoke_token
    from valueloop.store.workspace import open_workspace

    revoke_token(open_workspace(workspace), token_id)
    stderr.print(f"revoked token {token_id}")


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")
    app.add_typer(tokens_app, name="tokens")
