"""Use case: create a workspace and bring its app database to the newest schema."""

from __future__ import annotations

from pathlib import Path

from valueloop.store import appdb
from valueloop.store.workspace import init_workspace


def create_workspace(
    directory: Path, *, template: str = "three-dimension", database_url: str | None = None
) -> dict[str, str]:
    ws = init_workspace(directory, template=template, database_url=database_url)
    appdb.migrate(ws.database_url)
    return {
        "root": str(ws.root),
        "template": ws.settings.workspace.template,
        "lake": str(ws.lake_dir),
        "database": ws.settings.database.url,
    }
