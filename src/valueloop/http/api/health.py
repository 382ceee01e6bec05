"""``/api/v1/health`` and ``/api/v1/me``."""

from __future__ import annotations

from importlib.metadata import version

from fastapi import APIRouter

from valueloop.http.deps import Authenticated, Public, WorkspaceDep
from valueloop.results import Result

router = APIRouter(tags=["health"])
VERSION = version("valueloop")
"""Read once: the package metadata lookup costs more than the rest of the answer."""


class Health(Result):
    status: str
    version: str
    workspace: str


class Me(Result):
    """Who the caller is: user, role, the units it is bound to (none: all) and what it may do."""

    username: str
    role: str
    units: list[str]
    permissions: list[str]


@router.get("/health")
async def health(_: Public, ws: WorkspaceDep) -> Health:
    """Liveness: the process is up and has a workspace (answered on the event loop: no thread hand-off)."""
    return Health(status="ok", version=VERSION, workspace=ws.settings.workspace.name)


@router.get("/me")
def me(who: Authenticated) -> Me:
    """The caller: user, role, bound units and permissions."""
    return Me(username=who.username, role=who.role.value, units=list(who.units),
              permissions=sorted(p.value for p in who.permissions))  # fmt: skip
