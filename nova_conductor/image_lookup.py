"""Image records for builds, rebuilds and evacuations: the external Glance
(with the [glance] service credentials) when there is one, else the local
registry.

common/glance_client.py decides which, as it does for compute's downloads,
so an image that lives only in an external Glance never has to be in the
images table.
"""

from common import exception
from common import glance_client
from nova_conductor.db import catalog

client = glance_client.shared_client
reset = glance_client.reset_shared_client


def get(image_id, fallback=None):
    """The image's record.

    fallback: what a request spec remembered of the image, returned when
    the image service no longer knows it (the compute host may still hold
    its data).
    """
    try:
        glance = client()
        if glance.is_external():
            return glance.get(image_id)
        return catalog.image_get(image_id)
    except exception.ImageNotFound:
        if fallback and fallback.get('id') == image_id:
            return fallback
        raise


def from_spec(request_spec):
    """The image of a build's request spec, or None (no image).

    The API puts the whole record in the spec, having just read it (from
    Glance with the caller's token): that is used as is, with no second
    read on every build. An older spec's summary is completed from the
    image service.
    """
    image = (request_spec or {}).get('image') or {}
    if not image.get('id'):
        return None
    if glance_client.is_record(image):
        return image
    return get(image['id'], fallback=image)
