"""Rules for remote consoles and their tokens."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:os-remote-consoles',
              base.PROJECT_MEMBER_OR_ADMIN,
              'Open a remote console of a server (a URL with a one-time '
              'token for a console proxy).',
              [('POST', '/servers/{server_id}/action (os-getVNCConsole)'),
               ('POST', '/servers/{server_id}/action (os-getSerialConsole)'),
               ('POST', '/servers/{server_id}/remote-consoles')]),
    base.rule('os_compute_api:os-console-auth-tokens',
              base.ADMIN,
              'Show where a console token leads (its host and port).',
              [('GET', '/os-console-auth-tokens/{console_token}')]),
]


def list_rules():
    return RULES
