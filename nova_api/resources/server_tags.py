"""/v2.1/servers/{id}/tags (2.26): simple string tags on a server."""

import falcon

from common import exception
from nova_api import microversion
from nova_api import validation
from nova_api.resources import server_resource
from nova_api.resources import servers

_TAG = servers.TAGS_SCHEMA['items']
TAGS_BODY = {
    'type': 'object',
    'properties': {'tags': servers.TAGS_SCHEMA},
    'required': ['tags'], 'additionalProperties': False,
}


class _Base(server_resource.ServerResource):

    def _instance(self, req, server_id, rule, write=False):
        microversion.require(req, (2, 26))
        rule = 'os_compute_api:os-server-tags:' + rule
        if write:
            return self.get_writable(req, server_id, rule)
        return self.get_visible(req, server_id, rule)

    def _set(self, req, server_id, tags=None, add=(), remove=()):
        # InstanceTagNotFound (404) or Invalid (400, too many tags).
        return self.conductor.instance_set_tags(
            req.context.ctxt, server_id, tags, add, remove)


class ServerTags(_Base):

    def on_get(self, req, resp, server_id):
        resp.media = {'tags': self._instance(req, server_id, 'index').get(
            'tags', [])}

    @validation.schema(TAGS_BODY, min_version=(2, 26))
    def on_put(self, req, resp, server_id, body):
        self._instance(req, server_id, 'update_all', write=True)
        resp.media = {'tags': self._set(req, server_id, body['tags'])}

    def on_delete(self, req, resp, server_id):
        self._instance(req, server_id, 'delete_all', write=True)
        self._set(req, server_id, [])
        resp.status = falcon.HTTP_204


class ServerTag(_Base):

    def on_get(self, req, resp, server_id, tag):
        if tag not in self._instance(req, server_id, 'show').get('tags', []):
            raise exception.NotFound('Instance %s has no tag %s'
                                     % (server_id, tag))
        resp.status = falcon.HTTP_204

    @validation.no_body
    def on_put(self, req, resp, server_id, tag):
        validation.validate(_TAG, tag)
        instance = self._instance(req, server_id, 'update', write=True)
        existed = tag in instance.get('tags', [])
        self._set(req, server_id, add=[tag])
        resp.status = falcon.HTTP_204 if existed else falcon.HTTP_201
        resp.location = req.url

    def on_delete(self, req, resp, server_id, tag):
        self._instance(req, server_id, 'delete', write=True)
        self._set(req, server_id, remove=[tag])
        resp.status = falcon.HTTP_204
