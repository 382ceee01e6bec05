"""surveys and the inner loop: invitations, unit links, responses, follow-up cases

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "survey_invitations",
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
        sa.Column("queued_at", TZ, nullable=False),
        sa.Column("next_attempt_at", TZ),
        sa.Column("delivered_at", TZ),
        sa.Column("opened_at", TZ),
        sa.Column("answered_at", TZ),
        sa.Column("reminded_at", TZ),
        sa.UniqueConstraint("survey_id", "interaction_id", name="uq_invitation_once"),
    )
    op.create_table(
        "survey_links",
        sa.Column("link_id", sa.String(64), primary_key=True),
        sa.Column("survey_id", sa.String(64), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.UniqueConstraint("survey_id", "entity_id", name="uq_link_per_unit"),
    )
    op.create_table(
        "survey_responses",
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
    op.create_table(
        "survey_cases",
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


def downgrade() -> None:
    for table in ("survey_cases", "survey_responses", "survey_links", "survey_invitations"):
        op.drop_table(table)
