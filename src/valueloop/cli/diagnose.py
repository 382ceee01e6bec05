"""``valueloop diagnose``, ``valueloop diagnose explain``, ``valueloop drivers`` and ``valueloop findings ...``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr

findings_app = typer.Typer(help="Stored diagnosis findings.", no_args_is_help=True)
diagnose_app = typer.Typer(help="Diagnose a period: benchmark, peer, deterioration and trend rules → findings.")

ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="Model id (default: the workspace's).")]
PeriodOpt = Annotated[str | None, typer.Option("--period", "-p", help="e.g. 2026-10 (default: latest).")]
COLUMNS = ["id", "severity", "entity_id", "indicator", "segment", "period", "value", "benchmark", "gap_pct", "rule"]


def _summary(f: dict[str, Any]) -> dict[str, Any]:
    return {k: f.get(k) for k in COLUMNS}


@diagnose_app.callback(invoke_without_command=True)
def diagnose(
    ctx: typer.Context,
    run: Annotated[str | None, typer.Option("--run", "-r", help="Diagnose the period of this stored run.")] = None,
    period: PeriodOpt = None,
    model: ModelOpt = None,
    level: Annotated[str | None, typer.Option("--level", "-l", help="Entity level (default: the model's).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Compute and store the period's findings (re-running replaces them)."""
    if ctx.invoked_subcommand is not None:
        return
    from valueloop.diagnosis.service.diagnose import diagnose as run_diagnose
    from valueloop.store.workspace import open_workspace

    result = run_diagnose(open_workspace(workspace), run_id=run, period=period, model_id=model, level=level)
    if fmt is Format.json:
        emit(result.model_dump(mode="json"), fmt)
        return
    rows = [_summary(f.model_dump(mode="json")) for f in result.findings]
    emit(rows, fmt, title=f"{result.model} v{result.version} · {result.period} · {result.level}", columns=COLUMNS)
    if fmt is Format.table:
        stderr.print(
            f"{result.counts['critical']} critical, {result.counts['warning']} warning; "
            "`valueloop findings show ID` gives the evidence"
        )


@diagnose_app.command("explain")
def explain(
    entity: Annotated[str, typer.Argument(help="Entity id at the model's level.")],
    period: PeriodOpt = None,
    model: ModelOpt = None,
    indicator: Annotated[
        str | None, typer.Option("--indicator", "-i", help="Rate/mean indicator to split over child units.")
    ] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Why the unit's score moved since the previous period: per-indicator contributions and child units."""
    from valueloop.diagnosis.service.diagnose import explain as run_explain
    from valueloop.store.workspace import open_workspace

    found = run_explain(open_workspace(workspace), entity, period, model, indicator)
    if fmt is Format.json:
        emit(found, fmt)
        return
    result = found.model_dump()
    head = {k: result[k] for k in ("entity_id", "previous", "period", "score_before", "score_after", "change")}
    emit(head, fmt, title=f"{result['model']} · {result['level']}")
    emit(result["contributions"], fmt, title="contributions to the change (score effect + weight effect)")
    children = result["children"]
    if children:
        emit(children["parts"], fmt, title=f"{children['indicator']} by {children['child_level']}: rate + mix effects")


def drivers(
    outcome: Annotated[str, typer.Option("--outcome", "-o", help="Outcome indicator, e.g. csat.")],
    period: PeriodOpt = None,
    periods: Annotated[int, typer.Option("--periods", "-n", help="Periods ending at --period to pool.")] = 6,
    driver: Annotated[list[str] | None, typer.Option("--driver", "-d", help="Driver indicator (repeat).")] = None,
    bootstrap: Annotated[int, typer.Option("--bootstrap", help="Bootstrap replicates (0: no intervals).")] = 200,
    seed: Annotated[int, typer.Option("--seed", help="Bootstrap seed.")] = 20060101,
    model: ModelOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Key drivers of an outcome: LMG share of R² with bootstrap intervals, mean score and IPA quadrant."""
    from valueloop.diagnosis.service.diagnose import drivers as run_drivers
    from valueloop.store.workspace import open_workspace

    result = run_drivers(open_workspace(workspace), outcome, period, periods, driver, model, bootstrap, seed)
    if fmt is Format.json:
        emit(result.model_dump(mode="json"), fmt)
        return
    emit(
        [d.model_dump(mode="json") for d in result.drivers],
        fmt,
        title=f"drivers of {result.outcome}: R² {result.r2:.3f} over {result.observations} unit-periods",
    )


def list_findings(
    period: PeriodOpt = None,
    severity: Annotated[str | None, typer.Option("--severity", "-s", help="critical or warning.")] = None,
    entity: Annotated[str | None, typer.Option("--entity", "-e", help="Only this unit.")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Stored findings, newest period first."""
    from valueloop.diagnosis.service.diagnose import list_findings as run_list
    from valueloop.store.workspace import open_workspace

    found = [f.model_dump(mode="json") for f in run_list(open_workspace(workspace), period, severity, entity)]
    if fmt is Format.json:
        emit(found, fmt)
        return
    emit([_summary(f) for f in found], fmt, columns=COLUMNS)


def show_finding(
    finding_id: Annotated[str, typer.Argument(help="Finding id (from `findings list`).")],
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """One finding with its evidence: sample ids from the lake and the SQL that reproduces the value."""
    from valueloop.diagnosis.service.diagnose import show_finding as run_show
    from valueloop.store.workspace import open_workspace

    found = run_show(open_workspace(workspace), finding_id).model_dump(mode="json")
    if fmt is Format.json:
        emit(found, fmt)
        return
    evidence = found.pop("evidence")
    emit(found, fmt, title=f"finding {finding_id}")
    for sql in evidence.get("queries", []):
        typer.echo(sql)
    if evidence.get("sample_ids"):
        stderr.print(f"sample {evidence.get('sample_field')}: {', '.join(evidence['sample_ids'])}")


def register(app: typer.Typer) -> None:
    app.add_typer(diagnose_app, name="diagnose")
    app.command("drivers")(drivers)
    findings_app.command("list")(list_findings)
    findings_app.command("show")(show_finding)
    app.add_typer(findings_app, name="findings")
