"""Rules for /flavors: reading them, and managing them."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:flavors', base.ANYONE,
              'List and show flavors.',
              [('GET', '/flavors'), ('GET', '/flavors/detail'),
               ('GET', '/flavors/{flavor_id}')]),
    base.rule('os_compute_api:os-flavor-manage:create', base.ADMIN,
              'Create a flavor.', [('POST', '/flavors')]),
    base.rule('os_compute_api:os-flavor-manage:update', base.ADMIN,
              'Change a flavor\'s description (2.55).',
              [('PUT', '/flavors/{flavor_id}')]),
    base.rule('os_compute_api:os-flavor-manage:delete', base.ADMIN,
              'Delete a flavor.', [('DELETE', '/flavors/{flavor_id}')]),
]


def list_rules():
    return RULES
