"""conversation QA: disputes of item results, coaching tasks with their follow-up measurement

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "qa_disputes",
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
    op.create_table(
        "qa_coaching",
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


def downgrade() -> None:
    op.drop_table("qa_coaching")
    op.drop_table("qa_disputes")
