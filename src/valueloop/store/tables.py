"""Every table of the app database, in one module on one :data:`metadata`.

The schema is owned by the Alembic migrations in ``store/migrations``; tests check that
the migrated database and these definitions agree. Tables are grouped by the stage that
writes them: evaluation runs and findings, accounts, improvement actions, the monitor's
alerts and notifications, and the ledger.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()
TZ = sa.DateTime(timezone=True)
"""Every timestamp valueloop stores is an aware UTC instant."""

ingest_batches = sa.Table(
    "ingest_batches",
    metadata,
    sa.Column("batch_id", sa.String(40), primary_key=True),
    sa.Column("dataset", sa.String(64), nullable=False, index=True),
    sa.Column("files", sa.JSON, nullable=False),
    sa.Column("read", sa.Integer, nullable=False),
    sa.Column("stored", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("duplicates", sa.Integer, nullable=False),
    sa.Column("quarantined", sa.Integer, nullable=False),
    sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("finished_at", sa.DateTime(timezone=True), nullable=False),
)

model_versions = sa.Table(
    "model_versions",
    metadata,
    sa.Column("model_id", sa.String(100), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("reason_category", sa.String(20)),
    sa.Column("reason", sa.Text),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("spec", sa.JSON, nullable=False),
    sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
)

evaluation_runs = sa.Table(
    "evaluation_runs",
    metadata,
    sa.Column("run_id", sa.String(40), primary_key=True),
    sa.Column("model_id", sa.String(100), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("period", sa.String(20), nullable=False, index=True),
    sa.Column("level", sa.String(120), nullable=False),
    sa.Column("parameters", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)

evaluation_results = sa.Table(
    "evaluation_results",
    metadata,
    sa.Column("run_id", sa.String(40), sa.ForeignKey("evaluation_runs.run_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("entity_id", sa.String(100), primary_key=True),
    sa.Column("score", sa.Float),
    sa.Column("rank", sa.Integer),
    sa.Column("result", sa.JSON, nullable=False),
)


findings = sa.Table(
    "findings",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("model_id", sa.String(100), nullable=False),
    sa.Column("level", sa.String(120), nullable=False),
    sa.Column("period", sa.String(20), nullable=False, index=True),
    sa.Column("run_id", sa.String(40), index=True),
    sa.Column("entity_id", sa.String(100), nullable=False, index=True),
    sa.Column("indicator", sa.String(100), nullable=False),
    sa.Column("segment", sa.String(100)),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("benchmark", sa.Float),
    sa.Column("gap_pct", sa.Float),
    sa.Column("severity", sa.String(10), nullable=False, index=True),
    sa.Column("rule", sa.String(30), nullable=False),
    sa.Column("n", sa.Integer, nullable=False),
    sa.Column("evidence", sa.JSON, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
)


def _user_fk() -> sa.Column[int]:
    return sa.Column("user_id", sa.Integer, sa.ForeignKey("users.user_id", ondelete="CASCADE"), nullable=False)


users = sa.Table(
    "users",
    metadata,
    sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False, unique=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("role", sa.String(20), nullable=False),
    sa.Column("units", sa.JSON, nullable=False),
    sa.Column("disabled", sa.Boolean, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("last_login_at", TZ),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("session_hash", sa.String(64), primary_key=True),
    _user_fk(),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("expires_at", TZ, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("token_id", sa.Integer, primary_key=True, autoincrement=True),
    _user_fk(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("scopes", sa.JSON, nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("expires_at", TZ),
    sa.Column("revoked_at", TZ),
    sa.Column("last_used_at", TZ),
)

login_failures = sa.Table(
    "login_failures",
    metadata,
    sa.Column("failure_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False),
    sa.Column("ip", sa.String(64), nullable=False),
    sa.Column("at", TZ, nullable=False),
    sa.Index("ix_login_failures_user_ip", "username", "ip"),
)


def _action_fk() -> sa.Column[int]:
    return sa.Column("action_id", sa.Integer, sa.ForeignKey("actions.action_id", ondelete="CASCADE"), nullable=False)


actions = sa.Table(
    "actions",
    metadata,
    sa.Column("action_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False),
    sa.Column("status", sa.String(20), nullable=False, index=True),
    sa.Column("owner", sa.String(100), nullable=False),
    sa.Column("department", sa.String(100), nullable=False),
    sa.Column("due_date", sa.Date),
    sa.Column("target_indicator", sa.String(100)),
    sa.Column("target_direction", sa.String(10)),
    sa.Column("target_value", sa.Float),
    sa.Column("cost", sa.Float),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("updated_at", TZ, nullable=False),
)

action_links = sa.Table(
    "action_links",
    metadata,
    sa.Column("link_id", sa.Integer, primary_key=True, autoincrement=True),
    _action_fk(),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("ref", sa.String(200), nullable=False),
    sa.UniqueConstraint("action_id", "kind", "ref", name="uq_action_links"),
)

action_departments = sa.Table(
    "action_departments",
    metadata,
    sa.Column("action_id", sa.Integer, sa.ForeignKey("actions.action_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("department", sa.String(100), primary_key=True),
    sa.Column("role", sa.String(1), primary_key=True),
)

action_documents = sa.Table(
    "action_documents",
    metadata,
    sa.Column("action_id", sa.Integer, sa.ForeignKey("actions.action_id", ondelete="CASCADE"), primary_key=True),
    sa.Column("doc_id", sa.String(100), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
)

action_transitions = sa.Table(
    "action_transitions",
    metadata,
    sa.Column("transition_id", sa.Integer, primary_key=True, autoincrement=True),
    _action_fk(),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20), nullable=False),
    sa.Column("actor", sa.String(100), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", TZ, nullable=False),
)

action_comments = sa.Table(
    "action_comments",
    metadata,
    sa.Column("comment_id", sa.Integer, primary_key=True, autoincrement=True),
    _action_fk(),
    sa.Column("author", sa.String(100), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("at", TZ, nullable=False),
)

action_verifications = sa.Table(
    "action_verifications",
    metadata,
    sa.Column("verification_id", sa.Integer, primary_key=True, autoincrement=True),
    _action_fk(),
    sa.Column("verdict", sa.String(20), nullable=False),
    sa.Column("p_value", sa.Float),
    sa.Column("ci_low", sa.Float),
    sa.Column("ci_high", sa.Float),
    sa.Column("method", sa.String(100), nullable=False),
    sa.Column("reason", sa.Text),
    sa.Column("detail", sa.JSON, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
)

handoffs = sa.Table(
    "handoffs",
    metadata,
    sa.Column("handoff_id", sa.Integer, primary_key=True, autoincrement=True),
    _action_fk(),
    sa.Column("from_department", sa.String(100), nullable=False),
    sa.Column("to_department", sa.String(100), nullable=False),
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("sent_by", sa.String(100), nullable=False),
    sa.Column("sent_at", TZ, nullable=False),
    sa.Column("accepted_by", sa.String(100)),
    sa.Column("accepted_at", TZ),
)

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("doc_id", sa.String(100), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("effective_from", sa.Date, nullable=False),
    sa.Column("owner", sa.String(100), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
)


alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("alert_id", sa.String(40), primary_key=True),
    sa.Column("fingerprint", sa.String(16), nullable=False, index=True),
    sa.Column("rule", sa.String(100), nullable=False),
    sa.Column("entity_id", sa.String(200), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("labels", sa.JSON, nullable=False),
    sa.Column("summary", sa.String(500), nullable=False),
    sa.Column("status", sa.String(10), nullable=False, index=True),
    sa.Column("value", sa.Float),
    sa.Column("started_at", TZ, nullable=False, index=True),
    sa.Column("fired_at", TZ, nullable=False),
    sa.Column("resolved_at", TZ),
    sa.Column("acked_by", sa.String(100)),
    sa.Column("acked_at", TZ),
    sa.Column("ack_comment", sa.String(500)),
    sa.Column("muted", sa.String(200)),
)

silences = sa.Table(
    "silences",
    metadata,
    sa.Column("silence_id", sa.String(20), primary_key=True),
    sa.Column("matchers", sa.JSON, nullable=False),
    sa.Column("starts_at", TZ),
    sa.Column("ends_at", TZ),
    sa.Column("schedule", sa.JSON),
    sa.Column("comment", sa.String(500), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("notification_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("alert_id", sa.String(40), nullable=False, index=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("channel", sa.String(100), nullable=False),
    sa.Column("state", sa.String(10), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.String(500)),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("done_at", TZ),
    sa.Column("queued_at", TZ),  # since when it is being tried (reset by a resend): the give-up age counts from here
    sa.Column("next_attempt_at", TZ),
    sa.Column("notice", sa.JSON),  # the notice as queued (Notice.as_json), so a restart sends what was decided
    sa.UniqueConstraint("alert_id", "status", "channel", name="uq_notification_once"),
    sa.Index("ix_notifications_due", "state", "next_attempt_at"),
)


ledger = sa.Table(
    "ledger",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("at", sa.String(40), nullable=False, index=True),
    sa.Column("kind", sa.String(40), nullable=False),
    sa.Column("ref", sa.String(300), nullable=False, index=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("prev", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False, unique=True),
)


# App database tables of surveys and the inner loop: invitations, unit links, responses, cases.

survey_invitations = sa.Table(
    "survey_invitations",
    metadata,
    sa.Column("invitation_id", sa.String(64), primary_key=True),
    sa.Column("survey_id", sa.String(64), nullable=False, index=True),
    sa.Column("interaction_id", sa.String(200), nullable=False),
    sa.Column("customer_id", sa.String(200)),
    sa.Column("entity_id", sa.String(200), nullable=False, index=True),
    sa.Column("channel", sa.String(10), nullable=False),
    sa.Column("contact", sa.String(320)),
    sa.Column("reason", sa.String(300), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("send_at", TZ, nullable=False),
    sa.Column("expires_at", TZ, nullable=False),
    sa.Column("delivery", sa.String(10), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.String(500)),
    sa.Column("queued_at", TZ, nullable=False),  # since when delivery is tried: the give-up age counts from here
    sa.Column("next_attempt_at", TZ),
    sa.Column("delivered_at", TZ),
    sa.Column("opened_at", TZ),
    sa.Column("answered_at", TZ),
    sa.Column("reminded_at", TZ),
    sa.UniqueConstraint("survey_id", "interaction_id", name="uq_invitation_once"),
)

survey_links = sa.Table(
    "survey_links",
    metadata,
    sa.Column("link_id", sa.String(64), primary_key=True),
    sa.Column("survey_id", sa.String(64), nullable=False),
    sa.Column("entity_id", sa.String(200), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("expires_at", TZ, nullable=False),
    sa.UniqueConstraint("survey_id", "entity_id", name="uq_link_per_unit"),
)

survey_responses = sa.Table(
    "survey_responses",
    metadata,
    sa.Column("response_id", sa.String(64), primary_key=True),
    sa.Column("survey_id", sa.String(64), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("invitation_id", sa.String(64)),
    sa.Column("link_id", sa.String(64)),
    sa.Column("entity_id", sa.String(200), nullable=False, index=True),
    sa.Column("customer_id", sa.String(200), index=True),
    sa.Column("interaction_id", sa.String(200)),
    sa.Column("language", sa.String(5), nullable=False),
    sa.Column("answers", sa.JSON, nullable=False),
    sa.Column("first_at", TZ, nullable=False),
    sa.Column("submitted_at", TZ, nullable=False),
    # pending_at: this version of the answer was accepted and is not yet in the ``feedback`` dataset (NULL once
    # flushed, see valueloop.surveys.service.answer_flush); feedback: its ``feedback`` row as worked out when
    # accepted; lake_error: why the ingest quarantined it.
    sa.Column("pending_at", TZ, index=True),
    sa.Column("feedback", sa.JSON),
    sa.Column("lake_error", sa.String(500)),
)

survey_cases = sa.Table(
    "survey_cases",
    metadata,
    sa.Column("case_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("response_id", sa.String(64), nullable=False, unique=True),
    sa.Column("survey_id", sa.String(64), nullable=False),
    sa.Column("entity_id", sa.String(200), nullable=False, index=True),
    sa.Column("customer_id", sa.String(200)),
    sa.Column("interaction_id", sa.String(200)),
    sa.Column("question", sa.String(64), nullable=False),
    sa.Column("score", sa.Integer, nullable=False),
    sa.Column("rule", sa.String(200), nullable=False),
    sa.Column("owner", sa.String(100)),
    sa.Column("opened_at", TZ, nullable=False),
    sa.Column("due_at", TZ, nullable=False, index=True),
    sa.Column("escalated_at", TZ),
    sa.Column("escalated_to", sa.String(100)),
    sa.Column("closed_at", TZ),
    sa.Column("closed_by", sa.String(100)),
    sa.Column("outcome", sa.String(20)),
    sa.Column("root_cause", sa.String(200)),
    sa.Column("note", sa.String(2000)),
)

# Conversation QA: agents' disputes of one item result, and coaching tasks with their follow-up.
qa_disputes = sa.Table(
    "qa_disputes",
    metadata,
    sa.Column("dispute_id", sa.String(20), primary_key=True),
    sa.Column("rubric", sa.String(100), nullable=False),
    sa.Column("conversation_id", sa.String(200), nullable=False, index=True),
    sa.Column("item", sa.String(100), nullable=False),
    sa.Column("agent_id", sa.String(200)),
    sa.Column("entity_id", sa.String(200)),
    sa.Column("auto_result", sa.String(4), nullable=False),
    sa.Column("reason", sa.String(2000), nullable=False),
    sa.Column("status", sa.String(10), nullable=False, index=True),
    sa.Column("result", sa.String(4)),
    sa.Column("opened_by", sa.String(100), nullable=False),
    sa.Column("opened_at", TZ, nullable=False),
    sa.Column("resolved_by", sa.String(100)),
    sa.Column("resolved_at", TZ),
    sa.Column("note", sa.String(2000)),
)

qa_coaching = sa.Table(
    "qa_coaching",
    metadata,
    sa.Column("coaching_id", sa.String(20), primary_key=True),
    sa.Column("rubric", sa.String(100), nullable=False),
    sa.Column("agent_id", sa.String(200), nullable=False, index=True),
    sa.Column("entity_id", sa.String(200)),
    sa.Column("items", sa.JSON, nullable=False),
    sa.Column("task", sa.JSON, nullable=False),
    sa.Column("follow_up_after", sa.Integer, nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("result", sa.JSON),
    sa.Column("measured_at", TZ),
)

saved_views = sa.Table(
    "saved_views",
    metadata,
    sa.Column("view_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False, index=True),
    sa.Column("page", sa.String(40), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("query", sa.String(2000), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.UniqueConstraint("username", "page", "name", name="uq_saved_views_user_page_name"),
)

subscriptions = sa.Table(
    "subscriptions",
    metadata,
    sa.Column("subscription_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("username", sa.String(100), nullable=False, index=True),
    sa.Column("cadence", sa.String(10), nullable=False),
    sa.Column("channel", sa.String(10), nullable=False),
    sa.Column("target", sa.String(500), nullable=False),
    sa.Column("lang", sa.String(5), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("last_key", sa.String(20)),
    sa.Column("last_sent_at", TZ),
    sa.Column("last_error", sa.String(2000)),
    sa.UniqueConstraint("username", "cadence", "channel", "target", name="uq_subscriptions_user_target"),
)
