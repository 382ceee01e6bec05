"""``valueloop people`` and ``valueloop audits``: scorecards, bot resolution, mystery-shopper audits.

A thin adapter over :mod:`valueloop.flows.people`. JSON shapes:

* ``audits plan``: ``{"year", "seed", "level", "slots", "auditor_source", "auditors": [...],
  "visits": [{"audit_id", "entity_id", "auditor_id", "date", "slot"}], "file"}``;
  ``auditor_source`` is ``staff`` or ``default`` (see :mod:`valueloop.people.auditors`).
* ``audits verify``: ``[{"audit_id", "check", "detail"}]`` (exit 1 when any problem).
* ``audits calibration``: ``[{"calibration_id", "entity_id", "auditors", "items",
  "alpha_nominal", "fleiss_kappa", "cohen_kappa"?, "alpha_ordinal"?, "verdict"}]``.
* ``audits checklist FILE``: the validated checklist, or every problem with file:line (exit 2).
* ``people bot-resolution``: ``[{group…, "routine", "resolved", "returned_to_human", "rate",
  "target", "meets_target"}]``.
* ``people scorecards``: ``{"period", "model", "method", "indicators", "scorecards": [{"agent_id",
  "name", "team_id", "score", "rank", "grade", "incentive", "indicators"}], "file"}``.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Annotated

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr
from valueloop.people.checklist import load_checklist
from valueloop.store.workspace import open_workspace


def _flows() -> ModuleType:
    """The use cases, imported on first use so ``valueloop --help`` stays fast."""
    from valueloop.flows import people

    return people


def register(app: typer.Typer) -> None:
    """Add the ``people`` and ``audits`` command groups to ``app``."""
    people = typer.Typer(help="Staff scorecards, grades and bot resolution.", no_args_is_help=True)
    people.command("scorecards")(scorecards)
    people.command("bot-resolution")(bot_resolution)
    audits = typer.Typer(
        help="Mystery-shopper audits: plans, checklists, verification, calibration.", no_args_is_help=True
    )
    audits.command("plan")(plan)
    audits.command("verify")(verify)
    audits.command("calibration")(calibration)
    audits.command("checklist")(checklist)
    app.add_typer(people, name="people")
    app.add_typer(audits, name="audits")


def plan(
    visits: Annotated[int, typer.Option("--visits", min=0, help="Visits in the year.")] = 2000,
    year: Annotated[int, typer.Option("--year", help="Calendar year of the plan.")] = 2027,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same plan.")] = 7,
    level: Annotated[str, typer.Option("--level", help="Entity type to visit.")] = "branch",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Plan unannounced visits: stratified over units, months, weekdays and slots, within auditor capacity."""
    doc = _flows().audit_plan(open_workspace(workspace), visits=visits, year=year, seed=seed, level=level)
    if doc["auditor_source"] == "default":
        stderr.print(f"no auditors in the staff dataset: using the default pool of {len(doc['auditors'])}")
    stderr.print(f"plan saved to {doc['file']}")
    emit(doc if fmt is Format.json else doc["visits"], fmt, title=f"audit plan {year}")


def verify(
    min_minutes: Annotated[float, typer.Option("--min-minutes", help="Shortest believable visit.")] = 10.0,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Check recorded visits: minimum duration, opening hours, re-used photos."""
    problems = _flows().verify_audits(open_workspace(workspace), min_minutes=min_minutes)
    emit(problems, fmt, columns=["audit_id", "check", "detail"])
    if problems:
        raise typer.Exit(1)


def calibration(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Agreement of auditors on calibration visits (Krippendorff's alpha, Fleiss' and Cohen's kappa)."""
    emit(_flows().calibration(open_workspace(workspace)), fmt, title="calibration")


def checklist(
    file: Annotated[Path, typer.Argument(help="Checklist YAML file.", show_default=False)],
    fmt: FormatOpt = Format.table,
) -> None:
    """Validate a checklist: weights sum to 1, items well formed; every problem with file:line."""
    c = load_checklist(file)
    emit(c.model_dump(mode="json") if fmt is Format.json else [i.model_dump(mode="json") for i in c.items], fmt)


def bot_resolution(
    period: Annotated[str | None, typer.Option("--period", help="Period label, e.g. 2026-09.")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Group by a column, e.g. entity_id.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Routine questions resolved by the bot (a return to a human within 7 days is not resolved)."""
    emit(_flows().bot_resolution_rate(open_workspace(workspace), period=period, by=by), fmt, title="bot resolution")


def scorecards(
    period: Annotated[str | None, typer.Option("--period", help="Period label (default: the latest).")] = None,
    model: Annotated[str | None, typer.Option("--model", help="Model id.")] = None,
    method: Annotated[str, typer.Option("--method", help="absolute (thresholds) or forced (quotas).")] = "absolute",
    thresholds: Annotated[
        str, typer.Option("--thresholds", help="Minimum points (0–100) per grade, best first.")
    ] = "A=90,B=80,C=70,D=0",
    quotas: Annotated[
        str, typer.Option("--quotas", help="Share per grade for forced distribution.")
    ] = "A=0.2,B=0.7,C=0.1",
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Agent scorecards on controllable indicators, with grades and incentive coefficients."""
    if method not in ("absolute", "forced"):
        raise typer.BadParameter("--method must be absolute or forced")
    doc = _flows().scorecards(
        open_workspace(workspace),
        period=period,
        model_id=model,
        method=method,
        thresholds=list(_pairs(thresholds).items()),
        quotas=_pairs(quotas),
    )
    stderr.print(f"exported to {doc['file']}")
    cols = ["agent_id", "name", "team_id", "score", "points", "rank", "grade", "incentive"]
    emit(
        doc if fmt is Format.json else doc["scorecards"],
        fmt,
        title=f"scorecards {doc['period']}",
        columns=None if fmt is Format.json else cols,
    )


def _pairs(text: str) -> dict[str, float]:
    """``"A=0.2,B=0.7"`` → ``{"A": 0.2, "B": 0.7}`` (order kept)."""
    try:
        return {k.strip(): float(v) for k, v in (p.split("=", 1) for p in text.split(",") if p.strip())}
    except ValueError:
        raise typer.BadParameter(f"expected GRADE=NUMBER,… got {text!r}") from None
