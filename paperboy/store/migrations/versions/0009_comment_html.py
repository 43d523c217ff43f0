"""Comments keep their rendered HTML (written with the body; older rows are rendered on
first view and saved then), and an index for counting an account's recent comments.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A plain ADD COLUMN (no table rebuild on SQLite, so nothing cascades).
    op.add_column("comments", sa.Column("body_html", sa.Text(), nullable=True))
    op.create_index("ix_comments_user_created", "comments", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_comments_user_created", table_name="comments")
    with op.batch_alter_table("comments") as batch:
        batch.drop_column("body_html")
