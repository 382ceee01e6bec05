"""Use case: the period review — everything ``valueloop report`` shows, assembled from the other flows.

Period handling: a review covers a month, a quarter or a year; its scores are the units'
**monthly runs inside it** (the model's own grain), each the newest stored run for the
model and level, or — where none is stored — evaluated on the fly without storing. A
unit's composite and dimension scores for the period are the plain mean of its monthly
scores (equal weight per month), so a one-month review repeats the stored run exactly;
ranks are re-ranked on those means. Goal attainment needs the indicator's real value over
the period, so indicator values are computed once with a copy of the model at the
period's grain (a quarter's CSAT is the mean over the quarter's responses, not of months).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from statistics import fmean
from typing import Literal

import pandas as pd
import sqlalchemy as sa

from valueloop.diagnosis.service.diagnose import list_findings
from valueloop.errors import ValueloopError
from valueloop.evaluation.service import goals as goal_flow
from valueloop.evaluation.service.evaluate import EntityResult, check_level, evaluate
from valueloop.evaluation.service.models import load_versions, version_for_period
from valueloop.improvement.results import ActionDetail
from valueloop.improvement.service.actions_view import list_actions, show_action
from valueloop.improvement.service.roi import period_roi
from valueloop.metrics.periods import bounds_utc, first_day, label_of, next_first_day, previous
from valueloop.metrics.run import compute_values
from valueloop.reporting import data as rd
from valueloop.spec.model import Bands, Direction, EvaluationModel, Grain, Linear, Percentile, Target
from valueloop.store import appdb, tables
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace
from valueloop.voice.service.text import hotspots, lifecycle, taxonomy_of

Monthly = list[tuple[rd.MonthRun, list[EntityResult]]]
STAGES = ("emerging", "growing", "mature", "declining", "insufficient_history")
COMPOSITE_LABEL = rd.Label(id=goal_flow.COMPOSITE, zh="综合得分", en="Composite score")


def build_review(
    ws: Workspace,
    period: str,
    level: str | None = None,
    model_id: str | None = None,
    top: int = 10,
    now: datetime | None = None,
) -> rd.ReviewData:
    """Assemble the review of ``period`` (month, quarter or year) for one model at one level."""
    grain = goal_flow.grain_of(period)
    versions = load_versions(ws, model_id)
    model = version_for_period(versions, period, grain)
    level = check_level(Warehouse(ws), level) if level else model.level
    summary = build_summary(ws, model, period, grain, level)
    names = {u.entity_id: u.name for u in summary.units}
    actions = {a.action_id: show_action(ws, a.action_id) for a in list_actions(ws)}
    findings = _findings(ws, model, level, [m.period for m in summary.months], names, actions)
    voice, note = _voice(ws, [m.period for m in summary.months])
    return rd.ReviewData(
        model_id=model.id, model_name=_label(model.id, model.name.zh, model.name.en), period=period,
        grain=grain.value, level=level, generated_at=now or datetime.now(UTC), summary=summary,
        goals=goal_section(ws, model, period, grain, level, summary), findings=_top(findings, top),
        findings_total=len(findings), verification=_verification(ws, period, grain, actions), voice=voice,
        voice_note=note, roi=_roi(ws, period, grain), models=_models(versions, model, period, grain),
        methods=_methods(model),
    )  # fmt: skip


def _label(id_: str, zh: str, en: str) -> rd.Label:
    return rd.Label(id=id_, zh=zh, en=en)


def base_periods(period: str, grain: Grain, base: Grain) -> list[str]:
    """The labels at the model's grain (``base``) that make up ``period``."""
    day, end, out = first_day(period, grain), next_first_day(period, grain), []
    while day < end:
        label = label_of(day, base)
        out.append(label)
        day = next_first_day(label, base)
    return out


def build_summary(ws: Workspace, model: EvaluationModel, period: str, grain: Grain, level: str) -> rd.Summary:
    before = previous(period, grain)
    now_runs = _monthly(ws, model, level, base_periods(period, grain, model.period))
    old_runs = _monthly(ws, model, level, base_periods(before, grain, model.period))
    units, old = _means(now_runs), {u.entity_id: u for u in _means(old_runs)}
    for u in units:
        p = old.get(u.entity_id)
        if p is not None and p.score is not None:
            u.previous_score, u.previous_rank = p.score, p.rank
            u.change = u.score - p.score if u.score is not None else None
            u.rank_change = p.rank - u.rank if p.rank is not None and u.rank is not None else None
    scored = [u.score for u in units if u.score is not None]
    changes = [u.change for u in units if u.change is not None]
    return rd.Summary(
        months=[m for m, _ in now_runs], previous_period=before, previous_months=[m for m, _ in old_runs],
        dimensions=[_label(d.id, d.name.zh, d.name.en) for d in model.dimensions], units=units,
        mean_score=fmean(scored) if scored else None, mean_change=fmean(changes) if changes else None,
    )  # fmt: skip


