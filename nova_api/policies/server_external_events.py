"""Rules for /os-server-external-events: other services (the service
role) and operators."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:os-server-external-events:create',
              base.SERVICE_OR_ADMIN,
              'Send events about servers (network, volume, power changes).',
              [('POST', '/os-server-external-events')]),
]


def list_rules():
    return RULES
