"""The web dashboard: static front end plus the falcon resources serving it."""
