"""subscriptions: a user's period review (PDF of their scope) by e-mail or webhook, monthly or weekly

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "subscriptions",
        sa.Column("subscription_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False, index=True),
        sa.Column("cadence", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(10), nullable=False),
        sa.Column("target", sa.String(500), nullable=False),
        sa.Column("lang", sa.String(5), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_key", sa.String(20)),
        sa.Column("last_sent_at", sa.DateTime(timezone=True)),
        sa.Column("last_error", sa.String(2000)),
        sa.UniqueConstraint("username", "cadence", "channel", "target", name="uq_subscriptions_user_target"),
    )


def downgrade() -> None:
    op.drop_table("subscriptions")
