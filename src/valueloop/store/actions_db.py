"""App database tables of the improvement loop: actions, their links, RACI, history,
verification evidence, hand-offs between departments, and versioned standard documents.

Defined on :data:`valueloop.store.appdb.metadata` so one metadata describes the whole
schema (migration ``0004`` creates these tables and a test checks the two agree).
"""

from __future__ import annotations

import sqlalchemy as sa

from valueloop.store.appdb import TZ, metadata


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
