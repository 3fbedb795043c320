"""Rules for /servers: list, show, create, delete, and admin-only fields."""

from nova_api.policies import base

ROOT = 'os_compute_api:servers:%s'

RULES = [
    base.rule(ROOT % 'index', base.PROJECT_READER_OR_ADMIN,
              'List the servers of a project.', [('GET', '/servers')]),
    base.rule(ROOT % 'detail', base.PROJECT_READER_OR_ADMIN,
              'List the servers of a project with their details.',
              [('GET', '/servers/detail')]),
    base.rule(ROOT % 'index:get_all_tenants', base.ADMIN,
              'List servers of every project (all_tenants).',
              [('GET', '/servers')]),
    base.rule(ROOT % 'detail:get_all_tenants', base.ADMIN,
              'List servers of every project with details (all_tenants).',
              [('GET', '/servers/detail')]),
    base.rule(ROOT % 'allow_all_filters', base.ADMIN,
              'Filter server lists by fields only operators see (host); '
              'for others such filters are ignored.',
              [('GET', '/servers'), ('GET', '/servers/detail')]),
    base.rule(ROOT % 'show', base.PROJECT_READER_OR_ADMIN,
              'Show one server.', [('GET', '/servers/{server_id}')]),
    base.rule(ROOT % 'create', base.PROJECT_MEMBER_OR_ADMIN,
              'Create servers in the caller\'s project.',
              [('POST', '/servers')]),
    base.rule(ROOT % 'create:forced_host', base.ADMIN,
              'Name a host (and node) in availability_zone, bypassing '
              'the scheduler\'s choice.', [('POST', '/servers')]),
    base.rule(ROOT % 'create:requested_destination', base.ADMIN,
              'Name a host or hypervisor_hostname in the create body '
              '(2.74); the scheduler still checks it.',
              [('POST', '/servers')]),
    base.rule(ROOT % 'update', base.PROJECT_MEMBER_OR_ADMIN,
              'Rename a server or change its description, hostname or '
              'access addresses.', [('PUT', '/servers/{server_id}')]),
    base.rule(ROOT % 'delete', base.PROJECT_MEMBER_OR_ADMIN,
              'Delete a server.', [('DELETE', '/servers/{server_id}')]),
    base.rule(ROOT % 'show:host_status', base.ADMIN,
              'See host_status (2.16): whether the server\'s host is up, '
              'down or in maintenance.',
              [('GET', '/servers/{server_id}'),
               ('GET', '/servers/detail')]),
    base.rule('os_compute_api:os-extended-server-attributes', base.ADMIN,
              'See where a server runs: the OS-EXT-SRV-ATTR host, '
              'hypervisor_hostname and instance_name fields.',
              [('GET', '/servers/{server_id}'),
               ('GET', '/servers/detail')]),
]


def list_rules():
    return RULES
