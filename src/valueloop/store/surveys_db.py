"""App database tables of surveys and the inner loop: invitations, unit links, responses, cases.

Defined on :data:`valueloop.store.appdb.metadata` (migration ``0010`` creates them). An
invitation is unique per (survey, interaction), so a trigger run twice invites nobody twice;
its e-mail delivery is its own small outbox (``delivery`` queued → sent, or dead after the
give-up age, resendable). A response's id is the ``feedback_id`` of its row in the lake (the
invitation id for an invitation), and a case is unique per response: answering again updates
both, never doubles them.
"""

from __future__ import annotations

import sqlalchemy as sa

from valueloop.store.appdb import TZ, metadata

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
