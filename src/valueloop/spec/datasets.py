"""The canonical datasets: every fact table valueloop understands, defined once.

Source files are mapped onto these (see :mod:`valueloop.spec.mapping`); ingest validates
against them and the lake stores exactly these columns. Field kinds are few on purpose:
timestamps are stored as UTC instants, so a period boundary is computed in the
workspace's time zone at query time, never baked into the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

import pyarrow as pa

FieldKind = Literal["string", "int", "float", "bool", "timestamp", "duration_s"]

ARROW_TYPES: dict[FieldKind, pa.DataType] = {
    "string": pa.string(),
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "duration_s": pa.int64(),
}
"""A ``duration_s`` is whole seconds (int64): read from ``H:MM:SS``, ``MM:SS`` or plain seconds."""

KIND_NAMES: dict[str, FieldKind] = {
    "string": "string",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "timestamp": "timestamp",
    "duration_s": "duration_s",
}
"""The type names a user writes (own datasets, a mapping's ``extra:``) → the field kind they mean."""
TYPE_NAMES: dict[FieldKind, str] = {kind: name for name, kind in KIND_NAMES.items()}
"""A field kind → the type name a user writes for it (``int`` → ``integer``)."""
NUMERIC_KINDS: tuple[FieldKind, ...] = ("int", "float", "duration_s")
CONTENT_KEY = "record_hash"
"""The key field of a dataset declared without a key: a hash of the row's content (see ingest)."""


@dataclass(frozen=True)
class Field:
    """One column: its kind, whether a row without it is unusable, and its value checks."""

    name: str
    kind: FieldKind
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    allowed: tuple[str, ...] = ()
    doc: str = ""
    zone: bool = False
    """The value is an IANA time zone name (``Asia/Shanghai``); ingest quarantines a row naming an unknown one."""

    @property
    def arrow_type(self) -> pa.DataType:
        return ARROW_TYPES[self.kind]


@dataclass(frozen=True)
class OrderCheck:
    """``later`` must not be less than ``earlier`` when both are present.

    For timestamps: resolved not before opened; for counts: steps required ≥ steps completed.
    """

    later: str
    earlier: str


@dataclass(frozen=True)
class Dataset:
    """A canonical dataset: its fields, the key that identifies a row, and cross-field checks."""

    name: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    order_checks: tuple[OrderCheck, ...] = ()
    doc: str = ""
    time_field: str | None = None
    """The timestamp that places a row in a period (None for reference tables)."""
    derived: bool = False
    """Computed by valueloop from other datasets (e.g. ``valueloop text analyze``), never ingested from files."""
    units: tuple[str, ...] = ()
    """Fields whose values are units of analysis (call type, agent, product): what a model may group by."""
    doc_zh: str = ""
    own: bool = False
    """Declared by the workspace (``datasets/*.yaml``), not one of the canonical datasets."""
    extras: tuple[str, ...] = ()
    """Own fields a mapping added (:meth:`widened`): stored after the others, null in older files."""
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields if f.required)

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([pa.field(f.name, f.arrow_type, nullable=not f.required) for f in self.fields])

    @property
    def content_key(self) -> str | None:
        """The key field to fill with a hash of the row's content when the source has none, or None.

        A dataset declared without a key (:data:`CONTENT_KEY`) always; another dataset of records
        (own, or canonical with a time field) with a single text key (``feedback_id``) when the file
        has no such column and the mapping names none. Reference tables (entities, customers, staff)
        never: other rows point at their ids, which a hash cannot stand for.
        """
        if len(self.key) != 1 or self.by_name[self.key[0]].kind != "string":
            return None
        if not self.own and self.time_field is None:
            return None
        return self.key[0]

    def widened(self, extra: dict[str, FieldKind]) -> Dataset:
        """This dataset with the own fields ``extra`` added (optional, after the others); a field it
        already has keeps its definition. A field named twice with different kinds is refused by the
        caller (:func:`valueloop.spec.registry.add_extra`), which knows the files involved."""
        added = tuple(Field(n, k) for n, k in extra.items() if n not in self.by_name)
        if not added:
            return self
        return replace(self, fields=(*self.fields, *added), extras=(*self.extras, *(f.name for f in added)))


def _s(name: str, required: bool = False, allowed: tuple[str, ...] = (), doc: str = "") -> Field:
    return Field(name, "string", required=required, allowed=allowed, doc=doc)


