"""Version discovery of the image API at /image and /image/versions."""

from nova_api import links

# Every v2 minor version Glance has published; all are served by the
# same resources, as in Glance.
CURRENT = (2, 9)


def versions(req):
    href = links.base_url(req) + '/image/v2/'
    return {'versions': [
        {'id': 'v2.%d' % minor,
         'status': 'CURRENT' if (2, minor) == CURRENT else 'SUPPORTED',
         'links': [{'rel': 'self', 'href': href}]}
        for minor in range(CURRENT[1], -1, -1)]}


class Versions:
    """GET /image: Glance answers 300 Multiple Choices with the list."""

    def __init__(self, status=300):
        self.status = status

    def on_get(self, req, resp):
        resp.status = self.status
        resp.media = versions(req)
