"""``valueloop evaluate``, ``valueloop models ...`` and ``valueloop scores show``."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from valueloop.cli.output import Format, FormatOpt, WorkspaceOpt, emit, stderr

models_app = typer.Typer(help="Evaluation models: validate, list, compare versions.", no_args_is_help=True)
scores_app = typer.Typer(help="Scores of stored evaluation runs.", no_args_is_help=True)

ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="Model id (default: the workspace's).")]
PeriodOpt = Annotated[str | None, typer.Option("--period", "-p", help="e.g. 2026-10, 2026-Q3 (default: latest).")]


def evaluate(
    model: ModelOpt = None,
    period: PeriodOpt = None,
    level: Annotated[
        str | None,
        typer.Option("--level", "-l", help="Level to score: an entity type, or field:NAME (default: the model's)."),
    ] = None,
    version: Annotated[int | None, typer.Option("--version", help="Score under this model version (what-if).")] = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """Score every unit for a period, store the run and print the ranking."""
    from valueloop.evaluation.service.evaluate import evaluate as run_evaluate
    from valueloop.store.workspace import open_workspace

    run = run_evaluate(open_workspace(workspace), model, period, level, version)
    if fmt is Format.json:
        emit(run.model_dump(mode="json"), fmt)
        return
    rows = [_row(r.model_dump()) for r in run.results]
    title = f"{run.model} v{run.version} · {run.period} · {run.level} · run {run.run_id}"
    emit(rows, fmt, title=title)
    if fmt is Format.table:
        stderr.print(f"{len(rows)} units scored on {run.scale}; `valueloop scores show ENTITY` drills down")


def _row(r: dict[str, Any]) -> dict[str, Any]:
    worst = max(r["points_lost"].items(), key=lambda kv: kv[1])[0] if r["points_lost"] else None
    return {
        "rank": r["rank"],
        "entity_id": r["entity_id"],
        "name": r["name"],
        "score": r["score"],
        "percentile": r["percentile"],
        "change": r["change"],
        **r["dimensions"],
        "fix_first": worst,
    }


def validate(workspace: WorkspaceOpt = None) -> None:
    """Check every model file; list every problem with file, line and YAML path."""
    from valueloop.errors import SpecError
    from valueloop.evaluation.service.models import model_files, validate_workspace_models
    from valueloop.store.workspace import open_workspace

    ws = open_workspace(workspace)
    problems = validate_workspace_models(ws)
    if problems:
        raise SpecError("\n".join(problems))
    stderr.print(f"[green]{len(model_files(ws))} model file(s) valid[/]")


def list_models(workspace: WorkspaceOpt = None, fmt: FormatOpt = Format.table) -> None:
    """Models and versions in the workspace."""
    from valueloop.evaluation.service.models import model_files
    from valueloop.spec.model_loader import load_model
    from valueloop.store.workspace import open_workspace

    rows = []
    for f in model_files(open_workspace(workspace)):
        m = load_model(f)
        rows.append(
            {
                "model": m.id,
                "version": m.version,
                "effective_from": m.effective_from.isoformat(),
                "level": m.level,
                "period": m.period.value,
                "indicators": len(m.indicators),
                "reason": f"[{m.reason.category.value}] {m.reason.text}" if m.reason else "",
                "file": f.name,
            }
        )
    emit(rows, fmt)


def show(
    entity: Annotated[str, typer.Argument(help="Entity id.")],
    period: PeriodOpt = None,
    model: ModelOpt = None,
    workspace: WorkspaceOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """One unit's scores: dimensions, every indicator (value, benchmark, score, n, flag) and points lost."""
    from valueloop.evaluation.service.scores import entity_scores
    from valueloop.store.workspace import open_workspace

    scores = entity_scores(open_workspace(workspace), entity, period, model)
    if fmt is Format.json:
        emit(scores, fmt)
        return
    detail = scores.model_dump()
    head = {k: detail[k] for k in ("entity_id", "name", "period", "score", "rank", "percentile", "change")}
    emit(head, fmt, title=f"{detail['model']} run {detail['run_id']}")
    emit(detail["indicator_rows"], fmt, title="indicators (sorted by points lost)")


def register(app: typer.Typer) -> None:
    app.command("evaluate")(evaluate)
    models_app.command("validate")(validate)
    models_app.command("list")(list_models)
    scores_app.command("show")(show)
    app.add_typer(models_app, name="models")
    app.add_typer(scores_app, name="scores")
