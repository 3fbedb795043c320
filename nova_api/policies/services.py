"""Rules for /os-services (operators only)."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-services:%s'

RULES = [
    base.rule(ROOT % 'list', base.ADMIN,
              'List services with their zone, status and state.',
              [('GET', '/os-services')]),
    base.rule(ROOT % 'update', base.ADMIN,
              'Enable, disable or force down a service.',
              [('PUT', '/os-services/enable'),
               ('PUT', '/os-services/disable'),
               ('PUT', '/os-services/disable-log-reason'),
               ('PUT', '/os-services/force-down'),
               ('PUT', '/os-services/{service_id}')]),
    base.rule(ROOT % 'delete', base.ADMIN, 'Delete a service record.',
              [('DELETE', '/os-services/{service_id}')]),
]


def list_rules():
    return RULES
