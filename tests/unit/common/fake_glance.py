"""A tiny Glance v2 on a local port: GET /v2/images and /v2/images/{id},
PATCH (add, replace, remove of top-level keys) and DELETE of an image.

It records each request's path and X-Auth-Token (`seen`; changes also in
`changes`: method, path, token, content type, body), answers a list in
pages of `page_size` with Glance's relative `next` link, and a path listed
in `fail` with that status code.
"""

import contextlib
import http.server
import json
import threading
import urllib.parse

from common import glance_client
from common.conf import CONF

IMAGE_ID = '0f2d3c4b-5a69-4788-9a0b-1c2d3e4f5a6b'


def glance_image(image_id=IMAGE_ID, **fields):
    """An image as Glance v2 shows it, custom properties at the top."""
    image = {
        'id': image_id, 'name': 'cirros', 'status': 'active',
        'visibility': 'public', 'protected': False, 'os_hidden': False,
        'checksum': 'c' * 32, 'os_hash_algo': 'sha512',
        'os_hash_value': 'f' * 128, 'owner': 'p-glance', 'size': 4096,
        'virtual_size': 1 << 30, 'min_disk': 1, 'min_ram': 64,
        'disk_format': 'qcow2', 'container_format': 'bare',
        'tags': ['t1'], 'created_at': '2026-01-02T03:04:05Z',
        'updated_at': '2026-01-02T03:04:06Z',
        'self': '/v2/images/%s' % image_id,
        'file': '/v2/images/%s/file' % image_id,
        'schema': '/v2/schemas/image', 'os_distro': 'cirros',
        'hw_architecture': 'x86_64', 'stores': 'file',
    }
    image.update(fields)
    return image


class _Handler(http.server.BaseHTTPRequestHandler):
    glance = None

    def do_GET(self):
        g = self.glance
        g.seen.append((self.path, self.headers.get('X-Auth-Token')))
        if self.path in g.fail:
            return self._send(g.fail[self.path], b'{"message": "no"}')
        url = urllib.parse.urlsplit(self.path)
        if not url.path.startswith(g.prefix + '/v2/images'):
            return self._send(404, b'{}')
        rest = url.path[len(g.prefix + '/v2/images'):].strip('/')
        if rest:
            found = [i for i in g.images if i['id'] == rest]
            if not found:
                return self._send(404, b'{"message": "not found"}')
            return self._send(200, json.dumps(found[0]).encode())
        query = dict(urllib.parse.parse_qsl(url.query))
        images = [i for i in g.images
                  if 'name' not in query or i['name'] == query['name']]
        ids = [i['id'] for i in images]
        start = ids.index(query['marker']) + 1 if 'marker' in query else 0
        page = images[start:start + g.page_size]
        body = {'images': page, 'first': '/v2/images',
                'schema': '/v2/schemas/images'}
        if start + g.page_size < len(images):
            params = dict(query, marker=page[-1]['id'])
            body['next'] = '/v2/images?' + urllib.parse.urlencode(params)
        return self._send(200, json.dumps(body).encode())

    def _change(self):
        """The image a PATCH or DELETE names (None after answering)."""
        g = self.glance
        length = int(self.headers.get('Content-Length') or 0)
        body = self.rfile.read(length) if length else b''
        g.changes.append((self.command, self.path,
                          self.headers.get('X-Auth-Token'),
                          self.headers.get('Content-Type'),
                          json.loads(body) if body else None))
        if self.path in g.fail:
            self._send(g.fail[self.path], b'{"message": "no"}')
            return None, None
        image_id = self.path[len(g.prefix + '/v2/images/'):]
        found = [i for i in g.images if i['id'] == image_id]
        if not found:
            self._send(404, b'{"message": "not found"}')
            return None, None
        return found[0], json.loads(body) if body else None

    def do_PATCH(self):
        image, ops = self._change()
        if image is None:
            return
        for op in ops:
            key = op['path'].lstrip('/')
            if op['op'] == 'remove':
                if key not in image:
                    return self._send(409, b'{"message": "absent"}')
                del image[key]
            else:
                image[key] = op['value']
        self._send(200, json.dumps(image).encode())

    def do_DELETE(self):
        image, _ = self._change()
        if image is None:
            return
        self.glance.images.remove(image)
        self.send_response(204)
        self.end_headers()

    def _send(self, code, body):
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class FakeGlance:
    """start() it, point [glance] api_servers at `endpoint`, stop() it."""

    def __init__(self, images=None, prefix='', page_size=25):
        self.images = list(images if images is not None
                           else [glance_image()])
        self.prefix = prefix
        self.page_size = page_size
        self.seen = []
        self.changes = []
        self.fail = {}
        self._httpd = None

    def start(self):
        handler = type('Handler', (_Handler,), {'glance': self})
        self._httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      handler)
        threading.Thread(target=self._httpd.serve_forever,
                         kwargs={'poll_interval': 0.05}, daemon=True).start()
        self.endpoint = 'http://127.0.0.1:%d%s' % (
            self._httpd.server_address[1], self.prefix)
        return self

    def stop(self):
        self._httpd.shutdown()
        self._httpd.server_close()


@contextlib.contextmanager
def configured():
    """A FakeGlance that [glance] api_servers names (no retries), with the
    process' shared client forgotten before and after."""
    fake = FakeGlance().start()
    CONF.set_override('api_servers', [fake.endpoint], 'glance')
    CONF.set_override('num_retries', 0, 'glance')
    glance_client.reset_shared_client()
    try:
        yield fake
    finally:
        CONF.clear_override('api_servers', 'glance')
        CONF.clear_override('num_retries', 'glance')
        glance_client.reset_shared_client()
        fake.stop()
