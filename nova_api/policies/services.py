"""Rules for /os-services (operators only)."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-services:%s'

RULES = [
    base.rule(ROOT % 'list', base.ADMIN,
              'List services with their zone, status and state.',
              [('GET', '/os-services')]),
    base.rule(ROOT % 'update', base.ADMIN,
              'Enable or disable a service, with a reason.',
              [('PUT', '/os-services/enable'),
               ('PUT', '/os-services/disable'),
               ('PUT', '/os-services/disable-log-reason')]),
]


def list_rules():
    return RULES
