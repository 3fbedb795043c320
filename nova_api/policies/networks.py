"""Rules for /os-networks and /os-tenant-networks: the networks a project
may boot on (readers of the project, or operators)."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:os-networks:list',
              base.PROJECT_READER_OR_ADMIN, 'List networks.',
              [('GET', '/os-networks')]),
    base.rule('os_compute_api:os-networks:view',
              base.PROJECT_READER_OR_ADMIN, 'Show a network.',
              [('GET', '/os-networks/{network_id}')]),
    base.rule('os_compute_api:os-tenant-networks:list',
              base.PROJECT_READER_OR_ADMIN, 'List the project\'s networks.',
              [('GET', '/os-tenant-networks')]),
    base.rule('os_compute_api:os-tenant-networks:show',
              base.PROJECT_READER_OR_ADMIN, 'Show one of the project\'s '
              'networks.', [('GET', '/os-tenant-networks/{network_id}')]),
]


def list_rules():
    return RULES
