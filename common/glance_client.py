"""Which image API serves this deployment, and a small Glance v2 client.

An image API is *external* when `[glance] api_servers` is set or, with an
auth_type in [glance], when Keystone's catalog has an image endpoint.
Then nova-api, the conductor and nova-compute all read image records from
it, and compute downloads image data from it. Otherwise the local registry
(the conductor's images table, served at this deployment's /image) is the
only source: image data comes from nova-api's /image and records from the
conductor.

Records read from Glance are turned into the dict the local registry
returns (`from_glance`), so nothing downstream knows where an image came
from.
"""

import functools
import re
import urllib.parse

from keystoneauth1 import exceptions as ks_exc
from oslo_log import log as logging

from common import exception
from common import service_session

LOG = logging.getLogger(__name__)

# Attributes Glance v2 owns; every other top-level key of an image is a
# custom property.
BASE_ATTRS = ('id', 'name', 'status', 'visibility', 'protected', 'os_hidden',
              'checksum', 'os_hash_algo', 'os_hash_value', 'owner', 'size',
              'virtual_size', 'min_disk', 'min_ram', 'disk_format',
              'container_format', 'tags', 'created_at', 'updated_at',
              'self', 'file', 'schema')
# Keys Glance reserves for itself, never custom properties.
RESERVED = ('location', 'locations', 'direct_url', 'deleted', 'deleted_at',
            'stores')
# Pages of GET /v2/images read for one list, at most.
MAX_PAGES = 100
# Glance's JSON-patch dialect in which "add" of a present property
# replaces its value.
PATCH_MEDIA_TYPE = 'application/openstack-images-v2.1-json-patch'
_VERSIONED = re.compile(r'/v2(\.\d+)?$')


def local_image_endpoint(conf):
    """This deployment's own image endpoint: nova-api's /image."""
    host = conf.osapi_compute_listen
    if host in ('0.0.0.0', '::', ''):
        host = '127.0.0.1'
    if ':' in host:
        host = '[%s]' % host
    return 'http://%s:%d/image' % (host, conf.osapi_compute_listen_port)


def v2_url(endpoint, path):
    """`path` (e.g. 'images/x') under an endpoint given with or without
    its /v2 suffix."""
    base = endpoint.rstrip('/')
    if not _VERSIONED.search(base):
        base += '/v2'
    return '%s/%s' % (base, path.lstrip('/'))


def _root_url(endpoint, link):
    """An absolute URL for a link like '/v2/images?marker=x' from a page."""
    if urllib.parse.urlsplit(link).scheme:
        return link
    return _VERSIONED.sub('', endpoint.rstrip('/')) + '/' + link.lstrip('/')


def from_glance(body):
    """A Glance v2 image document as the local registry's image dict."""
    properties = {key: value for key, value in body.items()
                  if key not in BASE_ATTRS and key not in RESERVED}
    return {
        'id': body['id'], 'name': body.get('name'),
        'status': body.get('status'),
        'disk_format': body.get('disk_format'),
        'container_format': body.get('container_format'),
        'size': body.get('size'), 'virtual_size': body.get('virtual_size'),
        'min_disk': body.get('min_disk') or 0,
        'min_ram': body.get('min_ram') or 0,
        'checksum': body.get('checksum'),
        'os_hash_algo': body.get('os_hash_algo'),
        'os_hash_value': body.get('os_hash_value'),
        'owner': body.get('owner'),
        'visibility': body.get('visibility') or 'shared',
        'protected': bool(body.get('protected')),
        # Its file lives with that Glance, never on this host.
        'location': None,
        'properties': properties,
        'tags': list(body.get('tags') or []),
        'created_at': body.get('created_at'),
        'updated_at': body.get('updated_at'),
    }


def spec_image(image):
    """What a request spec carries of an image: the whole record.

    The conductor, a re-schedule and a later evacuation then use it without
    reading the image service again (nor needing the user's token), from
    an external Glance and the local registry alike.
    """
    return dict(image) if image else {}


def is_record(image):
    """Whether an image dict is a whole record (what from_glance or the
    registry returns), not the id-and-properties summary that request specs
    written before whole records held."""
    return bool(image) and 'status' in image and 'disk_format' in image


