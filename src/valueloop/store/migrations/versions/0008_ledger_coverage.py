"""ledger coverage of alert rows and action history: list the rows that predate it

From this revision on, every alert row and action transition carries its content hash in
the ledger (``valueloop.store.ledger_rows``). Rows already stored get no hash — nobody
checked them, and hashing them now would have the ledger vouch for whatever they hold —
so one ``coverage`` record lists their ids: ``ledger verify`` reports them as not covered
rather than failing, and still fails if one of them disappears. A database without such
rows gets no record.

Revision ID: 0008
Revises: 0007
"""

from alembic import op

from valueloop.store.ledger import append
from valueloop.store.ledger_rows import SINCE, legacy_ids

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    conn = op.get_bind()
    listed = legacy_ids(conn, ("alerts", "action_transitions"))
    if any(listed.values()):
        append(conn, "coverage", f"coverage/{SINCE}", {"since": SINCE, "not_covered": listed})


def downgrade() -> None:
    """The coverage record stays: the ledger is append-only."""
