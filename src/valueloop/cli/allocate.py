"""``valueloop allocate``: a stored run's scores → traffic / exposure allocation by score band."""

from __future__ import annotations

from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr

BANDS_HELP = (
    "Score bands as threshold:multiplier, on the 1–5 scale (×20 for 0–100 runs unless a threshold is above 5); "
    "a unit without a score gets the lowest band. Default: 4.5:1.5,4.0:1.2,3.5:1.0,3.0:0.7,0:0.4."
)


def allocate(
    budget: Annotated[int, typer.Option("--budget", "-b", min=0, help="Traffic to share out (integer units).")],
    run: Annotated[str | None, typer.Option("--run", "-r", help="Run id (default: the latest run).")] = None,
    bands: Annotated[str | None, typer.Option("--bands", help=BANDS_HELP, show_default=False)] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Share a traffic budget among the units of a run by score band; the integers add up to the budget."""
    from valueloop.evaluation.service.allocate import allocate as run_allocate
    from valueloop.store.workspace import open_workspace

    table = run_allocate(open_workspace(workspace), budget, run, bands)
    rows = [r.model_dump(mode="json") for r in table.rows]
    if fmt is not Format.table:
        emit(rows, fmt)
        return
    emit(rows, fmt, title=f"{table.model} · {table.period} · run {table.run_id} · budget {table.budget}")
    legend = ", ".join(f"{b.label} ≥ {b.threshold:g} ×{b.multiplier:g}" for b in table.bands)
    stderr.print(f"bands on {table.scale}: {legend}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Add ``valueloop allocate`` to ``app``."""
    app.command("allocate")(allocate)
