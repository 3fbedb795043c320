"""Rules for moving a server: resize with confirm and revert, cold
migration (admins; a host of their choice from 2.56) and the server's
live migrations: start, list, show, abort and force-complete."""

from nova_api.policies import base

ACTION = 'POST', '/servers/{server_id}/action (%s)'


def _action(name, check_str, description, action):
    return base.rule(name, check_str, description,
                     [(ACTION[0], ACTION[1] % action)])


RULES = [
    _action('os_compute_api:servers:resize', base.PROJECT_MEMBER_OR_ADMIN,
            'Resize a server to another flavor.', 'resize'),
    _action('os_compute_api:servers:confirm_resize',
            base.PROJECT_MEMBER_OR_ADMIN,
            'Confirm a resize or migration in VERIFY_RESIZE.',
            'confirmResize'),
    _action('os_compute_api:servers:revert_resize',
            base.PROJECT_MEMBER_OR_ADMIN,
            'Undo a resize or migration in VERIFY_RESIZE.', 'revertResize'),
    _action('os_compute_api:os-migrate-server:migrate', base.ADMIN,
            'Cold migrate a server to a host the scheduler picks.',
            'migrate'),
    _action('os_compute_api:os-migrate-server:migrate:host', base.ADMIN,
            'Cold migrate a server to a host of the caller\'s choice '
            '(2.56).', 'migrate'),
    _action('os_compute_api:os-migrate-server:migrate_live', base.ADMIN,
            'Live migrate a server to another host without stopping it.',
            'os-migrateLive'),
    base.rule('os_compute_api:servers:migrations:index', base.ADMIN,
              'List a server\'s live migrations in progress.',
              [('GET', '/servers/{server_id}/migrations')]),
    base.rule('os_compute_api:servers:migrations:show', base.ADMIN,
              'Show a live migration in progress of a server.',
              [('GET', '/servers/{server_id}/migrations/{migration_id}')]),
    base.rule('os_compute_api:servers:migrations:delete', base.ADMIN,
              'Abort a live migration of a server (2.24).',
              [('DELETE', '/servers/{server_id}/migrations/{migration_id}')]),
    base.rule('os_compute_api:servers:migrations:force_complete', base.ADMIN,
              'Force a running live migration of a server to complete '
              '(2.22).',
              [('POST', '/servers/{server_id}/migrations/{migration_id}'
                        '/action (force_complete)')]),
]


def list_rules():
    return RULES
