"""Version discovery at / and /v2.1/ (no authentication needed)."""

from nova_api import links
from nova_api import microversion

V21_UPDATED = '2013-07-23T11:33:21Z'
V20_UPDATED = '2011-01-21T11:33:21Z'


def _v21(req):
    return {
        'id': 'v2.1', 'status': 'CURRENT',
        'version': microversion.fmt(microversion.MAX_VERSION),
        'min_version': microversion.fmt(microversion.MIN_VERSION),
        'updated': V21_UPDATED,
        'links': [{'rel': 'self', 'href': links.base_url(req) + '/v2.1/'}],
    }


class Versions:

    def on_get(self, req, resp):
        v20 = {'id': 'v2.0', 'status': 'SUPPORTED', 'version': '',
               'min_version': '', 'updated': V20_UPDATED,
               'links': [{'rel': 'self',
                          'href': links.base_url(req) + '/v2/'}]}
        resp.media = {'versions': [v20, _v21(req)]}


class V21:

    def on_get(self, req, resp):
        doc = _v21(req)
        doc['links'].append({'rel': 'describedby', 'type': 'text/html',
                             'href': 'https://docs.openstack.org/'})
        doc['media-types'] = [{
            'base': 'application/json',
            'type': 'application/vnd.openstack.compute+json;version=2.1'}]
        resp.media = {'version': doc}
