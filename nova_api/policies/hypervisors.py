"""Rules for /os-hypervisors (operators only)."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-hypervisors:%s'

RULES = [
    base.rule(ROOT % 'list', base.ADMIN, 'List hypervisors.',
              [('GET', '/os-hypervisors')]),
    base.rule(ROOT % 'list-detail', base.ADMIN,
              'List hypervisors with their resources and usage.',
              [('GET', '/os-hypervisors/detail')]),
    base.rule(ROOT % 'statistics', base.ADMIN,
              'Sum the resources and usage of every hypervisor.',
              [('GET', '/os-hypervisors/statistics')]),
    base.rule(ROOT % 'show', base.ADMIN, 'Show one hypervisor.',
              [('GET', '/os-hypervisors/{hypervisor_id}')]),
    base.rule(ROOT % 'uptime', base.ADMIN, 'Show a hypervisor\'s uptime.',
              [('GET', '/os-hypervisors/{hypervisor_id}/uptime')]),
    base.rule(ROOT % 'search', base.ADMIN,
              'Find hypervisors by host name.',
              [('GET', '/os-hypervisors/{hypervisor_hostname_pattern}/'
                       'search')]),
    base.rule(ROOT % 'servers', base.ADMIN,
              'List the servers on matching hypervisors.',
              [('GET', '/os-hypervisors/{hypervisor_hostname_pattern}/'
                       'servers')]),
]


def list_rules():
    return RULES
