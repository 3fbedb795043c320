"""Alembic migrations of the conductor's database (`nova-manage db sync`)."""
