"""Rules for private flavors: who they are shared with."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-flavor-access'
ACTION = '/flavors/{flavor_id}/action (%s)'

RULES = [
    base.rule(ROOT, base.ADMIN,
              'List the projects a private flavor is shared with.',
              [('GET', '/flavors/{flavor_id}/os-flavor-access')]),
    base.rule(ROOT + ':add_tenant_access', base.ADMIN,
              'Share a private flavor with a project.',
              [('POST', ACTION % 'addTenantAccess')]),
    base.rule(ROOT + ':remove_tenant_access', base.ADMIN,
              'Stop sharing a private flavor with a project.',
              [('POST', ACTION % 'removeTenantAccess')]),
]


def list_rules():
    return RULES
