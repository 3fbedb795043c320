"""Rules for /servers/{id}/os-instance-actions."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-instance-actions:%s'

RULES = [
    base.rule(ROOT % 'list', base.PROJECT_READER_OR_ADMIN,
              'List the actions done to a server.',
              [('GET', '/servers/{server_id}/os-instance-actions')]),
    base.rule(ROOT % 'show', base.PROJECT_READER_OR_ADMIN,
              'Show one action on a server, with its steps.',
              [('GET', '/servers/{server_id}/os-instance-actions/'
                       '{request_id}')]),
    base.rule(ROOT % 'events', base.ADMIN,
              'See the traceback of a failed step of an action.',
              [('GET', '/servers/{server_id}/os-instance-actions/'
                       '{request_id}')]),
]


def list_rules():
    return RULES
