"""``valueloop init``: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, emit, stderr


def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    template: Annotated[
        str,
        typer.Option(
            "--template",
            "-t",
            help="Evaluation model template, or an industry (ecommerce, hospitality, banking, repair, healthcare):"
            " the default model plus that industry's starter taxonomy.",
        ),
    ] = "three-dimension",
    taxonomy: Annotated[
        str | None,
        typer.Option("--taxonomy", help="Starter taxonomy to copy in as taxonomy.yaml (see text taxonomy list)."),
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="App database URL (default: SQLite in the workspace).")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Create a workspace: settings, models/, mappings/, the Parquet lake and the app database."""
    from valueloop.accounts.service.workspace import create_workspace
    from valueloop.store.workspace import open_workspace
    from valueloop.voice.service.taxonomies import use_taxonomy
    from valueloop.voice.taxonomy import shipped_name

    industry = shipped_name(template)
    if industry is not None:
        # a workspace template that is also an industry (call-centre) keeps its own models and data
        # shapes and gains the industry's taxonomy; a bare industry name gets the default model
        taxonomy = taxonomy or industry
        if not _is_template(template):
            template = "three-dimension"
    if taxonomy is not None and shipped_name(taxonomy) is None:
        raise typer.BadParameter(f"unknown starter taxonomy {taxonomy!r} (see valueloop text taxonomy list)")
    info = create_workspace(directory, template=template, database_url=database_url, announce=stderr.print)
    if taxonomy is not None:
        ws = open_workspace(Path(info["root"]))
        if (ws.root / "taxonomy.yaml").exists():
            stderr.print(f"kept the workspace's own {ws.root / 'taxonomy.yaml'}")
        else:
            info["taxonomy"] = use_taxonomy(ws, taxonomy).path
    if fmt is Format.table:
        stderr.print(f"[green]workspace ready[/] at {info['root']}")
    emit(info, fmt)


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def _is_template(name: str) -> bool:
    from valueloop.errors import ValueloopError
    from valueloop.evaluation.service.models import template_path

    try:
        template_path(name)
    except (ValueloopError, OSError):
        return False
    return True
