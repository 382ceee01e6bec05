"""diagnosis findings

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "findings",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("model_id", sa.String(100), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
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


def downgrade() -> None:
    op.drop_table("findings")
