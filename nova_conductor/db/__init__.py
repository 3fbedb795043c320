"""The conductor's database layer: models, sessions, and queries by area."""
