"""What the people use cases answer: audit plans and checks, scorecards, awards, disputes, cases, complaint risk.

The CLI's ``people|audits|risk … --format json`` and ``/api/v1/audits|people|risk/…`` print
these models, so the two cannot drift and OpenAPI documents every answer. Field order is the
JSON's key order. Disputes and cases are JSON records on disk whose moments were written as
strings (``…+00:00``); they stay strings here, read back as written. A checklist answers
:class:`valueloop.people.checklist.Checklist`, the spec model itself.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, GetJsonSchemaHandler, SerializerFunctionWrapHandler, model_serializer
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from valueloop.results import MISSING, Result


class PlanAuditor(Result):
    """An auditor of the plan: home region (None: an external agency) and visits a year."""

    auditor_id: str
    region: str | None
    capacity: int


class PlannedVisit(Result):
    audit_id: str
    entity_id: str
    auditor_id: str
    date: str
    """ISO day of the visit."""
    slot: str


class AuditPlan(Result):
    """``audits plan``: the year's unannounced visits, saved as ``file``."""

    year: int
    seed: int
    level: str
    slots: list[str]
    auditor_source: str
    """``staff`` (auditors ingested) or ``default`` (a derived pool, see :mod:`valueloop.people.auditors`)."""
    auditors: list[PlanAuditor]
    visits: list[PlannedVisit]
    file: str


class VisitProblem(Result):
    """``audits verify``: one doubtful visit (``too_short``, ``outside_hours``, ``duplicate_photo``)."""

    audit_id: str
    check: str
    detail: str


class CalibrationGroup(Result):
    """``audits calibration``: agreement of the auditors of one calibration visit.

    Fleiss' kappa needs items every auditor answered, Cohen's exactly two auditors, the
    ordinal alpha recorded ratings: a statistic that does not apply is left out.
    """

    calibration_id: str
    entity_id: str
    auditors: int
    items: int
    alpha_nominal: float | None
    fleiss_kappa: float | MISSING | None = MISSING
    cohen_kappa: float | MISSING | None = MISSING
    alpha_ordinal: float | MISSING | None = MISSING
    verdict: str


