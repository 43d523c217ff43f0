"""Community: papers submitted by readers, editor's picks, hidden papers.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_submissions_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_submissions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_submissions")),
        sa.UniqueConstraint("paper_id", name=op.f("uq_submissions_paper_id")),
    )
    op.create_index("ix_submissions_user_created", "submissions", ["user_id", "created_at"])
    op.create_table(
        "picks",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"], ["papers.id"], name=op.f("fk_picks_paper_id_papers"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_picks_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("paper_id", name=op.f("pk_picks")),
    )
    op.create_index("ix_picks_day", "picks", ["day"])
    with op.batch_alter_table("papers") as batch:
        batch.add_column(
            sa.Column("hidden", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("papers") as batch:
        batch.drop_column("hidden")
    op.drop_index("ix_picks_day", table_name="picks")
    op.drop_table("picks")
    op.drop_index("ix_submissions_user_created", table_name="submissions")
    op.drop_table("submissions")
