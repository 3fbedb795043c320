"""Rules for /os-migrations (operators only)."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:os-migrations:index', base.ADMIN,
              'List the moves of instances between hosts.',
              [('GET', '/os-migrations')]),
]


def list_rules():
    return RULES