def _monthly(ws: Workspace, model: EvaluationModel, level: str, labels: list[str]) -> Monthly:
    out: Monthly = []
    for label in labels:
        stored = _stored_run(ws, model.id, level, label)
        if stored is not None:
            out.append(stored)
            continue
        try:
            run = evaluate(ws, model.id, label, level, store=False)
        except ValueloopError:
            out.append((rd.MonthRun(period=label, source="missing"), []))
            continue
        if not any(r.score is not None for r in run.results):
            out.append((rd.MonthRun(period=label, source="missing"), []))
            continue
        out.append((rd.MonthRun(period=label, source="evaluated", version=run.version), run.results))
    return out


def _stored_run(ws: Workspace, model_id: str, level: str, label: str) -> tuple[rd.MonthRun, list[EntityResult]] | None:
    runs, res = tables.evaluation_runs, tables.evaluation_results
    query = (sa.select(runs).where((runs.c.model_id == model_id) & (runs.c.level == level) & (runs.c.period == label))
             .order_by(runs.c.created_at.desc()).limit(1))  # fmt: skip
    with appdb.engine(ws.database_url).connect() as conn:
        run = conn.execute(query).first()
        if run is None:
            return None
        rows = conn.execute(sa.select(res.c.result).where(res.c.run_id == run.run_id)).scalars().all()
    month = rd.MonthRun(period=label, source="stored", run_id=run.run_id, version=run.version)
    return month, [EntityResult.model_validate(r) for r in rows]


def _means(runs: Monthly) -> list[rd.UnitScore]:
    """Each unit's mean composite and dimension scores over the months that scored it; ranked on the mean."""
    names: dict[str, str] = {}
    scores: dict[str, list[float]] = {}
    dims: dict[str, dict[str, list[float]]] = {}
    for _, results in runs:
        for r in results:
            names[r.entity_id] = r.name
            scores.setdefault(r.entity_id, [])
            if r.score is not None:
                scores[r.entity_id].append(r.score)
            for d, v in r.dimensions.items():
                if v is not None:
                    dims.setdefault(r.entity_id, {}).setdefault(d, []).append(v)
    means = {e: fmean(s) if s else None for e, s in scores.items()}
    units = [
        rd.UnitScore(entity_id=e, name=names[e], score=m, rank=_rank(m, means), months=len(scores[e]),
                     dimensions={d: fmean(v) for d, v in dims.get(e, {}).items()})
        for e, m in means.items()
    ]  # fmt: skip
    return sorted(units, key=lambda u: (u.rank is None, u.rank or 0, u.entity_id))


def _rank(score: float | None, means: dict[str, float | None]) -> int | None:
    """Competition ranking (1, 2, 2, 4): one plus the units with a strictly higher mean."""
    if score is None:
        return None
    return 1 + sum(1 for m in means.values() if m is not None and m > score)


def goal_section(
    ws: Workspace, model: EvaluationModel, period: str, grain: Grain, level: str, summary: rd.Summary
) -> rd.GoalsSection:
    """Every goal set for ``period``, one row per unit (``*`` expands to every unit in the summary)."""
    path = goal_flow.goals_path(ws)
    goals = goal_flow.load_goals(ws, model)
    mine = [g for g in goals if g.period == period]
    units = {u.entity_id: u for u in summary.units}
    needed = {g.indicator for g in mine} - {goal_flow.COMPOSITE}
    values = _period_values(ws, model, period, grain, level) if needed else {}
    rows = []
    for g in mine:
        for entity in sorted(units) if g.entity == "*" else [g.entity]:
            unit = units.get(entity)
            direction: Literal["higher", "lower"] = "higher"
            if g.indicator == goal_flow.COMPOSITE:
                label, value = COMPOSITE_LABEL, unit.score if unit else None
            else:
                ind = model.indicator(g.indicator)
                label = _label(ind.id, ind.name.zh, ind.name.en)
                direction = "lower" if ind.direction is Direction.LOWER else "higher"
                value = values.get((entity, ind.id))
            rows.append(rd.GoalRow(
                indicator=label, entity_id=entity, name=unit.name if unit else entity, period=period,
                direction=direction, target=g.target, value=value,
                attainment=goal_flow.attainment(value, g.target, direction),
                met=goal_flow.met(value, g.target, direction),
            ))  # fmt: skip
    return rd.GoalsSection(file=str(path) if path.is_file() else None, rows=rows, other_periods=len(goals) - len(mine))


