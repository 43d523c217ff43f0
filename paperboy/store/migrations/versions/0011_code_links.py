"""Code links of papers, GitHub repositories and their daily star snapshots.

Revision ID: 0011
Revises: 0010
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "code_links",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=True),
        sa.Column("repo_key", sa.String(length=300), nullable=True),
        sa.Column("official", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_code_links_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("paper_id", "position", name=op.f("pk_code_links")),
    )
    op.create_index("ix_code_links_repo_key", "code_links", ["repo_key"])
    op.create_table(
        "github_repos",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("full_name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=True),
        sa.Column("pushed_at", sa.DateTime(), nullable=True),
        sa.Column("archived", sa.Boolean(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("license", sa.String(length=100), nullable=True),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_github_repos")),
    )
    op.create_index("ix_github_repos_status_checked", "github_repos", ["status", "checked_at"])
    op.create_table(
        "github_star_snapshots",
        sa.Column("repo_key", sa.String(length=300), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["repo_key"],
            ["github_repos.key"],
            name=op.f("fk_github_star_snapshots_repo_key_github_repos"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("repo_key", "day", name=op.f("pk_github_star_snapshots")),
    )


def downgrade() -> None:
    op.drop_table("github_star_snapshots")
    op.drop_index("ix_github_repos_status_checked", table_name="github_repos")
    op.drop_table("github_repos")
    op.drop_index("ix_code_links_repo_key", table_name="code_links")
    op.drop_table("code_links")
