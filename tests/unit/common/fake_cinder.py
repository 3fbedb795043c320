"""A tiny Cinder v3 on a local port: volumes (create, show, delete) and
attachments (create, show, update, complete, delete) under
/v3/<project>/, with the statuses a real one moves through.

`requests` records (method, path, token, microversion header, body);
`fail` maps a path to the status code to answer it with; `script` maps a
volume id to the statuses its GETs return, one per GET.
"""

import contextlib
import http.server
import json
import threading
import uuid


class _Handler(http.server.BaseHTTPRequestHandler):
    cinder = None

    def log_message(self, *args):
        pass

    def _route(self, method):
        c = self.cinder
        length = int(self.headers.get('Content-Length') or 0)
        body = json.loads(self.rfile.read(length)) if length else None
        c.requests.append((method, self.path, self.headers.get('X-Auth-Token'),
                           self.headers.get('OpenStack-API-Version'), body))
        if self.path in c.fail:
            return self._send(c.fail[self.path],
                              {'badRequest': {'message': 'refused', 'code':
                                              c.fail[self.path]}})
        parts = self.path.strip('/').split('/')
        if parts[:1] != ['v3'] or len(parts) < 3:
            return self._send(404, {'itemNotFound': {'message': 'no'}})
        kind, rest = parts[2], parts[3:]
        handler = getattr(c, '%s_%s' % (method.lower(), kind), None)
        if handler is None:
            return self._send(404, {'itemNotFound': {'message': 'no'}})
        code, answer = handler(rest, body)
        self._send(code, answer)

    def do_GET(self):
        self._route('GET')

    def do_POST(self):
        self._route('POST')

    def do_PUT(self):
        self._route('PUT')

    def do_DELETE(self):
        self._route('DELETE')

    def _send(self, code, body):
        data = json.dumps(body).encode() if body is not None else b''
        self.send_response(code)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)


_MISSING = (404, {'itemNotFound': {'message': 'not found'}})


class FakeCinder:

    def __init__(self):
        self.volumes = {}
        self.attachments = {}
        self.requests = []
        self.fail = {}
        self.script = {}

    # volumes
    def post_volumes(self, rest, body):
        vol = dict(body['volume'], id=str(uuid.uuid4()), status='creating')
        self.volumes[vol['id']] = vol
        return 202, {'volume': vol}

    def get_volumes(self, rest, body):
        vol = self.volumes.get(rest[0]) if rest else None
        if vol is None:
            return _MISSING
        if self.script.get(vol['id']):
            vol['status'] = self.script[vol['id']].pop(0)
        return 200, {'volume': vol}

    def delete_volumes(self, rest, body):
        if self.volumes.pop(rest[0], None) is None:
            return _MISSING
        return 202, None

    # attachments
    def post_attachments(self, rest, body):
        if rest:  # /attachments/<id>/action
            att = self.attachments.get(rest[0])
            if att is None:
                return _MISSING
            if 'os-complete' in body:
                att['status'] = 'attached'
                self.volumes[att['volume_id']]['status'] = 'in-use'
            return 204, None
        req = body['attachment']
        vol = self.volumes.get(req['volume_uuid'])
        if vol is None:
            return _MISSING
        att = {'id': str(uuid.uuid4()), 'volume_id': vol['id'],
               'instance': req['instance_uuid'], 'status': 'reserved',
               'connection_info': None}
        if req.get('connector'):
            att.update(self._connect(vol, req['connector']))
        vol['status'] = 'reserved'
        self.attachments[att['id']] = att
        return 200, {'attachment': att}

    def get_attachments(self, rest, body):
        att = self.attachments.get(rest[0]) if rest else None
        return (200, {'attachment': att}) if att else _MISSING

    def put_attachments(self, rest, body):
        att = self.attachments.get(rest[0])
        if att is None:
            return _MISSING
        att.update(self._connect(self.volumes[att['volume_id']],
                                 body['attachment']['connector']))
        return 200, {'attachment': att}

    def delete_attachments(self, rest, body):
        att = self.attachments.pop(rest[0], None)
        if att is None:
            return _MISSING
        self.volumes[att['volume_id']]['status'] = 'available'
        return 200, {}

    @staticmethod
    def _connect(vol, connector):
        # Flat, as the attachments API answers it.
        return {'status': 'attaching', 'connector': connector,
                'connection_info': {
                    'driver_volume_type': 'rbd', 'attachment_id': 'x',
                    'name': 'volumes/volume-%s' % vol['id'],
                    'hosts': ['127.0.0.1'], 'ports': ['6789'],
                    'auth_username': 'cinder'}}


@contextlib.contextmanager
def running():
    """A FakeCinder serving on 127.0.0.1; yields (fake, base URL)."""
    fake = FakeCinder()
    handler = type('Handler', (_Handler,), {'cinder': fake})
    server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,),
                              daemon=True)
    thread.start()
    try:
        yield fake, 'http://127.0.0.1:%d' % server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