def _period_values(
    ws: Workspace, model: EvaluationModel, period: str, grain: Grain, level: str
) -> dict[tuple[str, str], float | None]:
    """(unit, indicator) → the indicator's value over the whole period (a period-grain copy of the model)."""
    values, _ = compute_values(Warehouse(ws), model.model_copy(update={"period": grain, "level": level}), [period])
    overall = values[values["segment"].isna()]
    return {
        (str(e), str(i)): (None if pd.isna(v) else float(v))
        for e, i, v in zip(overall["entity_id"], overall["indicator"], overall["value"], strict=True)
    }


def _findings(
    ws: Workspace,
    model: EvaluationModel,
    level: str,
    labels: list[str],
    names: dict[str, str],
    actions: dict[int, ActionDetail],
) -> list[rd.FindingRow]:
    """Findings of the period's months at this level, critical first, then by gap; with their actions."""
    by_finding: dict[str, list[rd.ActionRef]] = {}
    for a in actions.values():
        for link in a.links:
            if link.kind == "finding":
                by_finding.setdefault(link.ref, []).append(_action_ref(a))
    found = [f for p in labels for f in list_findings(ws, period=p)
             if f.level in (None, level) and f.model in (None, model.id)]  # fmt: skip
    found.sort(key=lambda f: (f.severity != "critical", -(f.gap_pct or 0), f.id))
    rows = []
    for f in found:
        ind = model.indicator(f.indicator) if f.indicator in {i.id for i in model.indicators} else None
        label = _label(f.indicator, ind.name.zh, ind.name.en) if ind else _label(f.indicator, f.indicator, f.indicator)
        rows.append(rd.FindingRow(
            id=f.id, entity_id=f.entity_id, name=names.get(f.entity_id, f.entity_id), indicator=label,
            period=f.period, segment=f.segment, severity=f.severity.value, rule=f.rule.value, value=f.value,
            benchmark=f.benchmark, gap_pct=f.gap_pct, n=f.n, actions=by_finding.get(f.id, []),
        ))  # fmt: skip
    return rows


def _top(rows: list[rd.FindingRow], top: int) -> list[rd.FindingRow]:
    """The ``top`` worst findings, then every other finding someone is acting on (its action is news too)."""
    return rows[:top] + [f for f in rows[top:] if f.actions]


def _action_ref(a: ActionDetail) -> rd.ActionRef:
    v = a.verification
    return rd.ActionRef(
        action_id=a.action_id,
        title=a.title,
        status=a.status_label,
        owner=a.owner,
        due_date=a.due_date,
        overdue=a.overdue,
        verification=v.verdict if v else None,
    )


def _verification(
    ws: Workspace, period: str, grain: Grain, actions: dict[int, ActionDetail]
) -> list[rd.VerificationRow]:
    """Actions whose latest verification was recorded in the period (as ``period_roi`` counts them)."""
    start, end = bounds_utc(period, grain, ws.settings.workspace.timezone)
    rows = []
    for a in actions.values():
        v = a.verification
        if v is None or not start <= v.created_at < end:
            continue
        effect = a.expected_effect
        rows.append(rd.VerificationRow(
            action_id=a.action_id, title=a.title, status=a.status_label,
            indicator=effect.indicator if effect else None, verdict=v.verdict, method=v.method,
            p_value=v.p_value, ci_low=v.ci[0], ci_high=v.ci[1], verified_at=v.created_at,
            waived=v.waived,
        ))  # fmt: skip
    return sorted(rows, key=lambda r: r.action_id)


