"""``/api/v1/verify/*``: the ``valueloop verify`` statistics over rows sent as JSON (nothing stored).

The CLI reads a CSV; here each row is a JSON object with the same columns. The results are
the CLI's ``--format json`` documents. Only the caller's own numbers are read, never the lake.

``POST /actions/{action_id}/experiment`` is ``valueloop verify action --assignment …``: it
attaches an A/B test on the lake to an action and records the verdict. The CLI takes SQL
conditions from the person at the server; from the web they are parsed and rebuilt from an
allow-list (columns of the interaction ``i`` and its feedback ``f``, literals, comparisons,
arithmetic and a few pure functions), so no table, file, setting or statement can be named.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

import duckdb
import sqlglot
from fastapi import APIRouter, Path
from pydantic import BaseModel, ConfigDict, Field
from sqlglot import exp
from sqlglot.errors import SqlglotError

from valueloop.api import scope
from valueloop.api.deps import ActionsWrite, ExperimentsRead, WorkspaceDep
from valueloop.errors import InputError
from valueloop.flows import verify_rows as vr
from valueloop.flows.actions import MAX_ACTION_ID
from valueloop.flows.experiment import LakeExperiment, verify_action, verify_lake_experiment
from valueloop.spec.datasets import DATASETS, FEEDBACK_KINDS

router = APIRouter(tags=["experiments"])
Name = Annotated[str, Field(min_length=1, max_length=200)]
Alpha = Annotated[float, Field(ge=1e-6, le=0.5)]
Rows = Annotated[list[dict[Name, int | float | str | None]], Field(min_length=1, max_length=200_000)]


class AbIn(BaseModel):
    """A randomised test: one row per unit with its variant and outcome (CLI ``verify ab``)."""

    model_config = ConfigDict(extra="forbid")
    rows: Rows
    metric_type: vr.MetricType
    variant_col: Name = "variant"
    value_col: Name = "value"
    unit_col: Name | None = None
    denominator_col: Name | None = None
    pre_col: Name | None = None
    control: Name | None = None
    alpha: Alpha = 0.05
    control_share: float | None = Field(default=None, ge=0, le=1)
    lower_is_better: bool = False
    bootstrap: int = Field(default=0, ge=0, le=10_000)
    seed: int = Field(default=0, ge=0, le=2**31 - 1)


class DidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: Rows
    unit_col: Name = "unit"
    period_col: Name = "period"
    treated_col: Name = "treated"
    post_col: Name = "post"
    value_col: Name = "value"
    alpha: Alpha = 0.05


class ItsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    rows: Rows
    intervention: Name
    time_col: Name = "time"
    value_col: Name = "value"
    alpha: Alpha = 0.05


class PowerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    metric_type: Literal["proportion", "mean"]
    mde: float | None = Field(default=None, ge=-1e12, le=1e12)
    n: int | None = Field(default=None, ge=2, le=10**12)
    baseline: float | None = Field(default=None, gt=0, lt=1)
    sd: float | None = Field(default=None, gt=0, le=1e12)
    alpha: Alpha = 0.05
    power: float = Field(default=0.8, ge=0.01, le=0.999)
    ratio: float = Field(default=1.0, ge=0.01, le=100)


class AdjustIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    p_values: list[Annotated[float, Field(ge=0, le=1)]] = Field(min_length=1, max_length=10_000)
    method: Literal["holm", "bh"] = "holm"
    alpha: Alpha = 0.05


@router.post("/verify/ab")
def ab(_: ExperimentsRead, body: AbIn) -> list[dict[str, Any]]:
    """Treatment vs control with a verdict; one document per treatment (several: Holm-adjusted)."""
    opts = body.model_dump(exclude={"rows"})
    return vr.ab(body.rows, **opts)


@router.post("/verify/did")
def did(_: ExperimentsRead, body: DidIn) -> dict[str, Any]:
    """Difference-in-differences against comparable units (cluster-robust by unit)."""
    return vr.did(body.rows, **body.model_dump(exclude={"rows"}))


@router.post("/verify/its")
def its(_: ExperimentsRead, body: ItsIn) -> dict[str, Any]:
    """Interrupted time series: level and slope change (Newey–West errors)."""
    return vr.its(body.rows, **body.model_dump(exclude={"rows"}))


@router.post("/verify/power")
def power(_: ExperimentsRead, body: PowerIn) -> dict[str, Any]:
    """Sample size per group for an effect (``mde``), or the smallest effect for a size (``n``)."""
    return vr.power(body.metric_type, mde=body.mde, n=body.n, baseline=body.baseline, sd=body.sd, alpha=body.alpha,
                    target=body.power, ratio=body.ratio)  # fmt: skip


@router.post("/verify/adjust")
def adjust(_: ExperimentsRead, body: AdjustIn) -> list[dict[str, Any]]:
    """Holm or Benjamini–Hochberg adjusted p-values for several metrics."""
    return vr.adjust(body.p_values, body.method, body.alpha)


Condition = Annotated[str, Field(min_length=1, max_length=20_000)]
TABLES = {"i": DATASETS["interactions"], "f": DATASETS["feedback"]}
"""The aliases the experiment query gives the lake's interactions and feedback."""
SAFE_NODES: tuple[type[exp.Expr], ...] = (
    exp.And, exp.Or, exp.Not, exp.Paren, exp.Boolean, exp.Null, exp.Literal, exp.Column, exp.Identifier,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ, exp.Is, exp.In,
    exp.Between, exp.Like, exp.ILike, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.Neg, exp.DPipe,
    exp.Cast, exp.TryCast, exp.DataType, exp.DataTypeParam, exp.Interval, exp.Var, exp.Case, exp.If,
    exp.Substring, exp.Lower, exp.Upper, exp.Length, exp.Trim, exp.Abs, exp.Coalesce, exp.MD5,
    exp.TimestampTrunc, exp.DateTrunc, exp.Extract,
)  # fmt: skip
SAFE_FUNCTIONS = frozenset({"hash"})
"""Functions sqlglot does not model (``exp.Anonymous``) that may still be called."""


