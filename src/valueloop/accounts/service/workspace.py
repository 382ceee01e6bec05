"""Use case: create a workspace with its evaluation model template, app database at the newest schema."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from valueloop.accounts.service.accounts import ensure_first_admin
from valueloop.evaluation.service.models import install_template, template_path
from valueloop.store import appdb
from valueloop.store.workspace import init_workspace
from valueloop.surveys.service.catalog import install_starter_surveys


def create_workspace(
    directory: Path,
    *,
    template: str = "three-dimension",
    database_url: str | None = None,
    announce: Callable[[str], None] | None = None,
) -> dict[str, str]:
    """Create (or complete) a workspace; an unknown template fails before anything is created.

    The starter surveys are copied into ``surveys/``. The first admin account is created too; its
    password (``VALUELOOP_ADMIN_PASSWORD`` or a generated one) goes to ``announce`` once and is
    stored only as a hash.
    """
    template_path(template)
    ws = init_workspace(directory, template=template, database_url=database_url)
    appdb.migrate(ws.database_url)
    model = install_template(ws, template)
    install_starter_surveys(ws)  # the after-service survey, ready to adapt and send
    ensure_first_admin(ws, announce)
    return {
        "root": str(ws.root),
        "template": ws.settings.workspace.template,
        "model": str(model),
        "lake": str(ws.lake_dir),
        "database": ws.settings.database.url,
    }
