"""Rules for /os-availability-zone."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-availability-zone:%s'

RULES = [
    base.rule(ROOT % 'list', base.ANYONE,
              'List the availability zones servers may be booted into.',
              [('GET', '/os-availability-zone')]),
    base.rule(ROOT % 'detail', base.ADMIN,
              'List every zone with its hosts and their services.',
              [('GET', '/os-availability-zone/detail')]),
]


def list_rules():
    return RULES
