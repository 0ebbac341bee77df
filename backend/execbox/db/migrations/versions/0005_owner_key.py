"""Submissions belong to the holder of an owner token (its hash), listed only to them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as table:
        table.add_column(sa.Column("owner_key", sa.String(64), nullable=True))
    op.create_index("ix_submissions_owner_key_seq", "submissions", ["owner_key", "seq"])


def downgrade() -> None:
    op.drop_index("ix_submissions_owner_key_seq", table_name="submissions")
    with op.batch_alter_table("submissions") as table:
        table.drop_column("owner_key")
