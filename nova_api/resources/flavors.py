"""/v2.1/flavors: list, detail, show; create and delete for admins."""

import falcon

from nova_api import links
from nova_api import policy
from nova_api import validation

CREATE_SCHEMA = {
    'type': 'object',
    'properties': {
        'flavor': {
            'type': 'object',
            'properties': {
                'name': validation.NAME,
                'id': {'type': ['string', 'null'], 'minLength': 1,
                       'maxLength': 255, 'pattern': r'^(?! )[a-zA-Z0-9. _-]+(?<! )$'},
                'ram': validation.POSITIVE_INT,
                'vcpus': validation.POSITIVE_INT,
                'disk': validation.NON_NEGATIVE_INT,
                'OS-FLV-EXT-DATA:ephemeral': validation.NON_NEGATIVE_INT,
                'swap': {'oneOf': [validation.NON_NEGATIVE_INT,
                                   {'type': 'string', 'enum': ['']}]},
                'rxtx_factor': {'type': ['number', 'string'],
                                'pattern': r'^[0-9]+(\.[0-9]+)?$',
                                'minimum': 0, 'exclusiveMinimum': True},
                'os-flavor-access:is_public': {'type': 'boolean'},
            },
            'required': ['name', 'ram', 'vcpus', 'disk'],
            'additionalProperties': False,
        },
    },
    'required': ['flavor'],
    'additionalProperties': False,
}


def view(req, flavor, detail=True):
    out = {'id': flavor['flavorid'], 'name': flavor['name'],
           'links': links.resource_links(req, 'flavors', flavor['flavorid'])}
    if detail:
        out.update({
            'ram': flavor['memory_mb'], 'disk': flavor['root_gb'],
            'vcpus': flavor['vcpus'],
            'OS-FLV-EXT-DATA:ephemeral': flavor['ephemeral_gb'],
            'OS-FLV-DISABLED:disabled': flavor['disabled'],
            'swap': flavor['swap'] or '',
            'rxtx_factor': flavor['rxtx_factor'],
            'os-flavor-access:is_public': flavor['is_public'],
        })
    return out


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _visible(self, req):
        policy.authorize(req, 'os_compute_api:flavors')
        public_only = None if req.context.ctxt.is_admin_user else True
        return self.conductor.flavor_get_all(req.context.ctxt, public_only)


class FlavorCollection(_Base):

    def on_get(self, req, resp):
        resp.media = {'flavors': [view(req, f, detail=False)
                                  for f in self._visible(req)]}

    def on_post(self, req, resp):
        policy.authorize(req, 'os_compute_api:os-flavor-manage:create')
        body = validation.validate(CREATE_SCHEMA, validation.read_json(req))
        spec = body['flavor']
        values = {
            'name': spec['name'], 'flavorid': spec.get('id'),
            'memory_mb': int(spec['ram']), 'vcpus': int(spec['vcpus']),
            'root_gb': int(spec['disk']),
            'ephemeral_gb': int(spec.get('OS-FLV-EXT-DATA:ephemeral', 0)),
            'swap': int(spec.get('swap') or 0),
            'rxtx_factor': float(spec.get('rxtx_factor', 1.0)),
            'is_public': spec.get('os-flavor-access:is_public', True),
        }
        flavor = self.conductor.flavor_create(req.context.ctxt, values)
        resp.media = {'flavor': view(req, flavor)}


class FlavorDetail(_Base):

    def on_get(self, req, resp):
        resp.media = {'flavors': [view(req, f) for f in self._visible(req)]}


class Flavor(_Base):

    def on_get(self, req, resp, flavor_id):
        policy.authorize(req, 'os_compute_api:flavors')
        resp.media = {'flavor': view(req, self.conductor.flavor_get(
            req.context.ctxt, flavor_id))}

    def on_delete(self, req, resp, flavor_id):
        policy.authorize(req, 'os_compute_api:os-flavor-manage:delete')
        self.conductor.flavor_delete(req.context.ctxt, flavor_id)
        resp.status = falcon.HTTP_202


