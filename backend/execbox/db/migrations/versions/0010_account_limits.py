"""An account's own rate limit and share of runs alive, set by an administrator.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


# Plain ALTER TABLE on both databases, never a batch copy: on SQLite a copy drops `users`, and with
# foreign keys on, dropping it deletes every account's keys and submissions first (ON DELETE
# CASCADE). SQLite drops a plain column in place since 3.35.
def upgrade() -> None:
    op.add_column("users", sa.Column("rate_limit", sa.String(100), nullable=True))
    op.add_column("users", sa.Column("runs_alive", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "runs_alive")
    op.drop_column("users", "rate_limit")
