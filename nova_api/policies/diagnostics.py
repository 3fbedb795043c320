"""Rules for /servers/{id}/diagnostics."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:os-server-diagnostics', base.ADMIN,
              'Read what the hypervisor reports of a server\'s domain.',
              [('GET', '/servers/{server_id}/diagnostics')]),
]


def list_rules():
    return RULES
