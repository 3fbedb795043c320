"""Identity version discovery for noauth2 (GET /identity and /identity/v3).

There is no Keystone in noauth2 mode, but the `openstack` CLI builds an
identity client even for `server list`, and with `auth_type: none` it finds
the identity API only through `identity_endpoint_override`. These documents
let its version discovery succeed. Projects are answered too: in noauth2 any
project name is a project (the token names it), so commands that resolve a
project (`openstack quota set ... PROJECT`) find one of that id and name.
Nothing else of Keystone is served.
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


def _project(req, project_id):
    return {'id': project_id, 'name': project_id, 'domain_id': 'default',
            'enabled': True, 'is_domain': False, 'parent_id': 'default',
            'description': '', 'tags': [],
            'links': {'self': '%s/identity/v3/projects/%s' % (
                links.base_url(req), project_id)}}


class IdentityProjects:

    def on_get(self, req, resp):
        name = req.get_param('name')
        names = [name] if name else [req.context.ctxt.project_id]
        resp.media = {'projects': [_project(req, n) for n in names],
                      'links': {'self': None, 'next': None,
                                'previous': None}}


class IdentityProject:

    def on_get(self, req, resp, project_id):
        resp.media = {'project': _project(req, project_id)}
