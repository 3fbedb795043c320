"""Rules for /extensions, the legacy extension list."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:extensions', base.ANYONE,
              'List the legacy API extensions, or show one by alias.',
              [('GET', '/extensions'), ('GET', '/extensions/{alias}')]),
]


def list_rules():
    return RULES
