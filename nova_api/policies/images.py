"""Rules for /images, the read-only view of the image registry."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:images', base.ANYONE,
              'List and show images.',
              [('GET', '/images'), ('GET', '/images/detail'),
               ('GET', '/images/{image_id}')]),
]


def list_rules():
    return RULES
