"""/v2.1/flavors: list, detail, show; create, update and delete for admins.

Shapes by microversion: 2.55 adds `description` (and PUT to change it),
2.61 embeds `extra_specs`, 2.75 shows a zero swap as 0 instead of "".
Private flavors are seen only by admins and projects given access
(flavor_access.py).
"""

import falcon

from common import exception
from nova_api import links
from nova_api import policy
from nova_api import query
from nova_api import validation

_DESCRIPTION = {'type': ['string', 'null'], 'minLength': 0,
                'maxLength': 65535,
                'pattern': r'^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$'}

# A flavor id is text; a number is taken too and stored as its text
# (Nova's rule), which must then pass the same checks as given text.
_ID_TEXT = {'type': 'string', 'minLength': 1, 'maxLength': 255,
            'pattern': r'^(?! )[a-zA-Z0-9. _-]+(?<! )$'}

_CREATE_PROPERTIES = {
    'name': validation.NAME,
    'id': dict(_ID_TEXT, type=['string', 'number', 'null']),
    'ram': validation.POSITIVE_INT,
    'vcpus': validation.POSITIVE_INT,
    'disk': validation.NON_NEGATIVE_INT,
    'OS-FLV-EXT-DATA:ephemeral': validation.NON_NEGATIVE_INT,
    'swap': {'oneOf': [validation.NON_NEGATIVE_INT,
                       {'type': 'string', 'enum': ['']}]},
    'rxtx_factor': {'type': ['number', 'string'],
                    'pattern': r'^[0-9]+(\.[0-9]+)?$',
                    'minimum': 0, 'exclusiveMinimum': True,
                    # A Float column is single precision on MySQL.
                    'maximum': validation.MAX_FLOAT},
    'os-flavor-access:is_public': validation.BOOLEAN,
}


def flavor_id(value):
    """The id a create asks for, as stored: None (one is made), or text.
    A number becomes its text (1244404975 -> "1244404975"), checked as
    text is: "1e+20" or a 300-digit number is refused, not stored."""
    if value is None or isinstance(value, str):
        return value
    text = str(value)
    validation.validate({'type': 'object', 'properties': {'id': _ID_TEXT}},
                        {'id': text})
    return text


def _create_schema(with_description):
    properties = dict(_CREATE_PROPERTIES)
    if with_description:
        properties['description'] = _DESCRIPTION
    return {
        'type': 'object',
        'properties': {'flavor': {
            'type': 'object', 'properties': properties,
            'required': ['name', 'ram', 'vcpus', 'disk'],
            'additionalProperties': False}},
        'required': ['flavor'], 'additionalProperties': False,
    }


CREATE_SCHEMA = _create_schema(False)
CREATE_SCHEMA_V255 = _create_schema(True)


def create_schema(version):
    return CREATE_SCHEMA_V255 if version >= (2, 55) else CREATE_SCHEMA


UPDATE_SCHEMA_V255 = {
    'type': 'object',
    'properties': {'flavor': {
        'type': 'object', 'properties': {'description': _DESCRIPTION},
        'required': ['description'], 'additionalProperties': False}},
    'required': ['flavor'], 'additionalProperties': False,
}


def view(req, flavor, detail=True):
    version = req.context.api_version
    out = {'id': flavor['flavorid'], 'name': flavor['name'],
           'links': links.resource_links(req, 'flavors', flavor['flavorid'])}
    if version >= (2, 55):
        out['description'] = flavor.get('description')
    if not detail:
        return out
    out.update({
        'ram': flavor['memory_mb'], 'disk': flavor['root_gb'],
        'vcpus': flavor['vcpus'],
        'OS-FLV-EXT-DATA:ephemeral': flavor['ephemeral_gb'],
        'OS-FLV-DISABLED:disabled': flavor['disabled'],
        'swap': flavor['swap'] if (flavor['swap'] or
                                   version >= (2, 75)) else '',
        'rxtx_factor': flavor['rxtx_factor'],
        'os-flavor-access:is_public': flavor['is_public'],
    })
    if version >= (2, 61):
        out['extra_specs'] = flavor.get('extra_specs') or {}
    return out


def visible_project(req):
    """None for admins (they see every flavor), else the caller's project."""
    ctxt = req.context.ctxt
    return None if ctxt.is_admin_user else ctxt.project_id


def _is_public_filter(req):
    """Admins may ask for public (default all), private or all flavors."""
    value = req.get_param('is_public')
    if value is None or not req.context.ctxt.is_admin_user:
        return None
    if value.lower() in ('none', 'all'):
        return None
    return query.boolean(req, 'is_public')


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _visible(self, req):
        policy.authorize(req, 'os_compute_api:flavors')
        flavors = self.conductor.flavor_get_all(
            req.context.ctxt, _is_public_filter(req), visible_project(req))
        min_ram = query.limit(req, 'minRam')
        min_disk = query.limit(req, 'minDisk')
        flavors = [f for f in flavors
                   if (min_ram is None or f['memory_mb'] >= min_ram) and
                   (min_disk is None or f['root_gb'] >= min_disk)]
        return _page(req, flavors)

    def _get(self, req, flavor_id):
        policy.authorize(req, 'os_compute_api:flavors')
        return self.conductor.flavor_get(req.context.ctxt, flavor_id,
                                         visible_project(req))


def _page(req, flavors):
    marker = req.get_param('marker')
    if marker is not None:
        ids = [f['flavorid'] for f in flavors]
        if marker not in ids:
            raise exception.MarkerNotFound(marker=marker)
        flavors = flavors[ids.index(marker) + 1:]
    limit = query.limit(req)
    return flavors if limit is None else flavors[:limit]


class FlavorCollection(_Base):

    def on_get(self, req, resp):
        resp.media = {'flavors': [view(req, f, detail=False)
                                  for f in self._visible(req)]}

    @validation.schema(create_schema)
    def on_post(self, req, resp, body):
        policy.authorize(req, 'os_compute_api:os-flavor-manage:create')
        spec = body['flavor']
        values = {
            'name': spec['name'], 'flavorid': flavor_id(spec.get('id')),
            'memory_mb': int(spec['ram']), 'vcpus': int(spec['vcpus']),
            'root_gb': int(spec['disk']),
            'ephemeral_gb': int(spec.get('OS-FLV-EXT-DATA:ephemeral', 0)),
            'swap': int(spec.get('swap') or 0),
            'rxtx_factor': float(spec.get('rxtx_factor', 1.0)),
            'is_public': validation.as_bool(
                spec.get('os-flavor-access:is_public', True)),
            'description': spec.get('description'),
        }
        flavor = self.conductor.flavor_create(req.context.ctxt, values)
        resp.media = {'flavor': view(req, flavor)}


class FlavorDetail(_Base):

    def on_get(self, req, resp):
        resp.media = {'flavors': [view(req, f) for f in self._visible(req)]}


class Flavor(_Base):

    def on_get(self, req, resp, flavor_id):
        resp.media = {'flavor': view(req, self._get(req, flavor_id))}

    @validation.schema(UPDATE_SCHEMA_V255, min_version=(2, 55))
    def on_put(self, req, resp, flavor_id, body):
        policy.authorize(req, 'os_compute_api:os-flavor-manage:update')
        flavor = self.conductor.flavor_update(
            req.context.ctxt, flavor_id, body['flavor']['description'])
        resp.media = {'flavor': view(req, flavor)}

    def on_delete(self, req, resp, flavor_id):
        policy.authorize(req, 'os_compute_api:os-flavor-manage:delete')
        self.conductor.flavor_delete(req.context.ctxt, flavor_id)
        resp.status = falcon.HTTP_202
