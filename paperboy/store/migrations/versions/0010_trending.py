"""Trending without scans: an index on votes.created_at, and change counters that let
every process tell cheaply whether its cached trending candidates and hidden-paper set
are still current.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_votes_created", "votes", ["created_at"])
    counters = op.create_table(
        "change_counters",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_change_counters")),
    )
    op.bulk_insert(counters, [{"name": "votes", "value": 0}, {"name": "hidden", "value": 0}])


def downgrade() -> None:
    op.drop_table("change_counters")
    op.drop_index("ix_votes_created", table_name="votes")
