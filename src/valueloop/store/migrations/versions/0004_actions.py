"""improvement actions, hand-offs and standard documents

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _action_fk(primary_key: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(
        "action_id",
        sa.Integer,
        sa.ForeignKey("actions.action_id", ondelete="CASCADE"),
        nullable=False,
        primary_key=primary_key,
    )


def upgrade() -> None:
    op.create_table(
        "actions",
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
    op.create_table(
        "action_links",
        sa.Column("link_id", sa.Integer, primary_key=True, autoincrement=True),
        _action_fk(),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("ref", sa.String(200), nullable=False),
        sa.UniqueConstraint("action_id", "kind", "ref", name="uq_action_links"),
    )
    op.create_table(
        "action_departments",
        _action_fk(primary_key=True),
        sa.Column("department", sa.String(100), primary_key=True),
        sa.Column("role", sa.String(1), primary_key=True),
    )
    op.create_table(
        "action_documents",
        _action_fk(primary_key=True),
        sa.Column("doc_id", sa.String(100), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
    )
    op.create_table(
        "action_transitions",
        sa.Column("transition_id", sa.Integer, primary_key=True, autoincrement=True),
        _action_fk(),
        sa.Column("from_status", sa.String(20)),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_table(
        "action_comments",
        sa.Column("comment_id", sa.Integer, primary_key=True, autoincrement=True),
        _action_fk(),
        sa.Column("author", sa.String(100), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_table(
        "action_verifications",
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
    op.create_table(
        "handoffs",
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
    op.create_table(
        "documents",
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


def downgrade() -> None:
    for table in (
        "documents",
        "handoffs",
        "action_verifications",
        "action_comments",
        "action_transitions",
        "action_documents",
        "action_departments",
        "action_links",
        "actions",
    ):
        op.drop_table(table)