def _ts(name: str, required: bool = False) -> Field:
    return Field(name, "timestamp", required=required)


def _num(name: str, kind: FieldKind = "float", lo: float | None = None, hi: float | None = None) -> Field:
    return Field(name, kind, minimum=lo, maximum=hi)


def _b(name: str) -> Field:
    return Field(name, "bool")


ENTITY_TYPES = ("company", "region", "branch", "store", "merchant", "team", "agent", "department")
SERVQUAL_DIMENSIONS = ("tangibles", "reliability", "responsiveness", "assurance", "empathy")
CASE_OUTCOMES = ("reached", "resolved", "compensated", "not_reachable")
FEEDBACK_KINDS = ("survey", "complaint", "review", "interview", "focus_group")
SENTIMENT_LABELS = ("negative", "neutral", "positive")
TEXT_LANGUAGES = ("zh", "en", "mixed", "unknown")
STAFF_ROLES = ("agent", "team_lead", "manager", "auditor", "quality", "trainer")
AUDIT_RESULTS = ("pass", "fail", "na")
COURSE_TIERS = ("basic", "professional", "innovation")
COURSE_MODES = ("online", "simulation", "blended")
SPEAKERS = ("agent", "customer", "bot")
QA_RESULTS = ("pass", "fail", "na")

