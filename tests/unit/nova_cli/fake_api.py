"""A tiny HTTP server for CLI unit tests: canned answers, recorded requests."""

import http.server
import json
import threading


class FakeApi:
    """routes: {(method, path): callable(request) -> (status, body[,
    headers])}.

    A body that is a dict is sent as JSON; bytes as they are. Every request
    is recorded as a dict with method, path, headers and body.
    """

    def __init__(self):
        self.routes = {}
        self.requests = []
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):

            def _serve(self):
                length = int(self.headers.get('Content-Length') or 0)
                body = self.rfile.read(length) if length else b''
                request = {'method': self.command, 'path': self.path,
                           'headers': dict(self.headers), 'body': body}
                fake.requests.append(request)
                route = fake.routes.get((self.command, self.path))
                if route is None:
                    status, answer = 404, {'itemNotFound': {
                        'code': 404, 'message': 'No route %s' % self.path}}
                    headers = {}
                else:
                    status, answer, *extra = route(request)
                    headers = extra[0] if extra else {}
                data = answer if isinstance(answer, bytes) else \
                    json.dumps(answer).encode() if answer is not None else b''
                self.send_response(status)
                if answer is not None and not isinstance(answer, bytes):
                    self.send_header('Content-Type', 'application/json')
                self.send_header('Content-Length', str(len(data)))
                self.send_header('x-openstack-request-id', 'req-fake')
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                                      Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={'poll_interval': 0.02},
            daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def route(self, method, path, status=200, body=None):
        self.routes[(method, path)] = lambda request: (status, body)
