"""Generate every canonical dataset as Parquet, seeded, with planted stories.

The one public entry point of the demo data. Each dataset gets its own random stream
(spawned from the seed), so the files are identical for identical arguments and
changing how one table is generated does not reshuffle the others. Everything is
vectorised; a million interactions with their feedback, steps, events and orders take
seconds.

>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     paths = generate(Path(tmp), entities=60, interactions=2_000)
...     {"entities", "interactions", "feedback"} <= set(paths), (Path(tmp) / "STORIES.json").exists()
(True, True)
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa

from valueloop.demo import feedback as fb
from valueloop.demo import satisfaction as sat
from valueloop.demo.clock import make_window
from valueloop.demo.columns import write
from valueloop.demo.customers import Customers, build_customers, customer_count, customers_table
from valueloop.demo.entities import Org, build_org, entities_table
from valueloop.demo.events import build_events
from valueloop.demo.feedback_parts import Part, feedback_table, stack
from valueloop.demo.interactions import Interactions, build_interactions, entity_rows, interactions_table
from valueloop.demo.orders import build_orders
from valueloop.demo.people import build_audits, build_training, staff_table
from valueloop.demo.qualitative import qualitative
from valueloop.demo.steps import build_steps
from valueloop.demo.stories import Plan, make_plan
from valueloop.demo.story_report import write_stories
from valueloop.demo.surveys import build_surveys
from valueloop.demo.transcripts import conversation_tables
from valueloop.errors import InputError

STREAMS = ("org", "plan", "customers", "interactions", "steps", "feedback", "events", "orders", "surveys", "people",
           "conversations")  # fmt: skip
MIN_INTERACTIONS = 500
STORIES_FILE = "STORIES.json"


def generate(
    out: Path,
    *,
    entities: int = 200,
    interactions: int = 100_000,
    months: int = 12,
    seed: int = 7,
    end: date = date(2026, 10, 31),
    progress: Callable[[str], None] | None = None,
) -> dict[str, Path]:
    """Write ``out/<dataset>.parquet`` for every canonical dataset and ``out/STORIES.json``.

    ``entities`` is the approximate row count of the entities table (company, regions,
    branches ≈ 10 %, teams ≈ 20 %, agents the rest); ``interactions`` is exact; the window
    is ``months`` whole local months ending with the month of ``end``. Returns
    ``{dataset: path}``.
    """
    if interactions < MIN_INTERACTIONS:
        raise InputError(f"interactions must be at least {MIN_INTERACTIONS}, got {interactions}")
    say = progress or (lambda _message: None)
    out.mkdir(parents=True, exist_ok=True)
    seeds = np.random.SeedSequence(seed).spawn(len(STREAMS))
    rng = {name: np.random.default_rng(s) for name, s in zip(STREAMS, seeds, strict=True)}
    org = build_org(rng["org"], entities)
    plan = make_plan(rng["plan"], make_window(end, months), org)
    cust = build_customers(rng["customers"], org, customer_count(interactions))
    x = build_interactions(rng["interactions"], org, cust, plan, interactions)
    paths: dict[str, Path] = {}
    rows: dict[str, int] = {}
    for name, build in _builders(rng, plan, org, cust, x).items():
        tab = build()
        paths[name], rows[name] = write(tab, out / f"{name}.parquet"), tab.num_rows
        say(f"{name}: {tab.num_rows:,} rows → {paths[name]}")
    params: dict[str, object] = {"entities": entities, "interactions": interactions, "months": months, "seed": seed}
    write_stories(out / STORIES_FILE, plan, org, params | {"end": end.isoformat()}, rows)
    say(f"stories → {out / STORIES_FILE}")
    return paths


def _builders(
    rng: dict[str, np.random.Generator], plan: Plan, org: Org, cust: Customers, x: Interactions
) -> dict[str, Callable[[], pa.Table]]:
    """One thunk per dataset, in the order they are written (stories need all of them first)."""
    audits = build_audits(rng["people"], plan, org)
    training, x = build_training(rng["people"], plan, org, x)
    interactions = interactions_table(x, org, cust.ids)
    iids = interactions.column("interaction_id").combine_chunks()
    talk = conversation_tables(rng["conversations"], interactions, plan.window.export_us, plan.facts.qa_planted)
    return {
        "entities": lambda: entities_table(org),
        "customers": lambda: customers_table(cust, org),
        "interactions": lambda: interactions,
        "interaction_steps": lambda: build_steps(rng["steps"], x, plan.window.export_us, iids),
        "feedback": lambda: _feedback(rng["feedback"], plan, org, cust, x, iids),
        "events": lambda: build_events(rng["events"], plan, org, cust, x.n),
        "orders": lambda: build_orders(rng["orders"], plan, org, cust, x.n),
        "survey_items": lambda: build_surveys(rng["surveys"], plan, org, cust, x.n),
        "staff": lambda: staff_table(org),
        "audits": lambda: audits[0],
        "audit_items": lambda: audits[1],
        "training": lambda: training,
        "conversations": lambda: talk[0],
        "qa_reviews": lambda: talk[1],
    }


def _feedback(
    rng: np.random.Generator, plan: Plan, org: Org, cust: Customers, x: Interactions, iids: pa.Array
) -> pa.Table:
    """All feedback kinds, stacked and numbered in order of submission."""
    level = sat.latent(rng, x, org, cust)
    ent = entity_rows(x, org)
    export = plan.window.export_us
    plan.facts.topic_counts = fb.topic_counts(plan, x)
    surveys = fb.surveys(rng, x, level, ent, export)
    _observe_ab(plan, x, surveys)
    parts = [
        surveys,
        fb.complaints(rng, x, level, ent, export),
        fb.topic_complaints(rng, plan, org, cust, plan.facts.topic_counts),
        fb.reviews(rng, plan, org, cust, x.n),
        qualitative(rng, plan, org, cust),
    ]
    return feedback_table(stack(parts), org.ids, iids, cust.ids)


def _observe_ab(plan: Plan, x: Interactions, surveys: Part) -> None:
    """Record survey counts and mean CSAT per arm, what an analysis of the test should reproduce."""
    scoped = x.in_test[surveys.interaction]
    arm = x.treated[surveys.interaction]
    for name, mask in (("treatment", scoped & arm), ("control", scoped & ~arm)):
        plan.facts.ab_observed[f"{name}_surveys"] = int(mask.sum())
        plan.facts.ab_observed[f"{name}_mean_csat"] = round(float(surveys.csat[mask].mean()), 4) if mask.any() else 0.0
    observed = plan.facts.ab_observed
    observed["csat_lift"] = round(observed["treatment_mean_csat"] - observed["control_mean_csat"], 4)
