"""/healthcheck with a token: oslo.middleware's detailed view, for admins.

Without a token nova_api.healthcheck answers before auth; see there.
"""

from nova_api import healthcheck
from nova_api import policy


def call_wsgi(app, environ):
    """Run a WSGI app: its status line, headers and body."""
    answered = {}

    def start_response(status, headers, exc_info=None):
        answered.update(status=status, headers=headers)

    chunks = app(environ, start_response)
    try:
        body = b''.join(chunks)
    finally:
        getattr(chunks, 'close', lambda: None)()
    return answered['status'], answered['headers'], body


class HealthcheckDetail:

    def __init__(self):
        self.app = healthcheck.detailed_app()

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:os-healthcheck:detailed')
        status, headers, body = call_wsgi(self.app, req.env)
        resp.status = status
        for name, value in headers:
            if name.lower() == 'content-type':
                resp.content_type = value
        resp.data = body

    on_head = on_get
