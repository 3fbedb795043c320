"""/v2.1/servers/{id}/metadata: a server's key/value metadata."""

import falcon

from common import exception
from nova_api import validation
from nova_api.resources import server_resource
from nova_api.resources import servers

METADATA_BODY = {
    'type': 'object',
    'properties': {'metadata': servers.METADATA_SCHEMA},
    'required': ['metadata'], 'additionalProperties': False,
}
META_BODY = {
    'type': 'object',
    'properties': {'meta': dict(servers.METADATA_SCHEMA, minProperties=1,
                                maxProperties=1)},
    'required': ['meta'], 'additionalProperties': False,
}


class _Base(server_resource.ServerResource):

    def _writable(self, req, server_id, rule):
        return self.get_writable(req, server_id,
                                 'os_compute_api:server-metadata:' + rule)

    def _set(self, req, server_id, metadata, replace):
        # QuotaExceeded is a 403 through the one error mapper.
        return self.conductor.instance_set_metadata(
            req.context.ctxt, server_id, metadata, replace)


class ServerMetadata(_Base):

    def on_get(self, req, resp, server_id):
        instance = self.get_visible(req, server_id,
                                    'os_compute_api:server-metadata:index')
        resp.media = {'metadata': instance.get('metadata') or {}}

    @validation.schema(METADATA_BODY)
    def on_post(self, req, resp, server_id, body):
        """Merge: keys given are set, the others kept."""
        self._writable(req, server_id, 'create')
        resp.media = {'metadata': self._set(req, server_id,
                                            body['metadata'], False)}

    @validation.schema(METADATA_BODY)
    def on_put(self, req, resp, server_id, body):
        """Replace: the server's metadata becomes exactly the body's."""
        self._writable(req, server_id, 'update_all')
        resp.media = {'metadata': self._set(req, server_id,
                                            body['metadata'], True)}


class ServerMetadataItem(_Base):

    def on_get(self, req, resp, server_id, key):
        metadata = self.get_visible(
            req, server_id, 'os_compute_api:server-metadata:show').get(
                'metadata') or {}
        if key not in metadata:
            raise exception.MetadataKeyNotFound()
        resp.media = {'meta': {key: metadata[key]}}

    @validation.schema(META_BODY)
    def on_put(self, req, resp, server_id, key, body):
        if key not in body['meta']:
            raise exception.Invalid('Request body and URI mismatch')
        self._writable(req, server_id, 'update')
        self._set(req, server_id, body['meta'], False)
        resp.media = {'meta': body['meta']}

    def on_delete(self, req, resp, server_id, key):
        self._writable(req, server_id, 'delete')
        # MetadataKeyNotFound (404) when the key is not there.
        self.conductor.instance_delete_metadata_key(req.context.ctxt,
                                                    server_id, key)
        resp.status = falcon.HTTP_204
