"""Errors a command raises for the user to read (exit code 1, no traceback)."""


class CommandError(Exception):
    """The command cannot do what was asked; str() says why."""
