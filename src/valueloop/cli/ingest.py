"""``valueloop ingest``, ``valueloop mappings`` and ``valueloop quarantine``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr

mappings_app = typer.Typer(help="Source column mappings.", no_args_is_help=True)
quarantine_app = typer.Typer(help="Rows that failed checks, with their reasons.", no_args_is_help=True)


def ingest(
    dataset: Annotated[str, typer.Argument(help="Dataset: canonical (feedback …) or the workspace's own.")],
    files: Annotated[list[Path], typer.Argument(help="CSV, XLSX, Parquet, JSON or JSON Lines files.")],
    mapping: Annotated[Path | None, typer.Option("--mapping", "-m", help="Mapping YAML.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Validate files and store them in the lake; bad rows go to quarantine with their reasons."""
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from valueloop.ingest.service.ingest import distinct_files
    from valueloop.ingest.service.ingest import ingest as run_ingest
    from valueloop.store.workspace import open_workspace

    files, repeats = distinct_files(files)
    for f in repeats:
        stderr.print(f"{f}: the same file is given more than once; it is read once")
    ws = open_workspace(workspace)
    # a progress line is for a person at a terminal; in a pipe or log it would only leave a blank line
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=not stderr.is_terminal,
    ) as bar:
        task = bar.add_task(f"ingest {dataset}")

        def show(file: str, rows: int) -> None:
            bar.update(task, description=f"ingest {dataset}: {Path(file).name} {rows:,} rows")

        summary = run_ingest(ws, dataset, files, mapping, progress=show)
    data = summary.model_dump(mode="json")
    if fmt is Format.json:
        emit(data, fmt)
        return
    counts = {k: data[k] for k in ("dataset", "read", "stored", "updated", "duplicates", "quarantined", "errors_total")}
    emit(counts, fmt, title=f"batch {summary.batch_id}")
    if summary.content_key:
        stderr.print(f"no {summary.content_key} column: each row's key is a hash of its content")
    if summary.errors:
        emit(data["errors"][:20], fmt, title="first errors")


def suggest(
    file: Annotated[Path, typer.Argument(help="A source file whose header to read.")],
    dataset: Annotated[str, typer.Argument(help="The canonical dataset it feeds.")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the mapping YAML here.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="XLSX: the sheet to read.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Propose a mapping from a file's header (Chinese and English column names) and sample values.

    Inside a workspace (or with ``--workspace``) its own datasets can be the target too.
    """
    from valueloop.errors import WorkspaceError
    from valueloop.ingest.suggest import suggest_mapping
    from valueloop.spec.datasets import DATASETS
    from valueloop.store.workspace import open_workspace

    try:
        datasets = open_workspace(workspace).datasets
    except WorkspaceError:
        if workspace is not None:
            raise
        datasets = dict(DATASETS)
    text = suggest_mapping(file, dataset, sheet, datasets=datasets)
    if out:
        out.write_text(text, encoding="utf-8")
        stderr.print(f"mapping written to {out}")
    else:
        typer.echo(text, nl=False)


def q_list(
    dataset: Annotated[str | None, typer.Option("--dataset", "-d")] = None,
    batch: Annotated[str | None, typer.Option("--batch", "-b")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n")] = 50,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Quarantined rows: one line per problem (file, row, field, reason)."""
    from valueloop.ingest.service.quarantine import list_quarantine
    from valueloop.store.workspace import open_workspace

    emit(
        list_quarantine(open_workspace(workspace), dataset, batch, limit),
        fmt,
        columns=["dataset", "batch_id", "file", "row", "field", "reason"],
    )


def q_show(
    batch: Annotated[str, typer.Argument(help="Batch id (from `quarantine list`).")],
    row: Annotated[int | None, typer.Option("--row", "-r", help="Only this source row.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The quarantined rows of one batch with their original values and every reason."""
    from valueloop.ingest.service.quarantine import show_quarantine
    from valueloop.store.workspace import open_workspace

    emit(show_quarantine(open_workspace(workspace), batch, row), fmt)


def q_export(
    dataset: Annotated[str, typer.Argument(help="Dataset whose quarantine to export.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="CSV to write (UTF-8 with BOM, opens in Excel).")],
    batch: Annotated[str | None, typer.Option("--batch", "-b")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Write quarantined rows with their original columns, to fix and ingest again with the same mapping."""
    from valueloop.ingest.service.quarantine import export_quarantine
    from valueloop.store.workspace import open_workspace

    n = export_quarantine(open_workspace(workspace), dataset, out, batch)
    stderr.print(
        f"{n} rows written to {out}; fix them and run `valueloop ingest {dataset} {out}` (with the same --mapping)"
    )


def q_clear(
    dataset: Annotated[str, typer.Argument()],
    batch: Annotated[str | None, typer.Option("--batch", "-b", help="Only this batch.")] = None,
    workspace: WorkspaceOpt = None,
) -> None:
    """Drop quarantined rows once they have been fixed and re-ingested."""
    from valueloop.ingest.service.quarantine import clear_quarantine
    from valueloop.store.workspace import open_workspace

    n = clear_quarantine(open_workspace(workspace), dataset, batch)
    stderr.print(f"{n} quarantine records cleared")


def datasets(
    name: Annotated[str | None, typer.Argument(help="Show this dataset's fields.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """The datasets this workspace knows: canonical, its own (datasets/*.yaml) and their own fields."""
    from valueloop.spec.datasets import TYPE_NAMES
    from valueloop.spec.registry import lookup
    from valueloop.store.workspace import open_workspace

    known = open_workspace(workspace).datasets
    if name is None:
        rows = [{"dataset": d.name, "own": d.own, "key": ", ".join(d.key), "time_field": d.time_field or "",
                 "units": ", ".join(d.units), "own_fields": ", ".join(d.extras), "derived": d.derived}
                for d in known.values()]  # fmt: skip
        emit(rows, fmt)
        return
    ds = lookup(known, name)
    rows = [{"field": f.name, "type": TYPE_NAMES[f.kind], "required": f.required, "key": f.name in ds.key,
             "own_field": f.name in ds.extras, "doc": f.doc} for f in ds.fields]  # fmt: skip
    emit(rows, fmt, title=f"{ds.name}: {ds.doc}")


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("datasets")(datasets)
    mappings_app.command("suggest")(suggest)
    quarantine_app.command("list")(q_list)
    quarantine_app.command("show")(q_show)
    quarantine_app.command("export")(q_export)
    quarantine_app.command("clear")(q_clear)
    app.add_typer(mappings_app, name="mappings")
    app.add_typer(quarantine_app, name="quarantine")
