"""Pending submissions: queued and running ones have no result yet; finished_at records the verdict.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from execbox.db.models import OutputText, UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_RESULT_COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    "stdout": OutputText(),
    "stdout_truncated": sa.Boolean(),
    "stderr": OutputText(),
    "stderr_truncated": sa.Boolean(),
    "wall_ms": sa.Float(),
    "cpu_ms": sa.Float(),
    "memory_kb": sa.Integer(),
}


def upgrade() -> None:
    with op.batch_alter_table("submissions") as table:
        table.add_column(sa.Column("finished_at", UtcDateTime(), nullable=True))
        for name, kind in _RESULT_COLUMNS.items():
            table.alter_column(name, existing_type=kind, nullable=True)
    op.execute("UPDATE submissions SET finished_at = created_at")


def downgrade() -> None:
    op.execute("DELETE FROM submissions WHERE status IN ('queued', 'running')")
    with op.batch_alter_table("submissions") as table:
        for name, kind in _RESULT_COLUMNS.items():
            table.alter_column(name, existing_type=kind, nullable=False)
        table.drop_column("finished_at")
