"""Searching an owner's code on PostgreSQL: a trigram index beside the owner columns.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


# Both extensions are contrib modules marked trusted (PostgreSQL 13 and later): the database's
# owner, or any role with CREATE on it, may create them; else a superuser creates them first
# (docs/deployment.md). A plain CREATE INDEX: it blocks writes to `submissions` while it builds.
# SQLite: nothing (a search reads the owner's rows there).
def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    op.create_index(
        "ix_submissions_search",
        "submissions",
        ["user_id", "owner_key", "code"],
        postgresql_using="gin",
        postgresql_ops={"code": "gin_trgm_ops"},
    )


# The extensions stay: other objects of the database may use them.
def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.drop_index("ix_submissions_search", table_name="submissions")
