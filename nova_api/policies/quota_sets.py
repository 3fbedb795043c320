"""Rules for /os-quota-sets/{project_id} and /limits.

The target's project is the one in the URL, so members and readers may
read their own project's quotas and nobody else's.
"""

from nova_api.policies import base

ROOT = 'os_compute_api:os-quota-sets:%s'
ONE = '/os-quota-sets/{tenant_id}'

RULES = [
    base.rule(ROOT % 'show', base.PROJECT_READER_OR_ADMIN,
              'Show a project\'s quota limits.', [('GET', ONE)]),
    base.rule(ROOT % 'detail', base.PROJECT_READER_OR_ADMIN,
              'Show a project\'s quota limits with usage.',
              [('GET', ONE + '/detail')]),
    base.rule(ROOT % 'defaults', base.ANYONE,
              'Show the default quota limits.',
              [('GET', ONE + '/defaults')]),
    base.rule(ROOT % 'update', base.ADMIN,
              'Change a project\'s quota limits.', [('PUT', ONE)]),
    base.rule(ROOT % 'delete', base.ADMIN,
              'Reset a project\'s quota limits to the defaults.',
              [('DELETE', ONE)]),
    base.rule('os_compute_api:limits', base.ANYONE,
              'Show the caller\'s project limits and usage.',
              [('GET', '/limits')]),
    base.rule('os_compute_api:limits:other_project', base.ADMIN,
              'Show another project\'s limits (tenant_id).',
              [('GET', '/limits')]),
]


def list_rules():
    return RULES
