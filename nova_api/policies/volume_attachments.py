"""Rules for /servers/{id}/os-volume_attachments."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-volumes-attachments:%s'
ALL = '/servers/{server_id}/os-volume_attachments'
ONE = ALL + '/{volume_id}'

RULES = [
    base.rule(ROOT % 'index', base.PROJECT_READER_OR_ADMIN,
              'List the volumes attached to a server.', [('GET', ALL)]),
    base.rule(ROOT % 'show', base.PROJECT_READER_OR_ADMIN,
              'Show one volume attached to a server.', [('GET', ONE)]),
    base.rule(ROOT % 'create', base.PROJECT_MEMBER_OR_ADMIN,
              'Attach a volume to a server.', [('POST', ALL)]),
    base.rule(ROOT % 'update', base.PROJECT_MEMBER_OR_ADMIN,
              'Change an attachment of a server (delete_on_termination, '
              '2.85).', [('PUT', ONE)]),
    base.rule(ROOT % 'delete', base.PROJECT_MEMBER_OR_ADMIN,
              'Detach a volume from a server.', [('DELETE', ONE)]),
]


def list_rules():
    return RULES
