"""notification outbox: when each notification is next tried, since when it is queued, what it says

Revision ID: 0009
Revises: 0007 (on this branch; revises 0008, the ledger coverage, once both are merged)
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("queued_at", TZ))
        batch.add_column(sa.Column("next_attempt_at", TZ))
        batch.add_column(sa.Column("notice", sa.JSON))
        batch.create_index("ix_notifications_due", ["state", "next_attempt_at"])
    # rows queued before the outbox are due now; their give-up age counts from their creation
    op.execute("UPDATE notifications SET queued_at = created_at, next_attempt_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_index("ix_notifications_due")
        batch.drop_column("notice")
        batch.drop_column("next_attempt_at")
        batch.drop_column("queued_at")
