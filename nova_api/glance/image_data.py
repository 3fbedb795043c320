"""/image/v2/images/{id}/file: upload and download of image data.

An upload moves the image queued -> saving (a compare-and-swap in the
conductor, so one of two racing uploads wins), streams the body (with a
Content-Length or chunked, request_body.py) into the store
(store.py checks it), then records size, hashes and location
and makes it active. A failed upload puts it back to queued and leaves no
file behind.
"""

import contextlib
import logging

from common import exception
from common.conf import CONF
from nova_api.glance import view as glance_view
from nova_api.glance import store as image_store
from nova_api import request_body
from nova_api import validation
from nova_api.glance import images as glance_images

LOG = logging.getLogger(__name__)
UPLOAD_TYPE = 'application/octet-stream'


class ImageData(glance_images.ImageLookup):
    """An image's bytes."""

    def on_get(self, req, resp, image_id):
        image = self._get(req, image_id)
        data = None
        if image['status'] == 'active':
            data = image_store.open_data(image, CONF.image_store_path)
        if data is None:
            # Glance's answer for an image without data.
            resp.status = 204
            return
        resp.content_type = 'application/octet-stream'
        resp.set_stream(data, image['size'])
        if image['checksum']:
            resp.set_header('Content-MD5', image['checksum'])

    @validation.raw_body(UPLOAD_TYPE)
    def on_put(self, req, resp, image_id):
        ctxt = req.context.ctxt
        image = glance_view.check_owner(ctxt, self._get(req, image_id))
        if not (image['disk_format'] and image['container_format']):
            raise exception.Invalid('Properties disk_format, '
                                    'container_format must be set prior '
                                    'to saving data.')
        if req.content_length is not None and \
                req.content_length > CONF.image_size_cap:
            raise exception.ImageSizeCapExceeded(size_cap=CONF.image_size_cap)
        self._set_status(ctxt, image, 'saving', 'queued')
        try:
            stored = image_store.receive(
                request_body.Body(req, CONF.image_size_cap), image,
                CONF.image_store_path, CONF.image_size_cap,
                req.content_length)
        except BaseException:
            with contextlib.suppress(exception.NovaException):
                self.conductor.image_update(ctxt, image_id,
                                            {'status': 'queued'},
                                            expected_status='saving')
            raise
        values = dict(stored._asdict(), status='active')
        try:
            self.conductor.image_update(ctxt, image_id, values,
                                        expected_status='saving')
        except BaseException:
            # Deleted (or reset) while the data came in: keep no orphan.
            image_store.remove(stored.location, CONF.image_store_path)
            raise
        LOG.info('Stored %d bytes of image %s', stored.size, image_id)
        resp.status = 204

    def _set_status(self, ctxt, image, status, expected):
        try:
            self.conductor.image_update(ctxt, image['id'], {'status': status},
                                        expected_status=expected)
        except exception.ImageStatusConflict as err:
            # err.message: str() of an error that came over RPC ends with
            # the conductor's traceback.
            raise exception.Conflict('Image status transition from %s to '
                                     '%s is not allowed. %s' % (
                                         image['status'], status,
                                         err.message))
