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
]


def list_rules():
    return RULES
