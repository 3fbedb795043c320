"""The server actions that move a server (docs/resize.md): resize,
confirmResize, revertResize and migrate (cold; a host from 2.56).

The conductor answers once the target is claimed: no host, the same
flavor, a smaller disk and the quota are refused here, with the server
left as it was.
"""

import falcon

from common import exception
from nova_api import policy

V_MIGRATE_HOST = (2, 56)

RESIZE_SCHEMA = {
    'type': 'object',
    'properties': {
        'flavorRef': {'type': ['string', 'integer'], 'minLength': 1,
                      'maxLength': 255},
        'OS-DCF:diskConfig': {'type': 'string',
                              'enum': ['AUTO', 'MANUAL']},
    },
    'required': ['flavorRef'], 'additionalProperties': False,
}


def migrate_schema(version):
    """`migrate` takes null before 2.56; from 2.56 an object with an
    optional host (null: the scheduler picks)."""
    if version < V_MIGRATE_HOST:
        return {'type': ['object', 'null'], 'properties': {},
                'additionalProperties': False}
    return {'type': ['object', 'null'],
            'properties': {'host': {'type': ['string', 'null'],
                                    'minLength': 1, 'maxLength': 255}},
            'additionalProperties': False}


SETTLE_SCHEMA = {'type': ['object', 'null']}

SCHEMAS = {'resize': RESIZE_SCHEMA, 'migrate': migrate_schema,
           'confirmResize': SETTLE_SCHEMA, 'revertResize': SETTLE_SCHEMA}


def _no_host_is_400(call):
    """Nova answers 400 when no host can take the server."""
    try:
        return call()
    except exception.NoValidHost as error:
        raise exception.Invalid(error.message)


class ServerMoves:
    """Mixed into ServerAction (server_actions.py)."""

    def move(self, req, resp, server_id, name, params):
        getattr(self, '_' + name)(req, resp, server_id, params or {})

    def _resize(self, req, resp, server_id, params):
        ctxt = req.context.ctxt
        instance = self.get_writable(req, server_id,
                                     'os_compute_api:servers:resize')
        flavor = self.specs._flavor(ctxt, params['flavorRef'])
        _no_host_is_400(lambda: self.conductor.resize_instance(
            ctxt, instance['uuid'], flavor['flavorid']))
        if 'OS-DCF:diskConfig' in params:
            # Only once the resize is under way: a refusal changes nothing.
            self.conductor.instance_update(ctxt, instance['uuid'], {
                'auto_disk_config': params['OS-DCF:diskConfig'] == 'AUTO'})
        resp.status = falcon.HTTP_202

    def _migrate(self, req, resp, server_id, params):
        ctxt = req.context.ctxt
        instance = self.get_writable(
            req, server_id, 'os_compute_api:os-migrate-server:migrate')
        host = params.get('host')
        if host is not None:
            policy.authorize(req,
                             'os_compute_api:os-migrate-server:migrate:host',
                             policy.server_target(instance))
        try:
            _no_host_is_400(lambda: self.conductor.resize_instance(
                ctxt, instance['uuid'], None, host))
        except exception.ComputeHostNotFound as error:
            raise exception.Invalid(error.message)
        resp.status = falcon.HTTP_202

    def _confirmResize(self, req, resp, server_id, params):
        instance = self.get_writable(
            req, server_id, 'os_compute_api:servers:confirm_resize')
        self.conductor.confirm_resize(req.context.ctxt, instance['uuid'])
        resp.status = falcon.HTTP_204

    def _revertResize(self, req, resp, server_id, params):
        instance = self.get_writable(
            req, server_id, 'os_compute_api:servers:revert_resize')
        self.conductor.revert_resize(req.context.ctxt, instance['uuid'])
        resp.status = falcon.HTTP_202
