"""``/api/v1/health`` and ``/api/v1/me``."""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from fastapi import APIRouter

from valueloop.api.deps import Authenticated, Public, WorkspaceDep

router = APIRouter(tags=["health"])


@router.get("/health")
def health(_: Public, ws: WorkspaceDep) -> dict[str, Any]:
    """Liveness: the process is up and has a workspace."""
    return {"status": "ok", "version": version("valueloop"), "workspace": ws.settings.workspace.name}


@router.get("/me")
def me(who: Authenticated) -> dict[str, Any]:
    """The caller: user, role, bound units and permissions."""
    return {"username": who.username, "role": who.role.value, "units": list(who.units),
            "permissions": sorted(p.value for p in who.permissions)}
