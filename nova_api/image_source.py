"""Image records for the Compute API: the external Glance, asked with the
caller's token, or the local registry through the conductor.

Which one is common/glance_client.py's decision, the same one compute makes
for image data. With an external Glance, visibility is Glance's answer to
the caller's token; with the local registry the API applies Glance's rule
itself (glance_view.can_see).
"""

from common import exception
from common import glance_client
from nova_api import glance_view

client = glance_client.shared_client
reset = glance_client.reset_shared_client


def get(ctxt, conductor, image_id):
    """The image `ctxt` may see: ImageNotFound otherwise."""
    glance = client()
    if glance.is_external():
        return glance.get(image_id, ctxt)
    image = conductor.image_get(ctxt, image_id)
    if not glance_view.can_see(ctxt, image):
        raise exception.ImageNotFound(image_id=image_id)
    return image


def get_all(ctxt, conductor, filters):
    """The images `ctxt` may see."""
    glance = client()
    if glance.is_external():
        return glance.list(ctxt, filters)
    return [image for image in conductor.image_get_all(ctxt, filters)
            if glance_view.can_see(ctxt, image)]
