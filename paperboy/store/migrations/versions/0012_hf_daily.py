"""Hugging Face daily papers: HF's counts and fields per paper, apart from local votes.

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "hf_papers",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("upvotes", sa.Integer(), nullable=False),
        sa.Column("comments", sa.Integer(), nullable=True),
        sa.Column("submitter", sa.String(length=200), nullable=True),
        sa.Column("submitter_name", sa.String(length=200), nullable=True),
        sa.Column("featured_on", sa.Date(), nullable=True),
        sa.Column("github_repo", sa.Text(), nullable=True),
        sa.Column("project_page", sa.Text(), nullable=True),
        sa.Column("ai_summary", sa.Text(), nullable=True),
        sa.Column("ai_keywords", sa.JSON(), nullable=False),
        sa.Column("synced_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_hf_papers_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("paper_id", name=op.f("pk_hf_papers")),
    )
    op.create_index("ix_hf_papers_featured_on", "hf_papers", ["featured_on"])


def downgrade() -> None:
    op.drop_index("ix_hf_papers_featured_on", table_name="hf_papers")
    op.drop_table("hf_papers")
