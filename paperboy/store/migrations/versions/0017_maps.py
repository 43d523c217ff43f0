"""Topic maps: the cached map of a period (derived data, rebuilt by `paperboy map build`).

Revision ID: 0017
Revises: 0016
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "topic_maps",
        sa.Column("period", sa.String(length=16), nullable=False),
        sa.Column("model", sa.String(length=64), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("papers", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("built_at", sa.DateTime(), nullable=False),
        sa.Column("build_seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("period", "model", name=op.f("pk_topic_maps")),
    )


def downgrade() -> None:
    op.drop_table("topic_maps")
