"""Rules for /healthcheck (without a token it answers everyone, briefly)."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:os-healthcheck:detailed', base.ADMIN,
              'See /healthcheck in detail: every check\'s details and '
              'the API process\'s threads.',
              [('GET', '/healthcheck'), ('HEAD', '/healthcheck')]),
]


def list_rules():
    return RULES
