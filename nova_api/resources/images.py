"""/v2.1/images: the image service as the Compute API shows it: the
external Glance with the caller's token when there is one, else the local
registry (nova_api/image_source.py). List, detail (filters, limit and
marker pages with an images_links "next"), show and delete.

Nova serves these up to 2.35 only (the image API is Glance's); this
project's own clients still use them at later versions, so they stay.
"""

import falcon

from common import exception
from common.conf import CONF
from nova_api import image_source
from nova_api import links
from nova_api import policy
from nova_api import query
from nova_api import timestamps

STATUS = {'active': 'ACTIVE', 'queued': 'SAVING', 'saving': 'SAVING',
          'uploading': 'SAVING', 'importing': 'SAVING',
          'deleted': 'DELETED', 'pending_delete': 'DELETED',
          'killed': 'ERROR', 'deactivated': 'ERROR'}
PROGRESS = {'queued': 25, 'saving': 50, 'active': 100}
# Query parameters that name a custom property's value, as Nova maps them.
PROPERTY_FILTERS = {'server': 'instance_uuid', 'type': 'image_type'}
PROPERTY_PREFIX = 'property-'
ALTERNATE_TYPE = 'application/vnd.openstack.image'


def _links(req, image_id):
    service = req.context.get('image_service')
    if service is None:
        # Asked once a request, however many images it shows.
        service = req.context.image_service = image_source.root(
            links.base_url(req))
    return links.resource_links(req, 'images', image_id) + [{
        'rel': 'alternate', 'type': ALTERNATE_TYPE,
        'href': '%s/images/%s' % (service, image_id)}]


def view(req, image, detail=True):
    out = {'id': image['id'], 'name': image['name'],
           'links': _links(req, image['id'])}
    if not detail:
        return out
    properties = {k: str(v) for k, v in
                  (image['properties'] or {}).items()}
    out.update({
        'minDisk': image['min_disk'] or 0, 'minRam': image['min_ram'] or 0,
        'progress': PROGRESS.get(image['status'], 0),
        'status': STATUS.get(image['status'], 'UNKNOWN'),
        'created': timestamps.seconds(image['created_at']),
        'updated': timestamps.seconds(image['updated_at']),
        'metadata': properties,
        'OS-EXT-IMG-SIZE:size': image['size'],
    })
    server = properties.get('instance_uuid')
    if server:
        out['server'] = {'id': server, 'links': links.resource_links(
            req, 'servers', server)}
    disk_config = properties.get('auto_disk_config')
    if disk_config is not None:
        out['OS-DCF:diskConfig'] = (
            'AUTO' if query.truthy(disk_config) else 'MANUAL')
    return out


def _filters(req):
    """What the image service filters on (name, status), and the
    property values the rest of the query asks for."""
    service = {}
    if req.get_param('name'):
        service['name'] = req.get_param('name')
    if req.get_param('status'):
        # The image service's statuses are lower case.
        service['status'] = req.get_param('status').lower()
    properties = {}
    for name, value in req.params.items():
        key = PROPERTY_FILTERS.get(name)
        if key is None and name.startswith(PROPERTY_PREFIX):
            key = name[len(PROPERTY_PREFIX):]
        if key is not None:
            value = value if isinstance(value, str) else value[-1]
            if name == 'server':
                # A server's id, or any of its links.
                value = value.rstrip('/').rsplit('/', 1)[-1]
            properties[key] = value
    return service, properties


def _wanted(req, properties):
    min_ram = query.limit(req, 'minRam')
    min_disk = query.limit(req, 'minDisk')
    since = _since(req)

    def wanted(image):
        props = image['properties'] or {}
        stamp = image['updated_at'] or image['created_at']
        return (all(str(props.get(k)) == v for k, v in properties.items())
                and (min_ram is None or (image['min_ram'] or 0) >= min_ram)
                and (min_disk is None or
                     (image['min_disk'] or 0) >= min_disk)
                and (since is None or bool(stamp) and
                     timestamps.parse_utc(stamp) >= since))
    return wanted


def _since(req):
    since = query.date_time(req, 'changes-since')
    return None if since is None else timestamps.parse_utc(since)


def _page(req, images):
    """The page the query asks for, of `images` in the image service's
    order, and its images_links: a "next" link when the page is full."""
    marker = req.get_param('marker')
    if marker is not None:
        ids = [i['id'] for i in images]
        if marker not in ids:
            raise exception.Invalid('Invalid marker. Image %s could not '
                                    'be found.' % marker)
        images = images[ids.index(marker) + 1:]
    limit = query.limit(req)
    limit = CONF.api.max_limit if limit is None else min(
        limit, CONF.api.max_limit)
    images = images[:limit]
    more = None
    if images and len(images) == limit:
        collection = ('images/detail' if req.path.endswith('/detail')
                      else 'images')
        more = links.collection_next(req, collection, images[-1]['id'])
    return images, more


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _list(self, req, resp, detail):
        policy.authorize(req, 'os_compute_api:images')
        service, properties = _filters(req)
        wanted = _wanted(req, properties)
        images = [i for i in image_source.get_all(
            req.context.ctxt, self.conductor, service) if wanted(i)]
        images, more = _page(req, images)
        resp.media = {'images': [view(req, i, detail) for i in images]}
        if more:
            resp.media['images_links'] = more


class ImageCollection(_Base):

    def on_get(self, req, resp):
        self._list(req, resp, detail=False)

    def on_delete(self, req, resp):
        """DELETE /images/ names no image: Nova answers 404."""
        raise exception.ImageNotFound('Image not found.')


class ImageDetail(_Base):

    def on_get(self, req, resp):
        self._list(req, resp, detail=True)


class Image(_Base):

    def on_get(self, req, resp, image_id):
        policy.authorize(req, 'os_compute_api:images')
        resp.media = {'image': view(req, image_source.get(
            req.context.ctxt, self.conductor, image_id))}

    def on_delete(self, req, resp, image_id):
        policy.authorize(req, 'os_compute_api:images:delete')
        try:
            image_source.delete(req.context.ctxt, self.conductor, image_id)
        except exception.ImageNotFound:
            raise exception.ImageNotFound('Image not found.')
        except (exception.ImageNotAuthorized,
                exception.ImageChangeForbidden):
            # Not the owner (a protected image keeps its own answer).
            raise exception.Forbidden('You are not allowed to delete the '
                                      'image.')
        resp.status = falcon.HTTP_204
