"""levels may be fields: room for ``field:NAME`` in runs and findings

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

TABLES = ("evaluation_runs", "findings")


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("level", type_=sa.String(120), existing_type=sa.String(20), existing_nullable=False)


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.alter_column("level", type_=sa.String(20), existing_type=sa.String(120), existing_nullable=False)
