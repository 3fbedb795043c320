"""Rules for /images and /images/{id}/metadata, the Compute API's view of
the image service. Which image a caller may see or change is the image
service's decision (its owner or an admin changes it); these rules only
say who may ask."""

from nova_api.policies import base

RULES = [
    base.rule('os_compute_api:images', base.ANYONE,
              'List and show images, and read their metadata.',
              [('GET', '/images'), ('GET', '/images/detail'),
               ('GET', '/images/{image_id}'),
               ('GET', '/images/{image_id}/metadata'),
               ('GET', '/images/{image_id}/metadata/{key}')]),
    base.rule('os_compute_api:images:delete', base.PROJECT_MEMBER_OR_ADMIN,
              'Delete an image.',
              [('DELETE', '/images/{image_id}')]),
    base.rule('os_compute_api:image-metadata', base.PROJECT_MEMBER_OR_ADMIN,
              'Set, replace or delete the metadata of an image.',
              [('POST', '/images/{image_id}/metadata'),
               ('PUT', '/images/{image_id}/metadata'),
               ('PUT', '/images/{image_id}/metadata/{key}'),
               ('DELETE', '/images/{image_id}/metadata/{key}')]),
]


def list_rules():
    return RULES
