"""``valueloop init``: create a workspace."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, emit, stderr


def init(
    directory: Annotated[Path, typer.Argument(help="Folder to create the workspace in.")],
    template: Annotated[str, typer.Option("--template", "-t", help="Evaluation model template.")] = "three-dimension",
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="App database URL (default: SQLite in the workspace).")
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Create a workspace: settings, models/, mappings/, the Parquet lake and the app database."""
    from valueloop.accounts.service.workspace import create_workspace

    info = create_workspace(directory, template=template, database_url=database_url, announce=stderr.print)
    if fmt is Format.table:
        stderr.print(f"[green]workspace ready[/] at {info['root']}")
    emit(info, fmt)


def register(app: typer.Typer) -> None:
    app.command("init")(init)
