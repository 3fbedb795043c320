"""Rules for POST /servers/{id}/action, one per action."""

from nova_api.policies import base

ACTION = [('POST', '/servers/{server_id}/action (%s)')]


def _action(name, check_str, description, action):
    return base.rule(name, check_str, description,
                     [(method, path % action) for method, path in ACTION])


RULES = [
    _action('os_compute_api:servers:start', base.PROJECT_MEMBER_OR_ADMIN,
            'Start a stopped server.', 'os-start'),
    _action('os_compute_api:servers:stop', base.PROJECT_MEMBER_OR_ADMIN,
            'Stop a running server.', 'os-stop'),
    _action('os_compute_api:servers:reboot', base.PROJECT_MEMBER_OR_ADMIN,
            'Reboot a server, softly or hard.', 'reboot'),
    _action('os_compute_api:servers:rebuild', base.PROJECT_MEMBER_OR_ADMIN,
            'Rebuild a server from a new image.', 'rebuild'),
    _action('os_compute_api:os-pause-server:pause',
            base.PROJECT_MEMBER_OR_ADMIN, 'Pause a server.', 'pause'),
    _action('os_compute_api:os-pause-server:unpause',
            base.PROJECT_MEMBER_OR_ADMIN, 'Unpause a paused server.',
            'unpause'),
    _action('os_compute_api:os-suspend-server:suspend',
            base.PROJECT_MEMBER_OR_ADMIN, 'Suspend a server to disk.',
            'suspend'),
    _action('os_compute_api:os-suspend-server:resume',
            base.PROJECT_MEMBER_OR_ADMIN, 'Resume a suspended server.',
            'resume'),
    _action('os_compute_api:os-evacuate', base.ADMIN,
            'Recreate the server of a down host on another host.',
            'evacuate'),
    _action('os_compute_api:os-lock-server:lock',
            base.PROJECT_MEMBER_OR_ADMIN,
            'Lock a server against changes by anyone but admins.', 'lock'),
    _action('os_compute_api:os-lock-server:unlock',
            base.PROJECT_MEMBER_OR_ADMIN,
            'Unlock a server (a lock set by an admin needs an admin).',
            'unlock'),
    _action('os_compute_api:os-admin-actions:reset_state', base.ADMIN,
            'Force a stuck server\'s vm_state to active or error.',
            'os-resetState'),
    _action('os_compute_api:os-deferred-delete:restore',
            base.PROJECT_MEMBER_OR_ADMIN,
            'Restore a soft-deleted server (deletes here are immediate: '
            'there is none to restore).', 'restore'),
    _action('os_compute_api:os-deferred-delete:force',
            base.PROJECT_MEMBER_OR_ADMIN,
            'Delete a server at once, whatever its state.', 'forceDelete'),
    _action('os_compute_api:os-rescue', base.PROJECT_MEMBER_OR_ADMIN,
            'Boot a server from a rescue image, its disk attached second.',
            'rescue'),
    _action('os_compute_api:os-unrescue', base.PROJECT_MEMBER_OR_ADMIN,
            'Boot a rescued server from its own disk again.', 'unrescue'),
    _action('os_compute_api:servers:trigger_crash_dump',
            base.PROJECT_MEMBER_OR_ADMIN,
            'Inject an NMI into a running server (crash dump, 2.17).',
            'trigger_crash_dump'),
    _action('os_compute_api:os-console-output',
            base.PROJECT_MEMBER_OR_ADMIN,
            'Read the tail of a server\'s serial console.',
            'os-getConsoleOutput'),
]


def list_rules():
    return RULES
