"""STORIES.json: the answer key of the demo data.

Written next to the Parquet files so tests, demos and people can check that the
platform finds what was planted — with ids, months, sizes, and for the A/B test the
rule that recovers each customer's arm from ``customer_id`` alone.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from valueloop.demo import stories as st
from valueloop.demo import vocab
from valueloop.demo.clock import TIMEZONE, iso_utc
from valueloop.demo.entities import Org
from valueloop.demo.stories import Plan

JsonDict = dict[str, object]


def _branch_id(org: Org, branch: int) -> str:
    return str(org.rows["entity_id"][int(org.branch_row[branch])])


def _unit(org: Org, branch: int) -> JsonDict:
    row = int(org.branch_row[branch])
    return {
        "branch_id": _branch_id(org, branch),
        "branch_name": org.rows["name"][row],
        "industry": vocab.INDUSTRIES[int(org.branch_industry[branch])],
        "team_ids": org.team_ids(branch),
    }


def _degraded(plan: Plan, org: Org) -> JsonDict:
    m = plan.degrade_month
    return _unit(org, plan.degraded_branch) | {
        "from_month": plan.window.month_labels[m],
        "from": iso_utc(int(plan.window.month_starts[m])),
        "factor": st.DEGRADE_FACTOR,
        "affects": ["first_response_at - opened_at", "resolved_at - opened_at"],
        "scope": "interactions with agent_id not null whose entity_id is the branch or one of its teams",
        "cause": "staff turnover: experienced agents left, new agents are slower",
    }


def _topic(plan: Plan, counts: dict[int, int]) -> JsonDict:
    labels = plan.window.month_labels
    return {
        "topic": st.TOPIC["zh"],
        "topic_en": st.TOPIC["en"],
        "from_month": labels[plan.topic_month],
        "keywords": list(st.TOPIC_KEYWORDS),
        "match": "feedback.kind = 'complaint' and text contains any keyword",
        "monthly_counts": {labels[m]: n for m, n in counts.items()},
        "cause": "refunds moved to a new payment partner; online-shop refunds take ~3× longer to complete",
        "also_in": "orders: at ecommerce branches return_completed_at - return_requested_at grows ~3× from that month",
    }


def _ab_test(plan: Plan, org: Org) -> JsonDict:
    first, stop = plan.ab_months
    branches = [int(b) for b in plan.ab_branches]
    return {
        "name": "新回访话术 (new callback script)",
        "unit": "customer",
        "assignment": {"rule": st.AB_RULE, "sql": st.AB_SQL, "python": st.AB_PYTHON},
        "branch_ids": [_branch_id(org, b) for b in branches],
        "entity_ids": [e for b in branches for e in [_branch_id(org, b), *org.team_ids(b)]],
        "months": list(plan.window.month_labels[first:stop]),
        "start": iso_utc(int(plan.window.month_starts[first])),
        "end": iso_utc(int(plan.window.month_starts[stop])),
        "scope": "interactions opened in [start, end) with agent_id not null whose entity_id is in entity_ids",
        "metric": "feedback.csat of kind='survey' rows joined on interaction_id",
        "true_effect_latent": st.AB_EFFECT,
        "observed": plan.facts.ab_observed,
    }


def _incidents(plan: Plan, org: Org) -> list[JsonDict]:
    counts = plan.facts.incident_events
    out: list[JsonDict] = []
    for k, inc in enumerate(plan.incidents):
        row = int(org.branch_row[inc.branch])
        out.append({
            "id": f"INC{k + 1}",
            "kind": inc.kind,
            "event_types": list(inc.event_types),
            "entity_id": org.rows["entity_id"][row],
            "branch_name": org.rows["name"][row],
            "start": iso_utc(inc.start_us),
            "end": iso_utc(inc.end_us),
            "minutes": (inc.end_us - inc.start_us) // 60_000_000,
            "events": counts[k] if k < len(counts) else None,
        })  # fmt: skip
    return out


def write_stories(path: Path, plan: Plan, org: Org, params: JsonDict, rows: dict[str, int]) -> Path:
    """Serialise the plan and what the generators recorded while following it."""
    doc: JsonDict = {
        "generator": "valueloop.demo.generate",
        "parameters": params,
        "timezone": TIMEZONE,
        "window": {
            "start": iso_utc(plan.window.start_us),
            "end": iso_utc(plan.window.export_us),
            "months": list(plan.window.month_labels),
        },
        "rows": rows,
        "stories": {
            "degraded_branch": _degraded(plan, org),
            "emerging_topic": _topic(plan, plan.facts.topic_counts),
            "ab_test": _ab_test(plan, org),
            "incidents": _incidents(plan, org),
            "conversation_qa": plan.facts.qa_planted,
        },
    }
    path.write_text(json.dumps(doc, ensure_ascii=False, indent=2, default=_default) + "\n", encoding="utf-8")
    return path


def _default(value: object) -> object:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {value!r}")
