"""App database tables of the real-time monitor: alerts, silences and notifications.

Defined on :data:`valueloop.store.appdb.metadata` (migration ``0007`` creates them, ``0009``
makes ``notifications`` an outbox). An alert's id is deterministic (rule + entity fingerprint
and the time its condition began), and a notification is unique per (alert, status, channel):
replaying events after a crash writes nothing twice. ``notifications`` is the durable outbox
of :class:`valueloop.monitoring.service.notify.Outbox`: a row is written with its alert, in the same
transaction, as ``queued``; it becomes ``sent`` only after the channel accepted it, or
``dead`` once it has failed for longer than the channel's give-up age.
"""

from __future__ import annotations

import sqlalchemy as sa

from valueloop.store.appdb import TZ, metadata

alerts = sa.Table(
    "alerts",
    metadata,
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

silences = sa.Table(
    "silences",
    metadata,
    sa.Column("silence_id", sa.String(20), primary_key=True),
    sa.Column("matchers", sa.JSON, nullable=False),
    sa.Column("starts_at", TZ),
    sa.Column("ends_at", TZ),
    sa.Column("schedule", sa.JSON),
    sa.Column("comment", sa.String(500), nullable=False),
    sa.Column("created_by", sa.String(100), nullable=False),
    sa.Column("created_at", TZ, nullable=False),
)

notifications = sa.Table(
    "notifications",
    metadata,
    sa.Column("notification_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("alert_id", sa.String(40), nullable=False, index=True),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("channel", sa.String(100), nullable=False),
    sa.Column("state", sa.String(10), nullable=False, index=True),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("last_error", sa.String(500)),
    sa.Column("created_at", TZ, nullable=False),
    sa.Column("done_at", TZ),
    sa.Column("queued_at", TZ),  # since when it is being tried (reset by a resend): the give-up age counts from here
    sa.Column("next_attempt_at", TZ),
    sa.Column("notice", sa.JSON),  # the notice as queued (Notice.as_json), so a restart sends what was decided
    sa.UniqueConstraint("alert_id", "status", "channel", name="uq_notification_once"),
    sa.Index("ix_notifications_due", "state", "next_attempt_at"),
)
