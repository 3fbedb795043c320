"""The EC2 API's way into Nova: the Compute API itself, called in-process.

Every EC2 action is a few Compute API requests made with the caller's
own RequestContext, so boot, policy, quotas, validation and every state
check are the Compute API's, not a second copy. A request costs a WSGI
call inside this process, not an HTTP round trip.
"""

import io
import json
import logging
import urllib.parse

from nova_api import microversion
from nova_api import middleware
from nova_api.ec2 import errors

LOG = logging.getLogger(__name__)

# Where the EC2 layer leaves the caller's context for the Compute API's
# identity middleware (EnvironContext). No HTTP header becomes this key.
CONTEXT_KEY = 'nova.ec2.context'
# Filters only in-process callers may give (server_filters.py).
FILTERS_KEY = 'nova.internal_filters'
# Asks the server views for the EC2 fields (server_view.py).
VIEW_KEY = 'nova.ec2.view'
VERSION = '%d.%d' % microversion.MAX_VERSION


class EnvironContext:
    """The identity middleware of the in-process Compute API: the context
    is the one the EC2 layer authenticated."""

    def process_request(self, req, resp):
        # Its request id stays the EC2 request's: every line logged for
        # one action carries the same id.
        req.context.ctxt = req.env[CONTEXT_KEY]


class ComputeError(Exception):
    """A Compute API error answer: its status and message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


class ComputeClient:
    """Compute API requests for one caller."""

    def __init__(self, app, ctxt, request_id):
        self.app = app
        self.ctxt = ctxt
        self.request_id = request_id

    def get(self, path, **query):
        return self.request('GET', path, query=query)

    def post(self, path, body):
        return self.request('POST', path, body=body)

    def put(self, path, body):
        return self.request('PUT', path, body=body)

    def delete(self, path):
        return self.request('DELETE', path)

    def request(self, method, path, body=None, query=None,
                internal_filters=None, version=VERSION):
        """The decoded JSON answer (None when empty); ComputeError when
        the status is 400 or more. Paths under /image are the image API's;
        others are under /v2.1."""
        payload = json.dumps(body).encode() if body is not None else b''
        environ = {
            'REQUEST_METHOD': method,
            'SCRIPT_NAME': '',
            'PATH_INFO': path if path.startswith('/image/') else
            '/v2.1' + path,
            'QUERY_STRING': urllib.parse.urlencode(
                [(k, v) for k, v in (query or {}).items() if v is not None],
                doseq=True),
            'SERVER_NAME': 'localhost', 'SERVER_PORT': '80',
            'SERVER_PROTOCOL': 'HTTP/1.1',
            'wsgi.url_scheme': 'http', 'wsgi.input': io.BytesIO(payload),
            'wsgi.errors': io.StringIO(), 'wsgi.version': (1, 0),
            'wsgi.multithread': True, 'wsgi.multiprocess': False,
            'wsgi.run_once': False,
            'CONTENT_LENGTH': str(len(payload)),
            'HTTP_ACCEPT': 'application/json',
            'HTTP_OPENSTACK_API_VERSION': 'compute ' + version,
            'HTTP_X_OPENSTACK_REQUEST_ID': self.request_id,
            CONTEXT_KEY: self.ctxt,
            VIEW_KEY: True,
        }
        if internal_filters:
            environ[FILTERS_KEY] = internal_filters
        sink = environ[middleware.MEDIA_SINK_KEY] = {}
        if body is not None:
            environ['CONTENT_TYPE'] = 'application/json'
        answer = {}

        def start_response(status, headers, exc_info=None):
            answer['status'] = int(status.split(' ', 1)[0])

        chunks = self.app(environ, start_response)
        try:
            text = b''.join(chunks)
        finally:
            if hasattr(chunks, 'close'):
                chunks.close()
        data = sink['media'] if 'media' in sink else (
            json.loads(text) if text else None)
        if answer['status'] >= 400:
            raise ComputeError(answer['status'], _message(data))
        return data


def _message(data):
    """The message of a Compute API error body {"name": {"message"}}."""
    if isinstance(data, dict) and len(data) == 1:
        inner = next(iter(data.values()))
        if isinstance(inner, dict) and inner.get('message'):
            return str(inner['message'])
    return 'The compute service refused the request.'


def ec2_error(error, not_found=None):
    """The EC2 error for a ComputeError: `not_found` is the code of a 404
    (InvalidInstanceID.NotFound...)."""
    if error.status == 404 and not_found:
        return errors.NotFound(error.message, code=not_found)
    if error.status == 403 and 'uota' in error.message:
        return errors.LimitExceeded(error.message)
    if error.status in (401, 403):
        return errors.UnauthorizedOperation(error.message)
    if error.status == 409:
        return errors.IncorrectInstanceState(error.message)
    if error.status == 413:
        return errors.LimitExceeded(error.message)
    if error.status == 503:
        return errors.ServiceUnavailable(error.message)
    if error.status >= 500:
        LOG.error('The Compute API failed an EC2 request: %s',
                  error.message)
        return errors.EC2Error('An internal error occurred.')
    return errors.InvalidParameterValue(error.message)
