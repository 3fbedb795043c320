"""Rules for /servers/{id}/tags (2.26)."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-server-tags:%s'
ALL = '/servers/{server_id}/tags'
ONE = ALL + '/{tag}'

RULES = [
    base.rule(ROOT % 'index', base.PROJECT_READER_OR_ADMIN,
              'List a server\'s tags.', [('GET', ALL)]),
    base.rule(ROOT % 'show', base.PROJECT_READER_OR_ADMIN,
              'Check whether a server has a tag.', [('GET', ONE)]),
    base.rule(ROOT % 'update_all', base.PROJECT_MEMBER_OR_ADMIN,
              'Replace all of a server\'s tags.', [('PUT', ALL)]),
    base.rule(ROOT % 'update', base.PROJECT_MEMBER_OR_ADMIN,
              'Add one tag to a server.', [('PUT', ONE)]),
    base.rule(ROOT % 'delete_all', base.PROJECT_MEMBER_OR_ADMIN,
              'Remove every tag of a server.', [('DELETE', ALL)]),
    base.rule(ROOT % 'delete', base.PROJECT_MEMBER_OR_ADMIN,
              'Remove one tag from a server.', [('DELETE', ONE)]),
]


def list_rules():
    return RULES
