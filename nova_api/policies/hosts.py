"""Rules for /os-hosts (operators only; deprecated in favour of
os-hypervisors and os-services, gone from 2.43)."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-hosts:%s'
ONE = '/os-hosts/{host_name}'

RULES = [
    base.rule(ROOT % 'list', base.ADMIN,
              'List hosts and the services on them.', [('GET', '/os-hosts')]),
    base.rule(ROOT % 'show', base.ADMIN,
              'Show a host\'s resources and their use by project.',
              [('GET', ONE)]),
    base.rule(ROOT % 'update', base.ADMIN,
              'Enable or disable a host, or put it in maintenance.',
              [('PUT', ONE)]),
    base.rule(ROOT % 'reboot', base.ADMIN, 'Reboot a host.',
              [('GET', ONE + '/reboot')]),
    base.rule(ROOT % 'shutdown', base.ADMIN, 'Shut a host down.',
              [('GET', ONE + '/shutdown')]),
    base.rule(ROOT % 'start', base.ADMIN, 'Start a host up.',
              [('GET', ONE + '/startup')]),
]


def list_rules():
    return RULES
