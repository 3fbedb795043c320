"""Rules for the snapshot, backup and shelving actions of
POST /servers/{id}/action."""

from nova_api.policies import base
from nova_api.policies import server_actions

_action = server_actions._action

RULES = [
    _action('os_compute_api:servers:create_image',
            base.PROJECT_MEMBER_OR_ADMIN,
            'Create an image from a server\'s root disk.', 'createImage'),
    _action('os_compute_api:os-create-backup', base.PROJECT_MEMBER_OR_ADMIN,
            'Back up a server to an image, keeping the newest `rotation` '
            'backups of its type.', 'createBackup'),
    _action('os_compute_api:os-shelve:shelve', base.PROJECT_MEMBER_OR_ADMIN,
            'Shelve a server: snapshot it and power it off.', 'shelve'),
    _action('os_compute_api:os-shelve:shelve_offload', base.ADMIN,
            'Free the host of a shelved server.', 'shelveOffload'),
    _action('os_compute_api:os-shelve:unshelve',
            base.PROJECT_MEMBER_OR_ADMIN,
            'Unshelve a shelved or offloaded server.', 'unshelve'),
    _action('os_compute_api:os-shelve:unshelve_to_host', base.ADMIN,
            'Unshelve an offloaded server onto a named host (2.91).',
            'unshelve'),
]


def list_rules():
    return RULES
