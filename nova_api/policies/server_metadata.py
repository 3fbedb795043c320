"""Rules for /servers/{id}/metadata."""

from nova_api.policies import base

ROOT = 'os_compute_api:server-metadata:%s'
ALL = '/servers/{server_id}/metadata'
ONE = ALL + '/{key}'

RULES = [
    base.rule(ROOT % 'index', base.PROJECT_READER_OR_ADMIN,
              'List a server\'s metadata.', [('GET', ALL)]),
    base.rule(ROOT % 'show', base.PROJECT_READER_OR_ADMIN,
              'Show one metadata item of a server.', [('GET', ONE)]),
    base.rule(ROOT % 'create', base.PROJECT_MEMBER_OR_ADMIN,
              'Add or change metadata items, keeping the others.',
              [('POST', ALL)]),
    base.rule(ROOT % 'update_all', base.PROJECT_MEMBER_OR_ADMIN,
              'Replace all of a server\'s metadata.', [('PUT', ALL)]),
    base.rule(ROOT % 'update', base.PROJECT_MEMBER_OR_ADMIN,
              'Set one metadata item.', [('PUT', ONE)]),
    base.rule(ROOT % 'delete', base.PROJECT_MEMBER_OR_ADMIN,
              'Remove one metadata item.', [('DELETE', ONE)]),
]


def list_rules():
    return RULES
