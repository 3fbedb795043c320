"""/v2.1/images/{id}/metadata: an image's custom properties through the
Compute API (Nova's proxy to the image service, served up to 2.38).

Reads show what the caller may see; changes go to the image service as
the caller (nova_api/image_source.py), so only the image's owner or an
admin changes it. The project's metadata_items quota bounds how many
properties an image may end up with (403 past it), as Nova applies it.
"""

import falcon

from common import exception
from nova_api import image_source
from nova_api import microversion
from nova_api import policy
from nova_api import validation
from nova_api.resources import server_metadata

LAST_VERSION = (2, 38)
READ_RULE = 'os_compute_api:images'
CHANGE_RULE = 'os_compute_api:image-metadata'


def _served(req):
    microversion.require(req, microversion.MIN_VERSION, LAST_VERSION)


def _properties(image):
    return {k: str(v) for k, v in (image['properties'] or {}).items()}


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _image(self, req, image_id):
        try:
            return image_source.get(req.context.ctxt, self.conductor,
                                    image_id)
        except exception.ImageNotFound:
            raise exception.ImageNotFound('Image not found.')

    def _change(self, req, image_id, updates, remove=(), replace=False):
        """The image's properties after the change."""
        policy.authorize(req, CHANGE_RULE)
        ctxt = req.context.ctxt
        limit = self.conductor.quota_get(
            ctxt, ctxt.project_id)['limits']['metadata_items']
        try:
            image = image_source.update_properties(
                ctxt, self.conductor, image_id, updates, remove, replace,
                max_items=limit)
        except exception.ImageNotFound:
            raise exception.ImageNotFound('Image not found.')
        return _properties(image)


class ImageMetadata(_Base):

    def on_get(self, req, resp, image_id):
        _served(req)
        policy.authorize(req, READ_RULE)
        resp.media = {'metadata': _properties(self._image(req, image_id))}

    @validation.schema(server_metadata.METADATA_BODY,
                       max_version=LAST_VERSION)
    def on_post(self, req, resp, image_id, body):
        """Merge: the keys given are set, the others kept."""
        resp.media = {'metadata': self._change(req, image_id,
                                               body['metadata'])}

    @validation.schema(server_metadata.METADATA_BODY,
                       max_version=LAST_VERSION)
    def on_put(self, req, resp, image_id, body):
        """Replace: the image's metadata becomes exactly the body's."""
        self._change(req, image_id, body['metadata'], replace=True)
        resp.media = {'metadata': body['metadata']}


class ImageMetadataItem(_Base):

    def on_get(self, req, resp, image_id, key):
        _served(req)
        policy.authorize(req, READ_RULE)
        metadata = _properties(self._image(req, image_id))
        if key not in metadata:
            raise exception.ResourceNotFound()
        resp.media = {'meta': {key: metadata[key]}}

    @validation.schema(server_metadata.META_BODY, max_version=LAST_VERSION)
    def on_put(self, req, resp, image_id, key, body):
        if key not in body['meta']:
            raise exception.Invalid('Request body and URI mismatch')
        self._change(req, image_id, body['meta'])
        resp.media = {'meta': body['meta']}

    def on_delete(self, req, resp, image_id, key):
        _served(req)
        self._change(req, image_id, {}, remove=[key])
        resp.status = falcon.HTTP_204
