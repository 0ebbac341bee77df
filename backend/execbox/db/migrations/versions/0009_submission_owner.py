"""A submission made with credentials belongs to that account, and may be private.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from execbox.db.models import AutoIncrementId

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("submissions") as table:
        table.add_column(
            sa.Column(
                "user_id",
                AutoIncrementId,
                sa.ForeignKey("users.id", name="fk_submissions_user_id", ondelete="CASCADE"),
                nullable=True,
            )
        )
        table.add_column(sa.Column("visibility", sa.String(16), nullable=False, server_default="unlisted"))
    op.create_index("ix_submissions_user_id_seq", "submissions", ["user_id", "seq"])


def downgrade() -> None:
    op.drop_index("ix_submissions_user_id_seq", table_name="submissions")
    with op.batch_alter_table("submissions") as table:
        table.drop_column("visibility")
        table.drop_constraint("fk_submissions_user_id", type_="foreignkey")
        table.drop_column("user_id")
