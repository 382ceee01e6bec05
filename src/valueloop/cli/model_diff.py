"""``valueloop models diff``: how a new model version would re-rank the units of a period."""

from __future__ import annotations

from typing import Annotated

import typer

from valueloop.cli.evaluate import PeriodOpt, models_app
from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit


def diff(
    model: Annotated[str, typer.Argument(help="Model id.")],
    v_from: Annotated[int, typer.Option("--from", help="Version to compare from.")],
    v_to: Annotated[int, typer.Option("--to", help="Version to compare to.")],
    period: PeriodOpt = None,
    level: Annotated[str | None, typer.Option("--level", "-l", help="Entity level (default: the model's).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Score one period under two versions (nothing stored): rank correlations and the biggest movers."""
    from valueloop.evaluation.service.model_diff import diff_versions
    from valueloop.store.workspace import open_workspace

    result = diff_versions(open_workspace(workspace), model, v_from, v_to, period, level)
    data = result.model_dump(mode="json", by_alias=True)
    if fmt is Format.json:
        emit(data, fmt)
        return
    movers = data["movers"]
    if fmt is Format.csv:
        emit(movers, fmt, columns=["entity_id", "name", "rank_from", "rank_to", "change"])
        return
    summary = {k: data[k] for k in ("model", "period", "from", "to", "compared", "spearman", "kendall")}
    emit(summary, fmt, title="ranking agreement")
    emit(data["units"], fmt, title="score change per unit")
    emit(
        movers,
        fmt,
        title="movers (rank change, + = up)",
        columns=["entity_id", "name", "rank_from", "rank_to", "change"],
    )


def register(app: typer.Typer) -> None:
    """Add ``diff`` to the ``models`` group (the group itself is added by :mod:`valueloop.cli.evaluate`).

    ``models_app`` is a module-level group shared by every app built in a process (tests build
    several), so the command is added once.
    """
    if not any(c.name == "diff" for c in models_app.registered_commands):
        models_app.command("diff")(diff)
