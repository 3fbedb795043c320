"""Rules for /servers/{id}/os-server-password."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:os-server-password:show',
              base.PROJECT_READER_OR_ADMIN,
              'Read the encrypted password the server\'s guest posted to '
              'the metadata service.',
              [('GET', '/servers/{server_id}/os-server-password')]),
    base.rule('os_compute_api:os-server-password:clear',
              base.PROJECT_MEMBER_OR_ADMIN,
              'Clear the server\'s password, so its guest may post a new '
              'one.',
              [('DELETE', '/servers/{server_id}/os-server-password')]),
]


def list_rules():
    return RULES
