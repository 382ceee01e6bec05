"""The end-to-end demo: what `make demo` runs.

Creates a workspace, generates the seeded demo data, and takes it through every stage
of the loop that exists so far, ending with the inner loop (surveys after service, answered,
detractors followed up: :mod:`valueloop.demo.inner_loop`). The organisation tree arrives the way it does in real
life, as a GBK-encoded Excel-style CSV with Chinese column names, through a mapping
file, so the demo exercises the same path a user's CRM export takes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from valueloop.accounts.service.workspace import create_workspace
from valueloop.demo.generate import generate
from valueloop.demo.inner_loop import run_inner_loop
from valueloop.diagnosis.service.diagnose import diagnose
from valueloop.evaluation.service.evaluate import EvaluationRun, evaluate, latest_period
from valueloop.evaluation.service.models import install_template, load_versions
from valueloop.improvement.service.actions import accept_handoff, create_action, move_action, send_handoff
from valueloop.improvement.service.roi import action_roi
from valueloop.improvement.workflow import Status
from valueloop.ingest.service.ingest import ingest
from valueloop.metrics.periods import previous
from valueloop.people.service.audits import audit_plan
from valueloop.people.service.performance import benchmark_awards
from valueloop.people.service.risk import queue as risk_queue
from valueloop.people.service.risk import train as train_risk
from valueloop.spec.model import Grain
from valueloop.store.warehouse import Warehouse
from valueloop.store.workspace import Workspace, open_workspace
from valueloop.verification.service.experiment import LakeExperiment, verify_action
from valueloop.voice.service.text import analyze_feedback, lifecycle

Log = Callable[[str], None]
ORDER = (
    "entities",
    "customers",
    "interactions",
    "interaction_steps",
    "feedback",
    "events",
    "orders",
    "survey_items",
    "staff",
    "audits",
    "audit_items",
    "training",
    "conversations",
    "qa_reviews",
)
ENTITY_HEADERS = {
    "entity_id": "机构编号",
    "name": "机构名称",
    "type": "层级",
    "parent_id": "上级机构",
    "industry": "行业",
    "region": "区域",
}
LEVEL_NAMES = {"company": "总公司", "region": "大区", "branch": "分行", "team": "班组", "agent": "坐席"}
ENTITY_MAPPING = """# 组织架构导出（GBK 编码，中文列名）→ entities
dataset: entities
encoding: auto
fields:
  entity_id: 机构编号
  name: 机构名称
  type: {column: 层级, values: {总公司: company, 大区: region, 分行: branch, 班组: team, 坐席: agent}}
  parent_id: 上级机构
  industry: 行业
  region: 区域
