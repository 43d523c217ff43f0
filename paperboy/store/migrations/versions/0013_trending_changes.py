"""Change tracking for caches: counters for GitHub star snapshots (trending counts star
gains) and for content that anonymous pages show (comments, picks, HF counts), and a log
of which paper each recent vote touched (so a trending cache a few votes behind
re-reads those papers only).

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
    op.bulk_insert(counters, [{"name": "stars", "value": 0}, {"name": "content", "value": 0}])
    op.create_table(
        "vote_changes",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_vote_changes")),
    )


def downgrade() -> None:
    op.drop_table("vote_changes")
    op.execute(counters.delete().where(counters.c.name.in_(["stars", "content"])))