class ExperimentIn(BaseModel):
    """``verify action ACTION --assignment … [--scope …]``: where the action's A/B test lives in the lake."""

    model_config = ConfigDict(extra="forbid", use_attribute_docstrings=True)
    assignment: Condition = Field(examples=["CAST(substr(i.customer_id, 2) AS BIGINT) % 2 = 1"])
    """A condition true for the treatment arm, over ``i`` (the interaction) and ``f`` (its feedback)."""
    scope: Condition = "TRUE"
    """A condition selecting the interactions in the test (period, branches, ...)."""
    outcome: Annotated[str, Field(min_length=1, max_length=100)] = "csat"
    """The feedback field measured (a numeric column of feedback)."""
    feedback_kind: Annotated[str, Field(min_length=1, max_length=50)] = "survey"
    """The feedback kind measured (survey, complaint, review, interview, focus_group)."""
    unit: Annotated[str, Field(min_length=1, max_length=200)] = "i.customer_id"
    """The randomisation unit, a column: outcomes are averaged per unit first."""
    alpha: float = Field(default=0.05, ge=1e-6, le=0.5)


@router.post("/actions/{action_id}/experiment")
def attach_experiment(who: ActionsWrite, ws: WorkspaceDep, action_id: Annotated[int, Path(ge=1, le=MAX_ACTION_ID)],
                      body: ExperimentIn) -> dict[str, Any]:  # fmt: skip
    """Attach an A/B test to the action (replacing any), run it on the lake and write the verdict back.

    Answers the ``verify action`` document: the status reached, the experiment as stored (the
    conditions as rebuilt) and the comparison. Re-run it later with ``POST /actions/{id}/verify``.
    Its conditions may read every unit's interactions, so a scoped caller may not define one (404).
    """
    scope.action(ws, who, action_id)
    if who.scoped:
        raise scope.hidden("experiment conditions pooled over every unit")
    experiment = LakeExperiment(
        assignment=safe_condition(body.assignment, "assignment"), scope=safe_condition(body.scope, "scope"),
        outcome=_outcome(body.outcome), feedback_kind=_kind(body.feedback_kind), unit=_unit(body.unit),
    )  # fmt: skip
    try:  # a dry run first: a failing query must not replace the definition attached before
        verify_lake_experiment(ws, experiment, body.alpha)
        return verify_action(ws, action_id, experiment, who.username, body.alpha)
    except duckdb.Error as err:
        raise InputError(f"the experiment's query failed on the lake data: {str(err).splitlines()[0]}") from err


