"""evaluation runs and results

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "model_versions",
        sa.Column("model_id", sa.String(100), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("reason_category", sa.String(20)),
        sa.Column("reason", sa.Text),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("spec", sa.JSON, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "evaluation_runs",
        sa.Column("run_id", sa.String(40), primary_key=True),
        sa.Column("model_id", sa.String(100), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("period", sa.String(20), nullable=False, index=True),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("parameters", sa.JSON, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "evaluation_results",
        sa.Column(
            "run_id", sa.String(40), sa.ForeignKey("evaluation_runs.run_id", ondelete="CASCADE"), primary_key=True
        ),
        sa.Column("entity_id", sa.String(100), primary_key=True),
        sa.Column("score", sa.Float),
        sa.Column("rank", sa.Integer),
        sa.Column("result", sa.JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("evaluation_results")
    op.drop_table("evaluation_runs")
    op.drop_table("model_versions")
