"""Rules for /os-simple-tenant-usage: every project's usage is for
operators; a project's own may be read by its readers."""

from nova_api.policies import base

ROOT = 'os_compute_api:os-simple-tenant-usage:%s'

RULES = [
    base.rule(ROOT % 'list', base.ADMIN,
              'Show every project\'s usage over a period.',
              [('GET', '/os-simple-tenant-usage')]),
    base.rule(ROOT % 'show', base.PROJECT_READER_OR_ADMIN,
              'Show one project\'s usage over a period.',
              [('GET', '/os-simple-tenant-usage/{tenant_id}')]),
]


def list_rules():
    return RULES