DATASETS: dict[str, Dataset] = {
    d.name: d
    for d in (
        Dataset(
            "entities",
            (
                _s("entity_id", required=True),
                _s("name"),
                _s("type", allowed=ENTITY_TYPES),
                _s("parent_id"),
                _s("industry"),
                _s("region"),
            ),
            key=("entity_id",),
            doc="The organisation tree: company → regions → branches/stores → teams → agents.",
        ),
        Dataset(
            "customers",
            (
                _s("customer_id", required=True),
                _s("industry"),
                _s("age_band"),
                _s("spend_tier"),
                _s("region"),
                _b("vip"),
                Field("timezone", "string", zone=True, doc="The customer's own IANA time zone (survey quiet hours)."),
            ),
            key=("customer_id",),
            doc="Customers and the segment fields that differentiated standards cut by.",
        ),
        Dataset(
            "interactions",
            (
                _s("interaction_id", required=True),
                _s("entity_id", required=True),
                _ts("opened_at", required=True),
                _s("agent_id"),
                _s("customer_id"),
                _s("channel"),
                _s("category"),
                _ts("first_response_at"),
                _ts("resolved_at"),
                _num("steps_required", "int", lo=0),
                _num("steps_completed", "int", lo=0),
                _b("resolved_by_bot"),
                _b("escalated"),
                _b("reopened"),
            ),
            key=("interaction_id",),
            order_checks=(
                OrderCheck("first_response_at", "opened_at"),
                OrderCheck("resolved_at", "opened_at"),
                OrderCheck("steps_required", "steps_completed"),
            ),
            doc="Service records: tickets, calls, chats, visits.",
            time_field="opened_at",
        ),
        Dataset(
            "interaction_steps",
            (
                _s("interaction_id", required=True),
                _s("step", required=True),
                _ts("started_at", required=True),
                _ts("ended_at"),
                _s("department"),
            ),
            key=("interaction_id", "step", "started_at"),
            order_checks=(OrderCheck("ended_at", "started_at"),),
            doc="Process events of an interaction, for value stream maps; a step may repeat (rework).",
            time_field="started_at",
        ),
        Dataset(
            "feedback",
            (
                _s("feedback_id", required=True),
                _ts("submitted_at"),
                _s("entity_id"),
                _s("interaction_id"),
                _s("customer_id"),
                _s("kind", allowed=FEEDBACK_KINDS),
                _num("csat", "int", 1, 5),
                _num("nps", "int", 0, 10),
                _num("ces", "int", 1, 7),
                _s("text"),
                *(_num(f"{d}_gap", "float", -6, 6) for d in SERVQUAL_DIMENSIONS),
            ),
            key=("feedback_id",),
            doc="Surveys, complaints, reviews and qualitative notes (interviews, focus groups); "
            "submitted_at may be missing (a review export without dates): such rows count in totals "
            "and sentiment, never in a period. A survey with SERVQUAL items fills <dimension>_gap "
            "(tangibles_gap … empathy_gap): the respondent's mean perception − expectation over the "
            "dimension's items (1–7 scales, so −6 to 6).",
            time_field="submitted_at",
        ),
        Dataset(
            "feedback_text",
            (
                _s("feedback_id", required=True),
                _ts("submitted_at"),
                _s("entity_id"),
                _s("interaction_id"),
                _s("customer_id"),
                _s("kind", allowed=FEEDBACK_KINDS),
                _s("language", allowed=TEXT_LANGUAGES),
                _s("sentiment", allowed=SENTIMENT_LABELS),
                _num("sentiment_score", "float", -1, 1),
                _s(
                    "categories",
                    doc="Issue taxonomy category ids, ancestors included, as '|refund|refund/refund_delay|' "
                    "('' when none): 'categories contains refund' or, exactly, 'categories contains \"|refund|\"'.",
                ),
                _s("aspects", doc="Top-level categories of the negative clauses, as '|logistics|attitude|'."),
                _s("model", doc="The sentiment model that scored the text: 'default' or 'workspace:<sha256 prefix>'."),
            ),
            key=("feedback_id",),
            doc="Text analysis of feedback with text (derived by `valueloop text analyze`): sentiment, issue "
            "categories and negative aspects, stored once so evaluation models can count them.",
            time_field="submitted_at",
            derived=True,
        ),
        Dataset(
            "follow_up_cases",
            (
                _s("case_id", required=True),
                _ts("opened_at", required=True),
                _s("entity_id"),
                _s("customer_id"),
                _s("survey_id"),
                _s("question"),
                _num("score", "int", lo=0),
                _ts("closed_at"),
                _num("hours_to_close", "float", lo=0),
                _s("outcome", allowed=CASE_OUTCOMES),
                _s("root_cause"),
                _b("followed_up"),
                _b("recovered"),
            ),
            key=("case_id",),
            order_checks=(OrderCheck("closed_at", "opened_at"),),
            doc="The inner loop's follow-up cases (written by `valueloop cases publish`), so models can score "
            "time to close the loop (hours_to_close of closed cases) and recovery: followed_up = the customer "
            "answered the case's question again after it opened, recovered = that later score was higher "
            "(null when not followed up).",
            time_field="opened_at",
            derived=True,
        ),
        Dataset(
            "survey_items",
            (
                _s("response_id", required=True),
                _s("item", required=True),
                _ts("submitted_at", required=True),
                _s("entity_id"),
                _s("customer_id"),
                _s("dimension", allowed=SERVQUAL_DIMENSIONS),
                _num("expectation", "int", 1, 7),
                _num("perception", "int", 1, 7),
            ),
            key=("response_id", "item"),
            doc="Paired expectation / perception survey items (SERVQUAL, RATER dimensions).",
            time_field="submitted_at",
        ),
        Dataset(
            "events",
            (
                _s("event_id", required=True),
                _ts("ts", required=True),
                _s("type", required=True),
                _s("customer_id"),
                _s("entity_id"),
                _num("dwell_seconds", "float", lo=0),
            ),
            key=("event_id",),
            doc="Behaviour events: views, clicks, dwell time.",
            time_field="ts",
        ),
        Dataset(
            "orders",
            (
                _s("order_id", required=True),
                _ts("ordered_at", required=True),
                _s("customer_id"),
                _s("entity_id"),
                _num("amount", "float", lo=0),
                _b("returned"),
                _ts("return_requested_at"),
                _ts("return_completed_at"),
            ),
            key=("order_id",),
            order_checks=(
                OrderCheck("return_requested_at", "ordered_at"),
                OrderCheck("return_completed_at", "return_requested_at"),
            ),
            doc="Transactions, with returns and refunds.",
            time_field="ordered_at",
        ),
        Dataset(
            "staff",
            (
                _s("staff_id", required=True),
                _s("name"),
                _s("role", allowed=STAFF_ROLES),
                _s("entity_id"),
                _s("region"),
                _num("capacity", "int", lo=0),
            ),
            key=("staff_id",),
            doc="People: agents (staff_id = their agent entity id) and auditors with region and yearly visit capacity.",
        ),
        Dataset(
            "audits",
            (
                _s("audit_id", required=True),
                _s("entity_id", required=True),
                _ts("started_at", required=True),
                _ts("ended_at"),
                _s("auditor_id"),
                _s("checklist_id"),
                _s("calibration_id"),
                _num("score", "float", lo=0, hi=1),
                _b("passed"),
            ),
            key=("audit_id",),
            order_checks=(OrderCheck("ended_at", "started_at"),),
            doc="Mystery-shopper visits; rows sharing a calibration_id are one visit scored by several auditors.",
            time_field="started_at",
        ),
        Dataset(
            "audit_items",
            (
                _s("audit_id", required=True),
                _s("item", required=True),
                _s("result", allowed=AUDIT_RESULTS),
                _num("rating", "int", 1, 5),
                _s("evidence_hash"),
            ),
            key=("audit_id", "item"),
            doc="Checklist answers of a visit, with the hash of the evidence (photo, receipt) when required.",
        ),
        Dataset(
            "training",
            (
                _s("staff_id", required=True),
                _s("course_id", required=True),
                _s("tier", allowed=COURSE_TIERS),
                _s("mode", allowed=COURSE_MODES),
                _ts("enrolled_at", required=True),
                _ts("completed_at"),
                _num("assessment_score", "float", lo=0, hi=100),
            ),
            key=("staff_id", "course_id", "enrolled_at"),
            order_checks=(OrderCheck("completed_at", "enrolled_at"),),
            doc="Course enrolments of staff: tier (basic/professional/innovation), mode, completion and assessment.",
            time_field="enrolled_at",
        ),
        Dataset(
            "conversations",
            (
                _s("conversation_id", required=True),
                Field("turn_index", "int", required=True, minimum=0),
                _s("speaker", required=True, allowed=SPEAKERS),
                _s("text"),
                _ts("started_at", required=True),
                _num("start_s", "float", lo=0),
                _num("end_s", "float", lo=0),
                _s("interaction_id"),
                _s("agent_id"),
                _s("entity_id"),
                _s("channel"),
                _s("category"),
            ),
            key=("conversation_id", "turn_index"),
            order_checks=(OrderCheck("end_s", "start_s"),),
            doc="Chat and call transcripts, one row per turn (a one-row-per-conversation export with a JSON "
            "`turns` column is expanded on ingest); start_s/end_s are seconds from the start when from speech.",
            time_field="started_at",
        ),
        Dataset(
            "qa_scores",
            (
                _s("conversation_id", required=True),
                _s("rubric", required=True),
                _ts("started_at", required=True),
                _s("interaction_id"),
                _s("agent_id"),
                _s("entity_id"),
                _num("score", "float", lo=0, hi=100),
                _b("passed"),
                _b("auto_failed"),
                _num("items_applicable", "int", lo=0),
                _num("items_failed", "int", lo=0),
                _num("uncertainty", "float", lo=0, hi=1),
                _s("rubric_sha", doc="First 12 hex of the rubric file's SHA-256: which rubric version scored it."),
            ),
            key=("conversation_id", "rubric"),
            doc="Automatic QA score of every conversation against a rubric (derived by `valueloop qa score`), "
            "0-100, for evaluation models and scorecards.",
            time_field="started_at",
            derived=True,
        ),
        Dataset(
            "qa_items",
            (
                _s("conversation_id", required=True),
                _s("rubric", required=True),
                _s("item", required=True),
                _ts("started_at", required=True),
                _s("agent_id"),
                _s("entity_id"),
                _s("result", allowed=QA_RESULTS),
                _num("points", "float"),
                _s(
                    "evidence",
                    doc="JSON list of {turn, start, end, text}: the turns and character spans that decided the result.",
                ),
                _s("detail"),
            ),
            key=("conversation_id", "rubric", "item"),
            doc="Per rubric item of every scored conversation: pass/fail/na, points and evidence "
            "(derived by `valueloop qa score`).",
            time_field="started_at",
            derived=True,
        ),
        Dataset(
            "qa_reviews",
            (
                _s("review_id", required=True),
                _s("conversation_id", required=True),
                _s("rubric", required=True),
                _s("item", required=True),
                _s("reviewer_id", required=True),
                _ts("reviewed_at"),
                _s("result", required=True, allowed=QA_RESULTS),
                _s("session_id", doc="Calibration session: several reviewers scoring the same conversations."),
                _s("note"),
            ),
            key=("review_id", "item"),
            doc="Human QA reviews, one row per item, kept apart from the automatic scores (qa_items).",
            time_field="reviewed_at",
        ),
    )
}


def get_dataset(name: str) -> Dataset:
    """The dataset called ``name``; raises :class:`InputError` naming the known ones."""
    from valueloop.errors import InputError

    try:
        return DATASETS[name]
    except KeyError:
        raise InputError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from None
