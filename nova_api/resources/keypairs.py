"""/v2.1/os-keypairs: the caller's SSH key pairs (2.1 shape)."""

import falcon

from nova_api import policy
from nova_api import ssh_keys
from nova_api import validation

CREATE_SCHEMA = {
    'type': 'object',
    'properties': {'keypair': {
        'type': 'object',
        'properties': {
            'name': {'type': 'string', 'minLength': 1, 'maxLength': 255,
                     'pattern': r'^[a-zA-Z0-9 _.@-]+$'},
            'public_key': {'type': 'string', 'minLength': 1},
        },
        'required': ['name'], 'additionalProperties': False}},
    'required': ['keypair'], 'additionalProperties': False,
}


def _time(iso):
    return iso[:26].replace('+00:00', '') if iso else None


class KeyPairs:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:os-keypairs:index')
        found = self.conductor.keypair_get_all(req.context.ctxt)
        resp.media = {'keypairs': [{'keypair': {
            'name': k['name'], 'fingerprint': k['fingerprint'],
            'public_key': k['public_key']}} for k in found]}

    def on_post(self, req, resp):
        ctxt = req.context.ctxt
        policy.authorize(req, 'os_compute_api:os-keypairs:create')
        body = validation.validate(CREATE_SCHEMA, validation.read_json(req))
        spec = body['keypair']
        private = None
        if spec.get('public_key'):
            public = spec['public_key'].strip()
        else:
            private, public = ssh_keys.generate('Generated-by-Nova')
        fingerprint = ssh_keys.check_public_key(public)
        made = self.conductor.keypair_create(ctxt, spec['name'], public,
                                             fingerprint)
        out = {'name': made['name'], 'public_key': made['public_key'],
               'fingerprint': made['fingerprint'],
               'user_id': made['user_id']}
        if private:
            out['private_key'] = private
        resp.media = {'keypair': out}


class KeyPair:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp, name):
        k = self.conductor.keypair_get(req.context.ctxt, name)
        policy.authorize(req, 'os_compute_api:os-keypairs:show',
                         {'user_id': k['user_id']})
        resp.media = {'keypair': {
            'id': k['id'], 'name': k['name'], 'user_id': k['user_id'],
            'fingerprint': k['fingerprint'], 'public_key': k['public_key'],
            'created_at': _time(k['created_at']), 'deleted': False,
            'deleted_at': None, 'updated_at': None}}

    def on_delete(self, req, resp, name):
        policy.authorize(req, 'os_compute_api:os-keypairs:delete')
        self.conductor.keypair_delete(req.context.ctxt, name)
        resp.status = falcon.HTTP_202
