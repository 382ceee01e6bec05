"""survey answers: accepted in the app database, flushed to the lake in batches (pending_at, feedback, lake_error)

Rows already there were written to the lake before they were recorded, so both columns start
NULL: "in the lake".

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey_responses") as batch:
        batch.add_column(sa.Column("pending_at", sa.DateTime(timezone=True)))
        batch.add_column(sa.Column("feedback", sa.JSON))
        batch.add_column(sa.Column("lake_error", sa.String(500)))
        batch.create_index("ix_survey_responses_pending_at", ["pending_at"])


def downgrade() -> None:
    with op.batch_alter_table("survey_responses") as batch:
        batch.drop_index("ix_survey_responses_pending_at")
        batch.drop_column("lake_error")
        batch.drop_column("feedback")
        batch.drop_column("pending_at")
