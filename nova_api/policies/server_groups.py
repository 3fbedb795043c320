"""Rules for /os-server-groups."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-server-groups:%s'
ONE = '/os-server-groups/{server_group_id}'

RULES = [
    base.rule(ROOT % 'index', base.PROJECT_READER_OR_ADMIN,
              'List the server groups of a project.',
              [('GET', '/os-server-groups')]),
    base.rule(ROOT % 'index:all_projects', base.ADMIN,
              'List the server groups of every project (all_projects).',
              [('GET', '/os-server-groups')]),
    base.rule(ROOT % 'create', base.PROJECT_MEMBER_OR_ADMIN,
              'Create a server group.', [('POST', '/os-server-groups')]),
    base.rule(ROOT % 'show', base.PROJECT_READER_OR_ADMIN,
              'Show a server group.', [('GET', ONE)]),
    base.rule(ROOT % 'delete', base.PROJECT_MEMBER_OR_ADMIN,
              'Delete a server group.', [('DELETE', ONE)]),
]


def list_rules():
    return RULES
