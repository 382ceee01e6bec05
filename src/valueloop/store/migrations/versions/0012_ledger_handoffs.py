"""ledger coverage of hand-offs and action comments: list the rows that predate it

From this revision on, every hand-off (sent, accepted) and every comment on an action carries
its content hash in the ledger, like action history since ``0008``: a comment edited or a
hand-off's acceptance forged behind the application's back is named by ``ledger verify``.
Rows already stored are listed in one ``coverage`` record (not covered, but their loss fails).

Revision ID: 0012
Revises: 0011
"""

from alembic import op

from valueloop.store.ledger import append
from valueloop.store.ledger_rows import legacy_ids

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    listed = legacy_ids(conn, ("handoffs", "action_comments"))
    if any(listed.values()):
        append(conn, "coverage", "coverage/0012", {"since": "0012", "not_covered": listed})


def downgrade() -> None:
    """The coverage record stays: the ledger is append-only."""
