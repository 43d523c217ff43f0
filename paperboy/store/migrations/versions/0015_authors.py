"""Authors as names: ``authors`` (one row per normalised name) and ``paper_authors``
(a paper's byline), filled from every stored paper's authors.

The backfill uses ``paperboy.store.authors.backfill_paper_authors``, the same code the
upsert writes with, so a migrated database and a fresh ingest hold the same rows
(about 20 s for 75,000 papers on SQLite). ``paperboy authors backfill`` re-derives them.

Revision ID: 0015
Revises: 0014
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from paperboy.store.authors import backfill_paper_authors

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "authors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("surname", sa.String(length=300), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authors")),
        sa.UniqueConstraint("key", name=op.f("uq_authors_key")),
    )
    op.create_index("ix_authors_surname_key", "authors", ["surname", "key"])
    op.create_table(
        "paper_authors",
        sa.Column("paper_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["paper_id"],
            ["papers.id"],
            name=op.f("fk_paper_authors_paper_id_papers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["authors.id"],
            name=op.f("fk_paper_authors_author_id_authors"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("paper_id", "position", name=op.f("pk_paper_authors")),
    )
    op.create_index("ix_paper_authors_author_paper", "paper_authors", ["author_id", "paper_id"])
    # Covers what an author page aggregates over a name's papers (count, upvotes,
    # years, the newest first), so it never reads the wide paper rows.
    op.create_index(
        "ix_papers_author_page",
        "papers",
        ["id", "hidden", "announced", "primary_category", "imported_upvotes"],
    )
    backfill_paper_authors(op.get_bind())


def downgrade() -> None:
    op.drop_index("ix_papers_author_page", table_name="papers")
    op.drop_index("ix_paper_authors_author_paper", table_name="paper_authors")
    op.drop_table("paper_authors")
    op.drop_index("ix_authors_surname_key", table_name="authors")
    op.drop_table("authors")