def safe_condition(text: str, what: str) -> str:
    """``text`` parsed as one DuckDB expression, checked against the allow-list, and rebuilt as SQL.

    The rebuilt text is checked again and must rebuild to itself: what runs is what was checked.
    """
    sql = _checked(text, what).sql(dialect="duckdb")
    if _checked(sql, what).sql(dialect="duckdb") != sql:
        raise InputError(f"{what}: the condition does not read back as written; simplify it")
    return sql


def _checked(text: str, what: str) -> exp.Expr:
    try:
        parsed = [x for x in sqlglot.parse(text, read="duckdb") if x is not None]
        if len(parsed) != 1:
            raise InputError(f"{what}: give one condition, not {len(parsed)} statements")
        for node in parsed[0].walk():
            _check_node(node, what)
        parsed[0].sql(dialect="duckdb")  # generating recurses too: fail here, inside the guard
        return parsed[0]
    except SqlglotError as err:
        detail = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise InputError(f"{what}: not an SQL condition: {detail}") from err
    except RecursionError as err:
        raise InputError(f"{what}: nested too deeply") from err


def _check_node(node: exp.Expr, what: str) -> None:
    if isinstance(node, exp.Anonymous) and node.name.lower() in SAFE_FUNCTIONS:
        return
    if not isinstance(node, SAFE_NODES):
        raise InputError(f"{what}: {node.key.upper()} is not allowed here ({node.sql(dialect='duckdb')[:80]!r}); "
                         "use columns of i / f, literals, comparisons, arithmetic and simple functions")  # fmt: skip
    if isinstance(node, exp.Column):
        _check_column(node, what)


def _check_column(node: exp.Column, what: str) -> None:
    table = TABLES.get(node.table)
    if table is None or node.args.get("db") is not None or node.args.get("catalog") is not None:
        raise InputError(f"{what}: write columns as i.<column> (interactions) or f.<column> (feedback), "
                         f"not {node.sql(dialect='duckdb')!r}")  # fmt: skip
    if not isinstance(node.this, exp.Identifier) or node.name not in table.by_name:
        raise InputError(f"{what}: {table.name} has no column {node.name!r}; it has: {', '.join(table.by_name)}")


def _unit(text: str) -> str:
    rebuilt = safe_condition(text, "unit")
    if not isinstance(sqlglot.parse_one(rebuilt, read="duckdb"), exp.Column):
        raise InputError(f"unit: a column such as i.customer_id, not {text!r}")
    return rebuilt


def _outcome(name: str) -> str:
    field = DATASETS["feedback"].by_name.get(name)
    if field is None or field.kind not in ("int", "float"):
        numeric = [f.name for f in DATASETS["feedback"].fields if f.kind in ("int", "float")]
        raise InputError(f"outcome: a numeric feedback field ({', '.join(numeric)}), not {name!r}")
    return name


def _kind(kind: str) -> str:
    if kind not in FEEDBACK_KINDS:
        raise InputError(f"feedback_kind: one of {', '.join(FEEDBACK_KINDS)}, not {kind!r}")
    return kind
