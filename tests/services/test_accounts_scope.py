"""Every role but admin and scraper may be bound to units; a bound user loses the workspace-wide permissions."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from valueloop.accounts.service.accounts import (
    ROLE_PERMISSIONS,
    WORKSPACE_WIDE,
    Permission,
    Role,
    add_user,
    list_users,
    login,
    session_principal,
)
from valueloop.accounts.service.workspace import create_workspace
from valueloop.cli.users import users_app
from valueloop.errors import InputError
from valueloop.store.workspace import Workspace, open_workspace

PASSWORD = "long enough password"


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    root = tmp_path_factory.mktemp("accounts") / "ws"
    create_workspace(root)
    return open_workspace(root)


@pytest.mark.parametrize("role", [Role.analyst, Role.auditor, Role.viewer, Role.manager])
def test_a_role_bound_to_units_is_scoped_and_loses_workspace_wide_permissions(ws: Workspace, role: Role) -> None:
    add_user(ws, f"bound-{role.value}", PASSWORD, role, ["R01"])
    who = session_principal(ws, login(ws, f"bound-{role.value}", PASSWORD, "127.0.0.1")[0])
    assert who is not None and who.scoped and who.units == ("R01",)
    assert who.permissions == ROLE_PERMISSIONS[role] - WORKSPACE_WIDE
    assert not who.can(Permission.text_read) and not who.can(Permission.metrics_read)


@pytest.mark.parametrize("role", [Role.analyst, Role.auditor, Role.viewer])
def test_an_unbound_role_sees_every_unit(ws: Workspace, role: Role) -> None:
    add_user(ws, f"free-{role.value}", PASSWORD, role)
    who = session_principal(ws, login(ws, f"free-{role.value}", PASSWORD, "127.0.0.1")[0])
    assert who is not None and not who.scoped and who.permissions == ROLE_PERMISSIONS[role]


@pytest.mark.parametrize(("role", "units"), [(Role.manager, []), (Role.admin, ["R01"]), (Role.scraper, ["R01"])])
def test_bindings_that_make_no_sense_are_refused(ws: Workspace, role: Role, units: list[str]) -> None:
    with pytest.raises(InputError, match="unit"):
        add_user(ws, f"odd-{role.value}", PASSWORD, role, units)


def test_auditors_may_plan_audits_and_differ_from_viewers() -> None:
    assert Permission.audits_write in ROLE_PERMISSIONS[Role.auditor]
    assert Permission.audits_write not in ROLE_PERMISSIONS[Role.viewer]
    assert ROLE_PERMISSIONS[Role.auditor] != ROLE_PERMISSIONS[Role.viewer]
    assert ROLE_PERMISSIONS[Role.scraper] == {Permission.metrics_read, Permission.authenticated}


def test_the_cli_binds_a_viewer_to_a_unit(ws: Workspace, tmp_path: Path) -> None:
    args = ["add", "cli-viewer", "--role", "viewer", "--unit", "R01", "--password", PASSWORD,
            "--workspace", str(ws.root)]  # fmt: skip
    result = CliRunner().invoke(users_app, args)
    assert result.exit_code == 0, result.output
    row = next(u for u in list_users(ws) if u.username == "cli-viewer")
    assert row.role == "viewer" and list(row.units) == ["R01"]
