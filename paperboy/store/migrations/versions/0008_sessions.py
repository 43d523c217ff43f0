"""Revocable sessions: a per-account session generation; the address a subscription
email was requested from (the per-IP limit on /subscribe).

A session cookie carries the generation it was issued under; bumping
``users.session_generation`` (sign-out, "sign out everywhere", suspension) ends every
session issued before. ``subscriptions.confirm_ip`` is the client address of the last
confirmation or reminder email, counted like ``login_tokens.ip``.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(
            sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0")
        )
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("confirm_ip", sa.String(length=64), nullable=True))
    op.create_index(
        "ix_subscriptions_confirm_ip_sent", "subscriptions", ["confirm_ip", "confirm_sent_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_subscriptions_confirm_ip_sent", table_name="subscriptions")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("confirm_ip")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("session_generation")