"""


def run_demo(out: Path, *, interactions: int = 150_000, seed: int = 7, log: Log = print) -> dict[str, Any]:
    """Build the demo workspace at ``out``, take it through every stage built so far, return what is there."""
    create_workspace(out, announce=log)
    ws = open_workspace(out)
    source = out / "source-data"
    log(f"generating demo data ({interactions:,} interactions, seed {seed}) into {source}")
    paths = generate(source, interactions=interactions, seed=seed, progress=log)
    rows = _ingest_all(ws, paths, source, log)
    analysed = analyze_feedback(ws)
    log(f"text analysis: {analysed.stored:,} feedback texts → feedback_text (sentiment, topics, aspects)")
    install_template(ws, "voice-of-customer")
    run = _evaluate(ws, log)
    finding = _diagnose(ws, source, log)
    rising = _voice_of_customer(ws, log)
    verdict = _improve_and_verify(ws, source, finding, log)
    _people(ws, run.period, log)
    qa = _conversation_qa(ws, log)
    alerts = _monitor(ws, source, log)
    loop = run_inner_loop(ws, source, seed, log)
    return {
        "workspace": str(ws.root),
        "datasets": rows,
        "stories": str(source / "STORIES.json"),
        "run_id": run.run_id,
        "period": run.period,
        "slow_branch_finding": finding,
        "rising_topics": [t["topic"] for t in rising],
        "ab_verdict": verdict,
        "incident_alerts": alerts,
        "conversation_qa": qa,
        "inner_loop": asdict(loop),
    }


def _ingest_all(ws: Workspace, paths: dict[str, Path], source: Path, log: Log) -> list[dict[str, Any]]:
    paths = {**paths, "entities": _as_crm_export(paths["entities"], source)}
    mapping = ws.mappings_dir / "org_export.yaml"
    mapping.write_text(ENTITY_MAPPING, encoding="utf-8")
    rows = []
    for name in ORDER:
        summary = ingest(ws, name, [paths[name]], mapping if name == "entities" else None)
        log(f"ingested {name}: {summary.stored:,} stored, {summary.quarantined:,} quarantined")
        rows.append(
            {
                "dataset": name,
                "read": summary.read,
                "stored": summary.stored,
                "duplicates": summary.duplicates,
                "quarantined": summary.quarantined,
            }
        )
    return rows


def _conversation_qa(ws: Workspace, log: Log) -> dict[str, Any]:
    """Score every transcript on the bank rubric, calibrate, name the weakest items, coach one agent, check drops."""
    from valueloop.qa.service.alerts import check_qa_alerts
    from valueloop.qa.service.coaching import coach
    from valueloop.qa.service.review import calibrate
    from valueloop.qa.service.score import score_workspace
    from valueloop.qa.service.show import weakest_items

    scored = score_workspace(ws, "bank_call")
    log(f"conversation QA: {scored.conversations:,} transcripts scored, mean {scored.mean_score}, "
        f"{scored.auto_failed} auto-failed")  # fmt: skip
    cal = calibrate(ws, "bank_call", min_pairs=5)
    weakest = sorted(weakest_items(ws, "bank_call", top=1), key=lambda w: (-w.failed, -w.fail_rate))[:3]
    for w in weakest:
        log(f"  weakest: {w.agent_id} {w.name_en} failed {w.failed}/{w.applicable}")
    task = coach(ws, "bank_call", weakest[0].agent_id, "demo", top=2) if weakest else None
    if task is not None:
        log(f"  coaching task {task.coaching_id} for {task.agent_id}: {', '.join(i.item for i in task.items)}")
    drops = check_qa_alerts(ws, "bank_call")
    log(f"  QA drop alerts: {sum(a.status == 'firing' for a in drops.alerts)} firing over {drops.series} agents")
    return {"mean_score": scored.mean_score, "needs_human_review": cal.needs_human_review,
            "weakest": [(w.agent_id, w.item, w.fail_rate) for w in weakest],
            "coaching": task.coaching_id if task else None,
            "qa_alerts": [(a.entity_id, a.status) for a in drops.alerts]}  # fmt: skip


def _evaluate(ws: Workspace, log: Log) -> EvaluationRun:
    """Score the last six months (so trends have a history), then report the latest."""
    latest = latest_period(Warehouse(ws), load_versions(ws, None)[-1])
    month = latest
    history = []
    for _ in range(5):
        month = previous(month, Grain.month)
        history.append(month)
    for month in reversed(history):
        evaluate(ws, period=month)
    run = evaluate(ws, period=latest)
    ranked = [r for r in run.results if r.rank is not None]
    log(f"evaluated {run.model} v{run.version} for {run.period} at level {run.level}: {len(ranked)} units scored")
    for label, part in (("top", ranked[:3]), ("bottom", ranked[-3:])):
        for r in part:
            worst = max(r.points_lost.items(), key=lambda kv: kv[1])[0] if r.points_lost else "-"
            log(f"  {label:6} #{r.rank:<3} {r.entity_id} {r.name}: {r.score:.2f} (fix first: {worst})")
    return run


def _diagnose(ws: Workspace, source: Path, log: Log) -> str | None:
    """Findings before and after the planted slowdown; returns the slow branch's worst finding, if any."""
    story = json.loads((source / "STORIES.json").read_text(encoding="utf-8"))["stories"]["degraded_branch"]
    branch, start = story["branch_id"], story["from_month"]
    for period in (previous(start, Grain.month), start):
        result = diagnose(ws, period=period)
        mine = sorted({f"{f.indicator} ({f.rule})" for f in result.findings if f.entity_id == branch})
        log(
            f"diagnosis {period}: {result.counts['critical']} critical, {result.counts['warning']} warning findings; "
            f"planted slow branch {branch}: {', '.join(mine) or 'none'}"
        )
    worst = sorted((f for f in result.findings if f.entity_id == branch), key=lambda f: -(f.gap_pct or 0))
    return worst[0].id if worst else None


