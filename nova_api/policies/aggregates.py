"""Rules for /os-aggregates (operators only)."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-aggregates:%s'
ONE = '/os-aggregates/{aggregate_id}'
ACTION = ONE + '/action (%s)'

RULES = [
    base.rule(ROOT % 'index', base.ADMIN, 'List host aggregates.',
              [('GET', '/os-aggregates')]),
    base.rule(ROOT % 'create', base.ADMIN, 'Create a host aggregate.',
              [('POST', '/os-aggregates')]),
    base.rule(ROOT % 'show', base.ADMIN, 'Show a host aggregate.',
              [('GET', ONE)]),
    base.rule(ROOT % 'update', base.ADMIN,
              'Rename an aggregate or change its availability zone.',
              [('PUT', ONE)]),
    base.rule(ROOT % 'delete', base.ADMIN, 'Delete a host aggregate.',
              [('DELETE', ONE)]),
    base.rule(ROOT % 'add_host', base.ADMIN, 'Add a host to an aggregate.',
              [('POST', ACTION % 'add_host')]),
    base.rule(ROOT % 'remove_host', base.ADMIN,
              'Remove a host from an aggregate.',
              [('POST', ACTION % 'remove_host')]),
    base.rule(ROOT % 'set_metadata', base.ADMIN,
              'Set or clear metadata keys of an aggregate.',
              [('POST', ACTION % 'set_metadata')]),
    base.rule(ROOT % 'images', base.ADMIN,
              'Pre-cache images on an aggregate\'s hosts (2.81).',
              [('POST', ONE + '/images')]),
]


def list_rules():
    return RULES
