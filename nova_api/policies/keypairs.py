"""Rules for /os-keypairs: a key pair's owner is a user."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-keypairs:%s'

RULES = [
    base.rule(ROOT % 'index', base.ADMIN_OR_KEYPAIR_OWNER,
              'List a user\'s key pairs.', [('GET', '/os-keypairs')]),
    base.rule(ROOT % 'create', base.ADMIN_OR_KEYPAIR_OWNER,
              'Create or import a key pair.', [('POST', '/os-keypairs')]),
    base.rule(ROOT % 'show', base.ADMIN_OR_KEYPAIR_OWNER,
              'Show a key pair.', [('GET', '/os-keypairs/{keypair_name}')]),
    base.rule(ROOT % 'delete', base.ADMIN_OR_KEYPAIR_OWNER,
              'Delete a key pair.',
              [('DELETE', '/os-keypairs/{keypair_name}')]),
]


def list_rules():
    return RULES