def _voice_of_customer(ws: Workspace, log: Log) -> list[dict[str, Any]]:
    """Topics by demand-lifecycle stage; the planted refund complaint topic should be emerging or growing."""
    rising = [t.model_dump() for t in lifecycle(ws) if t.stage in ("emerging", "growing")]
    for t in rising[:5]:
        log(f"voice of the customer: {t['topic']} is {t['stage']} since {t['since']} (share {t['share']:.1%})")
    return rising


def _improve_and_verify(ws: Workspace, source: Path, finding: str | None, log: Log) -> str:
    """An action from the slow branch's finding, with a hand-off; the planted A/B test verified and closed."""
    if finding is not None:
        aid = create_action(
            ws,
            {
                "owner": "王敏",
                "department": "客服部",
                "collaborators": [{"department": "运营部", "role": "C"}, {"department": "技术部", "role": "R"}],
            },
            "demo",
            from_finding=finding,
        )
        move_action(ws, aid, Status.approved, "质量经理", "差距超过基准 50%，立即整改")
        move_action(ws, aid, Status.in_progress, "王敏", "排班与工单分派规则调整")
        accept_handoff(ws, send_handoff(ws, aid, "客服部", "技术部", "工单自动分派规则", "王敏"), "李强")
        log(f"action #{aid} from finding {finding}: in progress, hand-off 客服部 → 技术部 accepted")
    story = json.loads((source / "STORIES.json").read_text(encoding="utf-8"))["stories"]["ab_test"]
    ids = ", ".join(f"'{e}'" for e in story["entity_ids"])
    scope = (
        f"i.opened_at >= TIMESTAMPTZ '{story['start']}' AND i.opened_at < TIMESTAMPTZ '{story['end']}' "
        f"AND i.agent_id IS NOT NULL AND i.entity_id IN ({ids})"
    )
    assignment = story["assignment"]["sql"].replace("customer_id", "i.customer_id")
    experiment = LakeExperiment(assignment=assignment, scope=scope)
    aid = create_action(
        ws,
        {"title": "回访新话术 A/B 试点 / new call-back script pilot", "owner": "赵丽", "department": "客服部",
         "target_indicator": "csat", "target_direction": "increase", "target_value": 4.0, "cost": 60_000},
        "demo",
    )  # fmt: skip
    for status, why in ((Status.approved, "试点方案通过"), (Status.in_progress, "随机分组上线"),
                        (Status.implemented, "试点三个月完成")):  # fmt: skip
        move_action(ws, aid, status, "赵丽", why)
    result = verify_action(ws, aid, experiment, "质量经理")
    if result.status in (Status.effective, Status.not_effective):
        move_action(ws, aid, Status.closed, "质量经理", "验证完成，结案")
    ci = result.ci or [None, None]
    log(
        f"action #{aid} verified by A/B test on the lake: CSAT {result.control.mean:.3f} → "
        f"{result.treatment.mean:.3f}, diff {result.diff:+.3f} (95% CI {ci[0]:+.3f} … {ci[1]:+.3f}, "
        f"p = {result.p_value:.2g}) → {result.verdict}; action {result.status.value}"
    )
    if result.verdict != "effective":
        return str(result.verdict)
    gain = action_roi(ws, aid, value_per_unit=3.0, units=120_000)
    low, high = gain.roi_ci or (float("nan"), float("nan"))
    log(f"  return on investment at ¥3 per CSAT point, 120,000 customers: {gain.roi:.0%} ({low:.0%} … {high:.0%})")
    return str(result.verdict)


