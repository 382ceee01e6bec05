"""``/api/v1/health`` and ``/api/v1/me``."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from fastapi import APIRouter

from valueloop.http.deps import Authenticated, Public, WorkspaceDep

router = APIRouter(tags=["health"])
VERSION = version("valueloop")
"""Read once: the package metadata lookup costs more than the rest of the answer."""


@router.get("/health")
async def health(_: Public, ws: WorkspaceDep) -> dict[str, Any]:
    """Liveness: the process is up and has a workspace (answered on the event loop: no thread hand-off)."""
    return {"status": "ok", "version": VERSION, "workspace": ws.settings.workspace.name}


@router.get("/me")
def me(who: Authenticated) -> dict[str, Any]:
    """The caller: user, role, bound units and permissions."""
    return {"username": who.username, "role": who.role.value, "units": list(who.units),
            "permissions": sorted(p.value for p in who.permissions)}
