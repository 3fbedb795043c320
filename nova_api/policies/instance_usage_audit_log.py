"""Rules for /os-instance_usage_audit_log (operators only)."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-instance-usage-audit-log:%s'

RULES = [
    base.rule(ROOT % 'list', base.ADMIN,
              'Show the instance usage audit of the last completed period.',
              [('GET', '/os-instance_usage_audit_log')]),
    base.rule(ROOT % 'show', base.ADMIN,
              'Show the instance usage audit of the last period completed '
              'before a time.',
              [('GET', '/os-instance_usage_audit_log/{before_timestamp}')]),
]


def list_rules():
    return RULES