class GlanceClient:
    """The image API endpoints and GET of image records.

    Requests go out with the [glance] service credentials, or, for
    `get(..., ctxt=...)` and `list(ctxt, ...)`, with the caller's own token
    so that visibility is the image service's decision.
    """

    def __init__(self, conf):
        self.conf = conf
        self._session = None

    @property
    def session(self):
        """A keystoneauth session from [glance]; its auth is the service's
        (None without an auth_type, or with the `none` plugin)."""
        if self._session is None:
            self._session = service_session.load(self.conf, 'glance')
        return self._session

    def external_endpoints(self):
        """`[glance] api_servers`, else the catalog's image endpoint, else
        [] (this deployment's own registry serves images)."""
        if self.conf.glance.api_servers:
            return list(self.conf.glance.api_servers)
        if self.session.auth is None:
            return []
        try:
            endpoint = self.session.get_endpoint(
                service_type='image', interface=['internal', 'public'])
        except ks_exc.ClientException as err:
            raise exception.ImageServiceUnavailable(
                url='the catalog', reason='cannot read the catalog: %s'
                % err)
        return [endpoint] if endpoint else []

    def is_external(self):
        return bool(self.external_endpoints())

    def endpoints(self):
        """Where image data and records come from, in the order to try."""
        return self.external_endpoints() or [
            local_image_endpoint(self.conf)]

    # -- records -------------------------------------------------------------

    def get(self, image_id, ctxt=None):
        """The image's record; ctxt: ask with that caller's token.

        ImageNotFound when the image service says 404 (missing or not
        visible to the caller), ImageNotAuthorized on 401/403,
        ImageServiceUnavailable when no endpoint answers sensibly.
        """
        quoted = urllib.parse.quote(str(image_id), safe='')
        body = self._get_json(lambda endpoint: v2_url(
            endpoint, 'images/%s' % quoted), ctxt, image_id)
        if not isinstance(body, dict) or 'id' not in body:
            raise exception.ImageServiceUnavailable(
                url=self.endpoints()[0], reason='image %s came back without '
                'an id' % image_id)
        return from_glance(body)

    def list(self, ctxt=None, filters=None):
        """Every image the caller may see, following Glance's pages."""
        query = urllib.parse.urlencode(sorted((filters or {}).items()))
        url_for = functools.partial(
            v2_url, path='images' + ('?' + query if query else ''))
        images = []
        for _page in range(MAX_PAGES):
            body = self._get_json(url_for, ctxt, None)
            images.extend(from_glance(i) for i in body.get('images') or [])
            if not body.get('next'):
                break
            url_for = functools.partial(_root_url, link=body['next'])
        return images

    def update(self, image_id, ctxt, ops):
        """Apply Glance JSON-patch `ops` as the caller; the image after."""
        return from_glance(self._write('PATCH', image_id, ctxt, json=ops,
                                       content_type=PATCH_MEDIA_TYPE))

    def delete(self, image_id, ctxt):
        """Delete the image as the caller (Glance says who may)."""
        self._write('DELETE', image_id, ctxt)

    def create(self, ctxt, body):
        """POST /v2/images as the caller: a queued image with `body`'s
        attributes (custom properties as top-level keys); its record.
        Sent once, as every change."""
        url = v2_url(self.endpoints()[0], 'images')
        try:
            resp = self._send(url, ctxt, 'POST', json=body)
        except ks_exc.ClientException as err:
            raise exception.ImageServiceUnavailable(url=url, reason=str(err))
        return from_glance(self._answer(url, resp, None, ok=(201,)))

    def upload(self, image_id, ctxt, data, size):
        """PUT the image's data (a binary file of `size` bytes) as the
        caller; the image goes active."""
        url = v2_url(self.endpoints()[0], 'images/%s/file' % urllib.parse.
                     quote(str(image_id), safe=''))
        try:
            resp = self._send(url, ctxt, 'PUT', 'application/octet-stream',
                              data=data,
                              headers_extra={'Content-Length': str(size)})
        except ks_exc.ClientException as err:
            raise exception.ImageServiceUnavailable(url=url, reason=str(err))
        self._answer(url, resp, image_id, ok=(204,))

    def _write(self, method, image_id, ctxt, content_type=None, **kwargs):
        """One change, sent once to the first endpoint: unlike a read, a
        change whose answer was lost may have been made, so it is never
        sent again (nor to another endpoint)."""
        url = v2_url(self.endpoints()[0], 'images/%s' % urllib.parse.quote(
            str(image_id), safe=''))
        try:
            resp = self._send(url, ctxt, method, content_type, **kwargs)
        except ks_exc.ClientException as err:
            raise exception.ImageServiceUnavailable(url=url, reason=str(err))
        return self._answer(url, resp, image_id, ok=(200, 204))

    def _get_json(self, url_for, ctxt, image_id):
        endpoints = self.endpoints()
        attempts = self.conf.glance.num_retries + 1
        for attempt in range(attempts):
            url = url_for(endpoints[attempt % len(endpoints)])
            try:
                resp = self._send(url, ctxt)
            except (ks_exc.ConnectionError,
                    ks_exc.RetriableConnectionFailure) as err:
                LOG.warning('Image API %s unreachable (attempt %d of %d): %s',
                            url, attempt + 1, attempts, err)
                last = err
                continue
            except ks_exc.ClientException as err:
                # E.g. the service credentials could not get a token.
                raise exception.ImageServiceUnavailable(url=url,
                                                        reason=str(err))
            return self._answer(url, resp, image_id)
        raise exception.ImageServiceUnavailable(url=url, reason=str(last))

    def _send(self, url, ctxt, method='GET', content_type=None,
              headers_extra=None, **extra):
        headers = dict(headers_extra or {})
        if content_type:
            headers['Content-Type'] = content_type
        return service_session.send(self.session, url, ctxt, method,
                                    headers=headers, **extra)

    @staticmethod
    def _answer(url, resp, image_id, ok=(200,)):
        code = resp.status_code
        if code == 404 and image_id is not None:
            raise exception.ImageNotFound(image_id=image_id)
        if code in (401, 403):
            raise exception.ImageNotAuthorized(url=url, code=code)
        if 400 <= code < 500:
            raise exception.Invalid(reason='the image service refused %s: '
                                    '%d %s' % (url, code, resp.text[:200]))
        if code not in ok:
            raise exception.ImageServiceUnavailable(
                url=url, reason='it answered %d' % code)
        if code == 204:
            return None
        try:
            return resp.json()
        except ValueError:
            raise exception.ImageServiceUnavailable(
                url=url, reason='its answer is not JSON')


_shared = None


def shared_client():
    """This process's GlanceClient (one keystoneauth session), made from
    the global CONF on first use."""
    global _shared
    if _shared is None:
        from common.conf import CONF
        _shared = GlanceClient(CONF)
    return _shared


def reset_shared_client():
    """Forget it, e.g. after [glance] options changed (tests)."""
    global _shared
    _shared = None