def _voice(ws: Workspace, months: list[str]) -> tuple[rd.VoiceSection | None, str | None]:
    try:
        stages, heat = lifecycle(ws, "month"), hotspots(ws, "month", top=10)
    except (ValueloopError, ValueError, KeyError, OSError) as err:
        return None, f"{type(err).__name__}: {err}"
    names = {c.id: (c.name_zh, c.name_en) for c in taxonomy_of(ws)}
    topics = [
        rd.TopicRow(
            topic=_label(t.topic_id, t.topic, t.topic_en),
            stage=t.stage,
            share=t.share,
            growth=t.growth,
            since=t.since,
            mentions=t.mentions,
        )
        for t in stages
    ]
    topics.sort(key=lambda t: (STAGES.index(t.stage), -t.share))
    cells = [c for c in heat.category.table if c.period in months]
    cells.sort(key=lambda c: (not c.hot, -c.count))
    hot = [rd.HotRow(topic=_label(c.item, *names.get(c.item, (c.item, c.item))), period=c.period,
                     count=c.count, share=c.share, growth=c.growth, q_value=c.q_value, hot=c.hot)
           for c in cells[:15]]  # fmt: skip
    return rd.VoiceSection(texts=heat.texts, lifecycle=topics, hot=hot), None


def _roi(ws: Workspace, period: str, grain: Grain) -> rd.RoiSection:
    r = period_roi(ws, period, grain)
    rows = [rd.RoiRow(**a.model_dump(include=set(rd.RoiRow.model_fields))) for a in r.actions]
    return rd.RoiSection(
        rows=rows,
        without_valuation=r.without_valuation,
        cost=r.cost,
        benefit=r.benefit,
        benefit_ci=r.benefit_ci,
        roi=r.roi,
        roi_ci=r.roi_ci,
    )


def _models(versions: list[EvaluationModel], model: EvaluationModel, period: str, grain: Grain) -> rd.ModelSection:
    start, end = first_day(period, grain), next_first_day(period, grain)
    rows = [rd.ModelVersion(version=v.version, effective_from=v.effective_from,
                            category=v.reason.category.value if v.reason else None,
                            reason=v.reason.text if v.reason else None, in_period=start <= v.effective_from < end)
            for v in versions]  # fmt: skip
    return rd.ModelSection(in_force=model.version, versions=rows)


def _methods(model: EvaluationModel) -> rd.Methods:
    total = sum(d.weight for d in model.dimensions) or 1.0
    inds = []
    for d in model.dimensions:
        inside = sum(i.weight for i in d.indicators) or 1.0
        manual = d.weighting.method == "manual"
        inds += [rd.IndicatorMethod(
            indicator=_label(i.id, i.name.zh, i.name.en), dimension=d.id, direction=i.direction.value, unit=i.unit,
            scoring=_rule(i.scoring), benchmark=_benchmark(i.benchmark), weight=i.weight, min_n=i.min_n,
            share=d.weight / total * i.weight / inside if manual else None,
        ) for i in d.indicators]  # fmt: skip
    dims = [rd.DimensionMethod(dimension=_label(d.id, d.name.zh, d.name.en), weight=d.weight,
                               weighting=_weighting(d.weighting.method, d.weighting.objective, d.weighting.alpha))
            for d in model.dimensions]  # fmt: skip
    return rd.Methods(
        scale=model.scale.value,
        aggregation=model.aggregation,
        small_sample=model.small_sample.value,
        model_grain=model.period.value,
        indicators=inds,
        dimensions=dims,
    )


def _rule(rule: Linear | Bands | Percentile | Target) -> str:
    if isinstance(rule, Linear):
        return f"linear {rule.worst:g} → {rule.best:g}"
    if isinstance(rule, Bands):
        return "bands " + " / ".join(f"{t:g}" for t in rule.thresholds)
    if isinstance(rule, Target):
        return f"target {rule.target if rule.target is not None else 'benchmark'} (cap {rule.cap:g})"
    return "percentile"


def _benchmark(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return f"{value:g}"
    return f"per {getattr(value, 'field', 'segment')}"


def _weighting(method: str, objective: str, alpha: float) -> str:
    if method == "combined":
        return f"combined (alpha {alpha:g} × subjective + {1 - alpha:g} × {objective})"
    return method


def goal_attainment(
    ws: Workspace, period: str, level: str | None = None, model_id: str | None = None
) -> rd.GoalsSection:
    """Only the goals section (``valueloop goals show``)."""
    grain = goal_flow.grain_of(period)
    model = version_for_period(load_versions(ws, model_id), period, grain)
    level = check_level(Warehouse(ws), level) if level else model.level
    return goal_section(ws, model, period, grain, level, build_summary(ws, model, period, grain, level))


def today() -> date:
    return datetime.now(UTC).date()
