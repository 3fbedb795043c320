"""/v2.1/os-keypairs: users' SSH (and x509) key pairs.

Microversions: 2.2 adds `type` (ssh or x509) and answers create with 201
and delete with 204; 2.10 lets an admin name another user (`user_id`);
2.35 pages the list (limit, marker = name); 2.92 requires the public key
(no more server-generated keys) and allows '@' and '.' in names.
"""

import falcon

from nova_api import links
from nova_api import policy
from nova_api import query
from nova_api import ssh_keys
from nova_api import timestamps
from nova_api import validation

_NAME_OLD = {'type': 'string', 'minLength': 1, 'maxLength': 255,
             'pattern': r'^[a-zA-Z0-9 _-]+$'}
_NAME_V292 = dict(_NAME_OLD, pattern=r'^[a-zA-Z0-9 _.@-]+$')
_TYPE = {'type': 'string', 'enum': ['ssh', 'x509']}
_USER_ID = {'type': 'string', 'minLength': 1, 'maxLength': 255}


def create_schema(version):
    properties = {'name': _NAME_V292 if version >= (2, 92) else _NAME_OLD,
                  'public_key': {'type': 'string', 'minLength': 1}}
    if version >= (2, 2):
        properties['type'] = _TYPE
    if version >= (2, 10):
        properties['user_id'] = _USER_ID
    keypair = {'type': 'object', 'properties': properties,
               'required': ['name'], 'additionalProperties': False}
    if version >= (2, 92):
        keypair['required'] = ['name', 'public_key']
    return {'type': 'object', 'properties': {'keypair': keypair},
            'required': ['keypair'], 'additionalProperties': False}



def _target_user(req, rule, user_id=None):
    """The user whose key pairs are meant (2.10 lets admins name one),
    after checking `rule` against that user."""
    ctxt = req.context.ctxt
    if req.context.api_version < (2, 10):
        user_id = None
    else:
        user_id = user_id or req.get_param('user_id')
    policy.authorize(req, 'os_compute_api:os-keypairs:' + rule,
                     {'user_id': user_id or ctxt.user_id,
                      'project_id': ctxt.project_id})
    return user_id if user_id != ctxt.user_id else None


def _make(spec):
    """(public key, fingerprint, private key or None) for a create."""
    key_type = spec.get('type', 'ssh')
    public = spec.get('public_key')
    if public:
        if key_type == 'x509':
            return public, ssh_keys.check_x509_certificate(public), None
        public = public.strip()
        return public, ssh_keys.check_public_key(public), None
    if key_type == 'x509':
        private, public, fingerprint = ssh_keys.generate_x509()
        return public, fingerprint, private
    private, public = ssh_keys.generate('Generated-by-Nova')
    return public, ssh_keys.fingerprint(public), private


class KeyPairs:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp):
        version = req.context.api_version
        paging = {}
        if version >= (2, 35):
            paging = {'limit': query.limit(req),
                      'marker': req.get_param('marker')}
        found = self.conductor.keypair_get_all(
            req.context.ctxt, user_id=_target_user(req, 'index'), **paging)
        items = []
        for k in found:
            item = {'name': k['name'], 'fingerprint': k['fingerprint'],
                    'public_key': k['public_key']}
            if version >= (2, 2):
                item['type'] = k['type']
            items.append({'keypair': item})
        resp.media = {'keypairs': items}
        if paging.get('limit') and len(found) == paging['limit']:
            resp.media['keypairs_links'] = links.collection_next(
                req, 'os-keypairs', found[-1]['name'])

    @validation.schema(create_schema)
    def on_post(self, req, resp, body):
        version = req.context.api_version
        spec = body['keypair']
        user_id = _target_user(req, 'create', spec.get('user_id'))
        public, fingerprint, private = _make(spec)
        made = self.conductor.keypair_create(
            req.context.ctxt, spec['name'], public, fingerprint,
            spec.get('type', 'ssh'), user_id=user_id)
        out = {'name': made['name'], 'public_key': made['public_key'],
               'fingerprint': made['fingerprint'],
               'user_id': made['user_id']}
        if version >= (2, 2):
            out['type'] = made['type']
            resp.status = falcon.HTTP_201
        if private:
            out['private_key'] = private
        resp.media = {'keypair': out}


class KeyPair:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp, name):
        k = self.conductor.keypair_get(req.context.ctxt, name,
                                       user_id=_target_user(req, 'show'))
        out = {'id': k['id'], 'name': k['name'], 'user_id': k['user_id'],
               'fingerprint': k['fingerprint'], 'public_key': k['public_key'],
               'created_at': timestamps.microseconds(k['created_at']), 'deleted': False,
               'deleted_at': None, 'updated_at': None}
        if req.context.api_version >= (2, 2):
            out['type'] = k['type']
        resp.media = {'keypair': out}

    def on_delete(self, req, resp, name):
        self.conductor.keypair_delete(req.context.ctxt, name,
                                      user_id=_target_user(req, 'delete'))
        resp.status = (falcon.HTTP_204 if req.context.api_version >= (2, 2)
                       else falcon.HTTP_202)
