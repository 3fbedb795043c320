"""Identity version discovery for noauth2 (GET /identity and /identity/v3).

There is no Keystone in noauth2 mode, but the `openstack` CLI builds an
identity client even for `server list`, and with `auth_type: none` it finds
the identity API only through `identity_endpoint_override`. These documents
let its version discovery succeed; nothing else of Keystone is served.
"""

from nova_api import links

# The Keystone v3 minor version whose features clients may assume.
V3_ID = 'v3.14'
V3_UPDATED = '2020-04-07T00:00:00Z'


def _v3(req):
    return {
        'id': V3_ID, 'status': 'stable', 'updated': V3_UPDATED,
        'links': [{'rel': 'self',
                   'href': links.base_url(req) + '/identity/v3/'}],
        'media-types': [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.identity-v3+json'}],
    }


class IdentityVersions:

    def on_get(self, req, resp):
        resp.media = {'versions': {'values': [_v3(req)]}}


class IdentityV3:

    def on_get(self, req, resp):
        resp.media = {'version': _v3(req)}
