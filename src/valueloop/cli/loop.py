"""``valueloop verify action`` and ``valueloop actions roi``: where verification meets the action workflow."""

from __future__ import annotations

from typing import Annotated

import typer

from valueloop.cli.actions import actions_app
from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit

ActionArg = Annotated[int, typer.Argument(help="Action id.")]


def verify_action(
    action: ActionArg,
    assignment: Annotated[
        str | None, typer.Option(help="SQL condition true for the treatment arm (i = interaction); kept for re-runs.")
    ] = None,
    scope: Annotated[str, typer.Option(help="SQL condition selecting the interactions in the test.")] = "TRUE",
    outcome: Annotated[str, typer.Option(help="Feedback field measured.")] = "csat",
    feedback_kind: Annotated[str, typer.Option(help="Feedback kind measured.")] = "survey",
    unit: Annotated[str, typer.Option(help="Randomisation unit (outcomes are averaged per unit).")] = "i.customer_id",
    alpha: Annotated[float, typer.Option(min=1e-6, max=0.5)] = 0.05,
    by: Annotated[str, typer.Option("--by", help="Who records the verdict.")] = "valueloop",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Run the action's A/B verification on the lake data and write the verdict back to the action."""
    from valueloop.store.workspace import open_workspace
    from valueloop.verification.service.experiment import LakeExperiment
    from valueloop.verification.service.experiment import verify_action as run

    exp = None
    if assignment is not None:
        exp = LakeExperiment(
            assignment=assignment, scope=scope, outcome=outcome, feedback_kind=feedback_kind, unit=unit
        )
    emit(run(open_workspace(workspace), action, exp, by, alpha), fmt)


def roi(
    action: Annotated[int | None, typer.Argument(help="Action id (omit with --period).")] = None,
    value_per_unit: Annotated[
        float | None, typer.Option(help="Money per unit of effect (e.g. ¥ per CSAT point); remembered.")
    ] = None,
    units: Annotated[float | None, typer.Option(help="Units the effect applies to (customers, orders, ...).")] = None,
    period: Annotated[str | None, typer.Option(help="All actions verified in this quarter, e.g. 2026-Q3.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Return on investment of a verified action, or of all actions verified in a quarter, with intervals."""
    from valueloop.errors import InputError
    from valueloop.improvement.service.roi import action_roi, period_roi, save_parameters
    from valueloop.store.workspace import open_workspace

    ws = open_workspace(workspace)
    if period is not None:
        emit(period_roi(ws, period), fmt)
        return
    if action is None or value_per_unit is None or units is None:
        raise InputError("give ACTION with --value-per-unit and --units, or --period")
    result = action_roi(ws, action, value_per_unit, units)
    save_parameters(ws, action, value_per_unit, units)
    emit(result, fmt)


def register(app: typer.Typer) -> None:
    """``actions roi``; ``verify action`` is added by :mod:`valueloop.cli.verify`."""
    del app
    actions_app.command("roi")(roi)
