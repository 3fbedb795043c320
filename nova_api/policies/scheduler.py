"""Rules for /os-scheduler/dry-run (an extension of this project)."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:os-scheduler:dry-run', base.ADMIN,
              'Ask where a server would land and why, without booting it.',
              [('POST', '/os-scheduler/dry-run')]),
]


def list_rules():
    return RULES
