"""alerts: alerts, silences, notifications

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("alert_id", sa.String(40), primary_key=True),
        sa.Column("fingerprint", sa.String(16), nullable=False, index=True),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("entity_id", sa.String(200), nullable=False),
        sa.Column("severity", sa.String(10), nullable=False),
        sa.Column("labels", sa.JSON, nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("status", sa.String(10), nullable=False, index=True),
        sa.Column("value", sa.Float),
        sa.Column("started_at", TZ, nullable=False, index=True),
        sa.Column("fired_at", TZ, nullable=False),
        sa.Column("resolved_at", TZ),
        sa.Column("acked_by", sa.String(100)),
        sa.Column("acked_at", TZ),
        sa.Column("ack_comment", sa.String(500)),
        sa.Column("muted", sa.String(200)),
    )
    op.create_table(
        "silences",
        sa.Column("silence_id", sa.String(20), primary_key=True),
        sa.Column("matchers", sa.JSON, nullable=False),
        sa.Column("starts_at", TZ),
        sa.Column("ends_at", TZ),
        sa.Column("schedule", sa.JSON),
        sa.Column("comment", sa.String(500), nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("notification_id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("alert_id", sa.String(40), nullable=False, index=True),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("channel", sa.String(100), nullable=False),
        sa.Column("state", sa.String(10), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(500)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("done_at", TZ),
        sa.UniqueConstraint("alert_id", "status", "channel", name="uq_notification_once"),
    )


def downgrade() -> None:
    op.drop_table("notifications")
    op.drop_table("silences")
    op.drop_table("alerts")
