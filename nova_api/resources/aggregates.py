"""/v2.1/os-aggregates: host aggregates and their AZs (admin only).

Microversions: 2.41 adds `uuid`; 2.81 adds POST .../images, which records
images for the aggregate's hosts to pre-cache (202).
"""

import falcon

from common import exception
from nova_api import policy
from nova_api import timestamps
from nova_api import validation

_AZ = {'type': ['string', 'null'], 'minLength': 1, 'maxLength': 255,
       'pattern': r'^[^:]*$'}

CREATE_SCHEMA = {
    'type': 'object',
    'properties': {'aggregate': {
        'type': 'object',
        'properties': {'name': validation.NAME, 'availability_zone': _AZ},
        'required': ['name'], 'additionalProperties': False}},
    'required': ['aggregate'], 'additionalProperties': False,
}

UPDATE_SCHEMA = {
    'type': 'object',
    'properties': {'aggregate': {
        'type': 'object',
        'properties': {'name': validation.NAME, 'availability_zone': _AZ},
        'minProperties': 1, 'additionalProperties': False}},
    'required': ['aggregate'], 'additionalProperties': False,
}

_HOST = {'type': 'object', 'properties': {'host': {
    'type': 'string', 'minLength': 1, 'maxLength': 255}},
    'required': ['host'], 'additionalProperties': False}

ACTIONS = validation.Actions({
    'add_host': _HOST,
    'remove_host': _HOST,
    'set_metadata': {
        'type': 'object',
        'properties': {'metadata': {
            'type': 'object',
            'patternProperties': {'^[a-zA-Z0-9-_:. /]{1,255}$': {
                'type': ['string', 'null'], 'maxLength': 255}},
            'additionalProperties': False}},
        'required': ['metadata'], 'additionalProperties': False},
})


CACHE_SCHEMA = {
    'type': 'object',
    'properties': {'cache': {
        'type': 'array', 'minItems': 1,
        'items': {'type': 'object',
                  'properties': {'id': {'type': 'string', 'format': 'uuid'}},
                  'required': ['id'], 'additionalProperties': False}}},
    'required': ['cache'], 'additionalProperties': False,
}


def view(req, agg, with_members=True):
    out = {'id': agg['id'], 'name': agg['name'],
           'availability_zone': agg['availability_zone'],
           'created_at': timestamps.microseconds(agg['created_at']),
           'updated_at': timestamps.microseconds(agg['updated_at']),
           'deleted': False, 'deleted_at': None}
    # A create answers without hosts and metadata, as Nova always has.
    if with_members:
        out.update({'hosts': agg['hosts'], 'metadata': agg['metadata']})
    if req.context.api_version >= (2, 41):
        out['uuid'] = agg['uuid']
    return out


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api


class AggregateCollection(_Base):

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:os-aggregates:index')
        resp.media = {'aggregates': [
            view(req, a) for a in self.conductor.aggregate_get_all(
                req.context.ctxt)]}

    @validation.schema(CREATE_SCHEMA)
    def on_post(self, req, resp, body):
        policy.authorize(req, 'os_compute_api:os-aggregates:create')
        spec = body['aggregate']
        agg = self.conductor.aggregate_create(
            req.context.ctxt, spec['name'], spec.get('availability_zone'))
        resp.media = {'aggregate': view(req, agg, with_members=False)}


class Aggregate(_Base):

    def on_get(self, req, resp, aggregate_id):
        policy.authorize(req, 'os_compute_api:os-aggregates:show')
        resp.media = {'aggregate': view(req, self.conductor.aggregate_get(
            req.context.ctxt, aggregate_id))}

    @validation.schema(UPDATE_SCHEMA)
    def on_put(self, req, resp, aggregate_id, body):
        policy.authorize(req, 'os_compute_api:os-aggregates:update')
        spec = body['aggregate']
        resp.media = {'aggregate': view(req, self.conductor.aggregate_update(
            req.context.ctxt, aggregate_id, spec.get('name'),
            spec.get('availability_zone')))}

    def on_delete(self, req, resp, aggregate_id):
        policy.authorize(req, 'os_compute_api:os-aggregates:delete')
        self.conductor.aggregate_delete(req.context.ctxt, aggregate_id)


class AggregateAction(_Base):

    @validation.schema(ACTIONS)
    def on_post(self, req, resp, aggregate_id, body):
        [action] = body
        policy.authorize(req, 'os_compute_api:os-aggregates:' + action)
        ctxt = req.context.ctxt
        if 'add_host' in body:
            agg = self.conductor.aggregate_add_host(
                ctxt, aggregate_id, body['add_host']['host'])
        elif 'remove_host' in body:
            agg = self.conductor.aggregate_remove_host(
                ctxt, aggregate_id, body['remove_host']['host'])
        else:
            agg = self.conductor.aggregate_set_metadata(
                ctxt, aggregate_id, body['set_metadata']['metadata'])
        resp.media = {'aggregate': view(req, agg)}


class AggregateImages(_Base):

    @validation.schema(CACHE_SCHEMA, min_version=(2, 81))
    def on_post(self, req, resp, aggregate_id, body):
        policy.authorize(req, 'os_compute_api:os-aggregates:images')
        image_ids = list(dict.fromkeys(i['id'] for i in body['cache']))
        try:
            self.conductor.aggregate_cache_images(req.context.ctxt,
                                                  aggregate_id, image_ids)
        except exception.ImageNotFound as error:
            # A body naming an unknown image is a bad request here.
            raise exception.Invalid(error.message)
        resp.status = falcon.HTTP_202
