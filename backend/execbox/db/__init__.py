"""Persistence: SQLAlchemy 2.0 (async) models, sessions and Alembic migrations."""
