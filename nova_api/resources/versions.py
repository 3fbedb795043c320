"""Version discovery at /, /v2/ and /v2.1/ (no authentication needed).

/v2/ is the legacy v2 endpoint: the same resources as /v2.1/, always at
2.1 and without microversion headers (nova_api/middleware.py)."""

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


def _v20(req):
    return {'id': 'v2.0', 'status': 'SUPPORTED', 'version': '',
            'min_version': '', 'updated': V20_UPDATED,
            'links': [{'rel': 'self', 'href': links.base_url(req) + '/v2/'}]}


def _one(doc, media_version):
    """A version's own document: its list entry, described."""
    doc['links'].append({'rel': 'describedby', 'type': 'text/html',
                         'href': 'https://docs.openstack.org/'})
    doc['media-types'] = [{
        'base': 'application/json',
        'type': 'application/vnd.openstack.compute+json;version=%s'
                % media_version}]
    return {'version': doc}


class Versions:

    def on_get(self, req, resp):
        resp.media = {'versions': [_v20(req), _v21(req)]}


class V20:

    def on_get(self, req, resp):
        resp.media = _one(_v20(req), '2')


class V21:

    def on_get(self, req, resp):
        resp.media = _one(_v21(req), '2.1')
