"""A change counter for GitHub star snapshots, so trending (which now counts star gains)
knows when its cached candidates are stale.

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

counters = sa.table(
    "change_counters", sa.column("name", sa.String), sa.column("value", sa.BigInteger)
)


def upgrade() -> None:
    op.bulk_insert(counters, [{"name": "stars", "value": 0}])


def downgrade() -> None:
    op.execute(counters.delete().where(counters.c.name == "stars"))
