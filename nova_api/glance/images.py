"""/image/v2/images: the local image registry as a Glance v2 API.

List (filters, sorting, marker pages with a `next` link), create (queued,
custom properties as top-level keys), show, PATCH with Glance's JSON-patch
media type, and delete. Image data is in image_data.py.
"""

import urllib.parse

from common import exception
from common.conf import CONF
from nova_api.glance import patch as glance_patch
from nova_api.glance import view as glance_view
from nova_api.glance import store as image_store
from nova_api import links
from nova_api import validation

DEFAULT_LIMIT = 25
# Filters with columns of their own; other unknown parameters filter on
# custom properties, as in Glance.
COLUMN_FILTERS = ('id', 'name', 'status', 'visibility', 'owner',
                  'disk_format', 'container_format')
# Filters that also take Glance's "in:a,b,c" operator.
IN_FILTERS = ('id', 'name', 'status', 'disk_format', 'container_format')
IGNORED_PARAMS = ('member_status', 'os_hidden', 'protected')
PAGING_PARAMS = ('limit', 'marker', 'sort_key', 'sort_dir', 'sort')


def _one(req, name):
    value = req.params.get(name)
    if isinstance(value, list):
        raise exception.Invalid('Parameter %s was given more than once.'
                                % name)
    return value


def _limit(req):
    raw = _one(req, 'limit')
    if raw is None:
        return DEFAULT_LIMIT
    try:
        limit = int(raw)
    except ValueError:
        raise exception.Invalid('limit param must be an integer')
    if limit < 0:
        raise exception.Invalid('limit param must be positive')
    return min(limit, CONF.api.max_limit)


def _sort(req):
    key, direction = _one(req, 'sort_key'), _one(req, 'sort_dir')
    if _one(req, 'sort'):
        # "sort=name:asc,created_at:desc": the first key decides.
        first = _one(req, 'sort').split(',')[0]
        key, _, direction = first.partition(':')
    direction = direction or 'desc'
    if direction not in ('asc', 'desc'):
        raise exception.Invalid('Invalid sort direction: %s' % direction)
    return key or 'created_at', direction


def _filters(req):
    filters = {'properties': {}}
    for name, value in req.params.items():
        if name in PAGING_PARAMS or name in IGNORED_PARAMS:
            continue
        if name == 'tag':
            filters['tags'] = value if isinstance(value, list) else [value]
        elif name in COLUMN_FILTERS:
            filters[name] = _one(req, name)
            if name in IN_FILTERS and filters[name].startswith('in:'):
                filters[name] = [v.strip('"') for v in
                                 filters[name][3:].split(',') if v]
        else:
            filters['properties'][name] = _one(req, name)
    visibility = filters.get('visibility')
    if visibility and visibility not in glance_view.VISIBILITIES + ['all']:
        raise exception.Invalid('Invalid visibility value: %s' % visibility)
    return filters


def _next_link(req, marker):
    params = {k: v for k, v in req.params.items() if k != 'marker'}
    params['marker'] = marker
    return '/v2/images?%s' % urllib.parse.urlencode(sorted(params.items()),
                                                    doseq=True)


# Attributes a create may not set take any value here: check_settable
# answers them with Glance's 403, whatever the value.
CREATE_SCHEMA = {
    'type': 'object',
    'properties': dict(
        {key: validation.ANY for key in
         glance_view.RESERVED + glance_view.READ_ONLY + ('os_hidden',)},
        # Settable at create only; PATCH treats it as read-only.
        id=validation.UUID, **glance_patch.ATTR_SCHEMAS),
    # Any other key is a custom property.
    'additionalProperties': glance_patch.PROPERTY_SCHEMA,
}


def _create_values(ctxt, body):
    values = {'status': 'queued', 'visibility': 'shared',
              'owner': ctxt.project_id, 'properties': {}}
    for key, value in body.items():
        if key == 'id':
            values['id'] = value
            continue
        glance_patch.check_settable(ctxt, None, key, value)
        if key in glance_patch.ATTR_SCHEMAS:
            values[key] = value
        elif len(key) > 255:
            raise exception.Invalid('Property names are at most 255 '
                                    'characters.')
        else:
            values['properties'][key] = value
    return values


class ImageCollection:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp):
        ctxt = req.context.ctxt
        sort_key, sort_dir = _sort(req)
        page = self.conductor.image_list(
            ctxt, filters=_filters(req),
            project_id=None if ctxt.is_admin_user else ctxt.project_id,
            limit=_limit(req), marker=_one(req, 'marker'),
            sort_key=sort_key, sort_dir=sort_dir)
        images = page['images']
        body = {'images': [glance_view.view(i) for i in images],
                'first': '/v2/images', 'schema': '/v2/schemas/images'}
        if page['more'] and images:
            body['next'] = _next_link(req, images[-1]['id'])
        resp.media = body

    @validation.schema(CREATE_SCHEMA, describe=glance_patch.describe_create)
    def on_post(self, req, resp, body):
        ctxt = req.context.ctxt
        image = self.conductor.image_create(ctxt, _create_values(ctxt, body))
        resp.status = 201
        resp.location = '%s/image/v2/images/%s' % (links.base_url(req),
                                                   image['id'])
        resp.media = glance_view.view(image)


class ImageLookup:
    """Finds an image the caller may see (404 otherwise)."""

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _get(self, req, image_id):
        image = self.conductor.image_get(req.context.ctxt, image_id)
        return glance_view.check_visible(req.context.ctxt, image)


class ImageTasks(ImageLookup):
    """GET /v2/images/{id}/tasks (Glance 2.12): the image's import
    tasks. Data here is uploaded, never imported: there are none."""

    def on_get(self, req, resp, image_id):
        self._get(req, image_id)
        resp.media = {'tasks': []}


class Image(ImageLookup):

    def on_get(self, req, resp, image_id):
        resp.media = glance_view.view(self._get(req, image_id))

    @validation.schema(glance_patch.OPS_SCHEMA,
                       media_types=glance_patch.MEDIA_TYPES,
                       describe=glance_patch.describe_ops)
    def on_patch(self, req, resp, image_id, body):
        ctxt = req.context.ctxt
        image = glance_view.check_owner(ctxt, self._get(req, image_id))
        values = glance_patch.changes(ctxt, image, body)
        if values:
            image = self.conductor.image_update(ctxt, image_id, values)
        resp.media = glance_view.view(image)

    def on_delete(self, req, resp, image_id):
        ctxt = req.context.ctxt
        glance_view.check_owner(ctxt, self._get(req, image_id))
        deleted = self.conductor.image_delete(ctxt, image_id)
        image_store.remove(deleted.get('location'), CONF.image_store_path)
        resp.status = 204