class BotResolution(Result):
    """``people bot-resolution``: one group's routine bot questions and how many the bot really resolved.

    The group's columns (``--by``, e.g. ``entity_id``) come first, named after the columns;
    with no ``--by`` there are none (one row for everything).
    """

    model_config = ConfigDict(frozen=True, extra="allow")

    routine: int
    resolved: int
    returned_to_human: int
    rate: float | None
    target: float
    meets_target: bool | None

    @model_serializer(mode="wrap")
    def _group_first(self, handler: SerializerFunctionWrapHandler) -> Any:
        doc = handler(self)
        group = self.__pydantic_extra__ or {}
        return {k: doc[k] for k in group} | {k: v for k, v in doc.items() if k not in group}

    @classmethod
    def __get_pydantic_json_schema__(cls, schema: CoreSchema, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        """The fields, as validation documents them (the reordering serializer would document nothing)."""
        return handler({k: v for k, v in schema.items() if k != "serialization"})


class Scorecard(Result):
    """One agent's scorecard: total on the model's scale, ``points`` on 0–100, grade and incentive."""

    agent_id: str
    name: str
    team_id: str | None
    score: float | None
    points: float | None
    rank: int | None
    grade: str | None
    incentive: float | None
    excluded: list[str]
    """Indicators left out by upheld disputes (the other weights renormalised)."""
    disputes: list[str]
    indicators: dict[str, float | None]


class Scorecards(Result):
    """``people scorecards``: every agent's scorecard, best rank first; ``file`` only when exported."""

    period: str
    model: str
    method: str
    indicators: list[str]
    scorecards: list[Scorecard]
    file: str | MISSING = MISSING


class AwardWinner(Result):
    rank: int
    agent_id: str
    score: float
    interval: list[float]
    raw_mean: float
    n: int
    top_quartile_periods: list[str]
    why: str
    case: str | None
    """The agent's case write-up of the award period, if any."""


class AwardRulesDoc(Result):
    top: int
    min_n: int
    window: int
    min_stable: int


class Awards(Result):
    """``people awards``: the period's benchmark winners with their reasons, and the rules applied."""

    period: str
    periods: list[str]
    peer_mean: float | None
    eligible: int
    winners: list[AwardWinner]
    indicator: str
    direction: str
    rules: AwardRulesDoc


class TrainingEffect(Result):
    """``people training-effect``: the cohort of a course and its difference-in-differences estimate."""

    course_id: str
    tier: str | None
    mode: str | None
    enrolled: int
    completed: int
    pre_before: str
    post_after: str | None
    estimate: float | None
    se: float | None
    ci: list[float] | None
    p_value: float | None
    cell_means: dict[str, float]
    n_obs: int
    n_agents: int
    verdict: str
    reason: str | None
    assumptions: list[str]
    indicator: str


class DisputeEvent(Result):
    at: str
    by: str
    action: str
    text: str


class Dispute(Result):
    """A dispute on one indicator of an agent's monthly scorecard, with its history."""

    dispute_id: str
    agent_id: str
    period: str
    indicator: str
    reason: str
    status: str
    opened_by: str
    opened_at: str
    decision: str | None
    note: str | None
    resolved_by: str | None
    resolved_at: str | None
    history: list[DisputeEvent]


class Case(Result):
    """A case write-up's record (``people case list``); the text is ``file`` next to the index."""

    case_id: str
    agent_id: str
    period: str
    title: str
    file: str
    sha256: str
    added_by: str
    added_at: str


class AddedCase(Case):
    """``people case add``: the record kept, and where the text came from (None: sent as text)."""

    source: str | None


class CaseText(Case):
    """``people case show``: the record with the write-up's path and text."""

    path: str
    text: str


class TrainingProblem(Result):
    """``people check-training``: a training record naming a person not in ``staff``, and where it came from."""

    record: str
    staff_id: str
    course_id: str
    lake_file: str | None
    batch_id: str | None
    source: str | None
    row: int | None
    message: str


class RiskSplit(Result):
    cutoff: str
    train_rows: int
    train_positives: int
    train_until: str
    test_from: str
    test_until: str


class PrecisionAtK(Result):
    k: int
    precision: float | None


class CalibrationBin(Result):
    bin: int
    n: int
    mean_predicted: float
    observed_rate: float


class RiskTest(Result):
    """The model on the later months: AUC (None with one class only), precision at k, Brier, calibration."""

    n: int
    positives: int
    base_rate: float | None
    auc: float | None
    precision_at_k: PrecisionAtK
    brier: float | None
    calibration: list[CalibrationBin]


class RiskModel(Result):
    """``risk train``: where the model was saved, the time split, the test and the coefficients, largest first."""

    file: str
    horizon_days: int
    split: RiskSplit
    test: RiskTest
    coefficients: dict[str, float]


class Reason(Result):
    """A feature pushing the risk up: its raw value and its contribution to the log-odds."""

    feature: str
    value: float
    contribution: float


class RiskScore(Result):
    interaction_id: str
    customer_id: str
    probability: float
    reasons: list[Reason]


class RiskScores(Result):
    """``risk score``: every interaction predicted on ``date``, most likely complaint first."""

    date: str
    horizon_days: int
    n: int
    scores: list[RiskScore]


class QueuedCustomer(Result):
    rank: int
    interaction_id: str
    customer_id: str
    probability: float
    reasons: list[Reason]


class RiskQueue(Result):
    """``risk queue``: the day's ``top`` customers by risk (their riskiest interaction), of ``candidates``."""

    date: str
    horizon_days: int
    candidates: int
    queue: list[QueuedCustomer]
