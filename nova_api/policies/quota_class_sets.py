"""Rules for /os-quota-class-sets (operators only): the 'default' class
is every project's default quota."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-quota-class-sets:%s'
ONE = '/os-quota-class-sets/{quota_class}'

RULES = [
    base.rule(ROOT % 'show', base.ADMIN, 'Show a quota class\'s limits.',
              [('GET', ONE)]),
    base.rule(ROOT % 'update', base.ADMIN,
              'Change a quota class\'s limits (\'default\': every '
              'project\'s defaults).', [('PUT', ONE)]),
]


def list_rules():
    return RULES
