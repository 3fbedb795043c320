"""Image records for the Compute API: the external Glance, asked with the
caller's token, or the local registry through the conductor.

Which one is common/glance_client.py's decision, the same one compute makes
for image data. With an external Glance, visibility and who may change an
image are Glance's answers to the caller's token; with the local registry
the API applies Glance's rules itself (glance/view.py).
"""

import logging

from common import exception
from common import glance_client
from common.conf import CONF
from nova_api.glance import view as glance_view
from nova_api.glance import store as image_store

LOG = logging.getLogger(__name__)
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
    """The images `ctxt` may see, in the image service's order: newest
    first (Glance's default), ties by id."""
    glance = client()
    if glance.is_external():
        return glance.list(ctxt, filters)
    images = [image for image in conductor.image_get_all(ctxt, filters)
              if glance_view.can_see(ctxt, image)]
    return sorted(images, key=lambda i: (i['created_at'] or '', i['id']),
                  reverse=True)


def root(base_url):
    """Where the image service is (its images are at <root>/images/<id>,
    a Compute API image's "alternate" link): the external Glance, else
    this deployment's own /image under `base_url` (the URL the client
    called)."""
    endpoints = client().external_endpoints()
    versioned = (glance_client.v2_url(endpoints[0], '') if endpoints
                 else base_url + '/image/v2/')
    return versioned.rstrip('/').rsplit('/v2', 1)[0]


def _pointer(key):
    return '/' + key.replace('~', '~0').replace('/', '~1')


def update_properties(ctxt, conductor, image_id, updates, remove=(),
                      replace=False, max_items=None):
    """Change the custom properties of an image the caller may change:
    drop `remove` (ImageMetadataKeyNotFound unless each is there), then
    set `updates` over the rest (over nothing when `replace`); more than
    `max_items` properties is ImageMetadataLimitExceeded. Returns the
    image as it then is.

    The local registry does it under the image's row lock. Glance has no
    such thing: its image is read, and the difference sent as one patch.
    """
    glance = client()
    if not glance.is_external():
        glance_view.check_owner(ctxt, get(ctxt, conductor, image_id))
        return conductor.image_properties_update(
            ctxt, image_id, updates, list(remove), replace, max_items)
    image = glance.get(image_id, ctxt)
    before = image['properties']
    after = {} if replace else dict(before)
    for key in remove:
        if key not in after:
            raise exception.ImageMetadataKeyNotFound()
        del after[key]
    after.update(updates)
    if max_items is not None and 0 <= max_items < len(after):
        raise exception.ImageMetadataLimitExceeded()
    ops = [{'op': 'remove', 'path': _pointer(key)}
           for key in sorted(before) if key not in after]
    ops += [{'op': 'add', 'path': _pointer(key), 'value': value}
            for key, value in sorted(after.items())
            if before.get(key) != value]
    return glance.update(image_id, ctxt, ops) if ops else image


def delete(ctxt, conductor, image_id):
    """Delete an image the caller may delete (its owner, or an admin)."""
    glance = client()
    if glance.is_external():
        glance.delete(image_id, ctxt)
        return
    glance_view.check_owner(ctxt, get(ctxt, conductor, image_id))
    deleted = conductor.image_delete(ctxt, image_id)
    image_store.remove(deleted.get('location'), CONF.image_store_path)


def delete_shelved(ctxt, conductor, instance):
    """A shelved server's snapshot goes with the server, as in Nova; a
    failure leaves it for its owner to delete, never fails the delete."""
    if instance.get('vm_state') not in ('shelved', 'shelved_offloaded'):
        return
    image_id = (instance.get('system_metadata') or {}).get(
        'shelved_image_id')
    if not image_id:
        return
    try:
        delete(ctxt, conductor, image_id)
    except exception.NovaException as err:
        LOG.warning('Could not delete image %s of shelved server %s: %s',
                    image_id, instance['uuid'], err.message)