def _people(ws: Workspace, period: str, log: Log) -> None:
    """Agent scorecards, service-benchmark awards, next year's mystery-shopper plan and the complaint-risk queue."""
    from collections import Counter

    from valueloop.people.service.audits import scorecards

    cards = scorecards(ws, period=period)
    graded = [c for c in cards.scorecards if c.grade is not None]
    counts = Counter(str(c.grade) for c in graded)
    best = min((c for c in graded if c.rank is not None), key=lambda c: c.rank or 0, default=None)
    lead = f"; top agent {best.agent_id} ({best.points or 0:.1f} points)" if best else ""
    log(
        f"agent scorecards {cards.period}: {len(graded)} graded, "
        + ", ".join(f"{g} {counts[g]}" for g in sorted(counts))
        + lead
    )
    won = benchmark_awards(ws, period=period)
    names = ", ".join(f"{w.agent_id} ({w.score:.2f})" for w in won.winners[:3])
    log(f"service benchmark awards {won.period}: {names or 'no agent met the volume and stability rules'}")
    plan = audit_plan(ws, visits=200, year=int(period[:4]) + 1, seed=7)
    visits, auditors = len(plan.visits), len(plan.auditors)
    log(f"mystery-shopper plan {plan.year}: {visits} unannounced visits by {auditors} auditors")
    model = train_risk(ws)
    top = risk_queue(ws, top=3).queue
    log(
        f"complaint-risk model: AUC {model.test.auc or float('nan'):.3f} on later months; "
        + "intervention queue starts with "
        + ", ".join(f"{q.customer_id} ({q.probability:.0%})" for q in top)
    )


def _monitor(ws: Workspace, source: Path, log: Log) -> list[dict[str, Any]]:
    """Replay the weeks of the planted incidents through the real-time monitor; match alerts to incidents."""
    from datetime import datetime, timedelta

    from valueloop.monitoring.service.alerts import list_alerts
    from valueloop.monitoring.service.monitor import Monitor
    from valueloop.monitoring.service.replay import export_stream, replay

    incidents = json.loads((source / "STORIES.json").read_text(encoding="utf-8"))["stories"]["incidents"]
    start = datetime.fromisoformat(min(i["start"] for i in incidents)) - timedelta(hours=3)
    end = datetime.fromisoformat(max(i["end"] for i in incidents)) + timedelta(hours=1)
    lines = export_stream(ws, start, end)
    (source / "stream.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    monitor = Monitor(ws)
    try:
        result = replay(monitor, lines, speed=0)
    finally:
        monitor.close()
    log(
        f"real-time monitor: replayed {result.accepted:,} events ({start:%Y-%m-%d} … {end:%Y-%m-%d}, "
        f"{result.accepted / result.seconds:,.0f} events/s): {result.fired} alerts fired"
    )
    alerts = list_alerts(ws)
    out = []
    for inc in incidents:
        a, b = datetime.fromisoformat(inc["start"]), datetime.fromisoformat(inc["end"]) + timedelta(minutes=15)
        hits = [x for x in alerts if a <= x.fired_at <= b and x.entity_id in (inc["entity_id"], "*")]
        first = min(hits, key=lambda x: x.fired_at, default=None)
        found = f"{first.rule} on {first.entity_id} at {first.fired_at:%H:%M} UTC" if first else "no alert"
        muted = f" (muted: {first.muted})" if first and first.muted else ""
        log(
            f"  planted {inc['id']} {inc['kind']} at {inc['entity_id']} {a:%m-%d %H:%M}–{inc['end'][11:16]} UTC → "
            f"{found}{muted}"
        )
        out.append(
            {
                "incident": inc["id"],
                "kind": inc["kind"],
                "entity_id": inc["entity_id"],
                "alert": first.id if first else None,
                "rule": first.rule if first else None,
            }
        )
    return out


def _as_crm_export(parquet: Path, folder: Path) -> Path:
    """Rewrite the entities table as a GBK CSV with Chinese headers and level names."""
    table = pq.read_table(parquet)
    levels = [LEVEL_NAMES.get(v, v) for v in table["type"].to_pylist()]
    table = table.set_column(table.schema.get_field_index("type"), "type", [levels])
    table = table.rename_columns([ENTITY_HEADERS[c] for c in table.column_names])
    path = folder / "组织架构.csv"
    pacsv.write_csv(table, path)
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    return path
