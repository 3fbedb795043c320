"""Rules for /flavors/{id}/os-extra_specs."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-flavor-extra-specs:%s'
ALL = '/flavors/{flavor_id}/os-extra_specs'
ONE = '/flavors/{flavor_id}/os-extra_specs/{flavor_extra_spec_key}'

RULES = [
    base.rule(ROOT % 'index', base.PROJECT_READER_OR_ADMIN,
              'List a flavor\'s extra specs.', [('GET', ALL)]),
    base.rule(ROOT % 'show', base.PROJECT_READER_OR_ADMIN,
              'Show one extra spec of a flavor.', [('GET', ONE)]),
    base.rule(ROOT % 'create', base.ADMIN,
              'Add or replace extra specs of a flavor.', [('POST', ALL)]),
    base.rule(ROOT % 'update', base.ADMIN,
              'Change one extra spec of a flavor.', [('PUT', ONE)]),
    base.rule(ROOT % 'delete', base.ADMIN,
              'Remove one extra spec from a flavor.', [('DELETE', ONE)]),
]


def list_rules():
    return RULES
