"""/v2.1/flavors/{id}/os-extra_specs: key/value specs that steer scheduling."""

from common import exception
from nova_api import policy
from nova_api import validation

_SPECS = {
    'type': 'object',
    'patternProperties': {'^[a-zA-Z0-9-_:. ]{1,255}$': {
        'type': ['string', 'number', 'boolean'], 'maxLength': 255}},
    'additionalProperties': False,
}
CREATE_SCHEMA = {'type': 'object', 'properties': {'extra_specs': _SPECS},
                 'required': ['extra_specs'], 'additionalProperties': False}
UPDATE_SCHEMA = dict(_SPECS, minProperties=1, maxProperties=1)


def _text(key, value):
    """The value as stored (text); a number is checked here, as the
    schema's maxLength only bounds strings and the column holds 255."""
    if isinstance(value, bool):
        return 'true' if value else 'false'
    text = str(value)
    if len(text) > 255:
        raise exception.Invalid('Invalid input for field/attribute %s. '
                                'Value: %s... is longer than 255 '
                                'characters.' % (key, text[:20]))
    return text


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _specs(self, req, flavor_id):
        return self.conductor.flavor_get(req.context.ctxt,
                                         flavor_id)['extra_specs']


class FlavorExtraSpecs(_Base):

    def on_get(self, req, resp, flavor_id):
        policy.authorize(req, 'os_compute_api:os-flavor-extra-specs:index')
        resp.media = {'extra_specs': self._specs(req, flavor_id)}

    @validation.schema(CREATE_SCHEMA)
    def on_post(self, req, resp, flavor_id, body):
        policy.authorize(req, 'os_compute_api:os-flavor-extra-specs:create')
        specs = {k: _text(k, v) for k, v in body['extra_specs'].items()}
        self.conductor.flavor_extra_specs_update(req.context.ctxt, flavor_id,
                                                 specs)
        resp.media = {'extra_specs': specs}


class FlavorExtraSpec(_Base):

    def on_get(self, req, resp, flavor_id, key):
        policy.authorize(req, 'os_compute_api:os-flavor-extra-specs:show')
        specs = self._specs(req, flavor_id)
        if key not in specs:
            raise exception.NotFound('Flavor %s has no extra specs with key '
                                     '%s.' % (flavor_id, key))
        resp.media = {key: specs[key]}

    @validation.schema(UPDATE_SCHEMA)
    def on_put(self, req, resp, flavor_id, key, body):
        policy.authorize(req, 'os_compute_api:os-flavor-extra-specs:update')
        if key not in body:
            raise exception.Invalid('Request body and URI mismatch')
        value = _text(key, body[key])
        self.conductor.flavor_extra_specs_update(req.context.ctxt, flavor_id,
                                                 {key: value})
        resp.media = {key: value}

    def on_delete(self, req, resp, flavor_id, key):
        policy.authorize(req, 'os_compute_api:os-flavor-extra-specs:delete')
        self.conductor.flavor_extra_spec_delete(req.context.ctxt, flavor_id,
                                                key)
