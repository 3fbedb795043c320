"""The one place that turns exceptions into Nova-style error responses.

Resources, and the middleware before them, raise domain exceptions
(common.exception: each names its status, and may carry headers to send
with it); falcon raises its own HTTP errors (no route, bad method). This
module picks the status and the body
`{"<name>": {"code": N, "message": "..."}}`, or under the image API
(/image) Glance's own `{"code": "404 Not Found", "title": "Not Found",
"message": "..."}`, and under noauth2's identity stand-in (/identity)
Keystone's `{"error": {"code": 404, "title": "Not Found", "message":
"..."}}`. Nothing else builds error bodies, and no traceback ever reaches
a client.
"""

import json
import logging

import falcon

from common import exception

LOG = logging.getLogger(__name__)

ERROR_NAMES = {
    400: 'badRequest', 401: 'unauthorized', 403: 'forbidden',
    404: 'itemNotFound', 405: 'badMethod', 406: 'notAcceptable',
    409: 'conflictingRequest', 413: 'overLimit', 415: 'badMediaType',
    429: 'overLimit', 500: 'computeFault', 501: 'notImplemented',
    503: 'serviceUnavailable',
}


def body(code, message):
    """The JSON text of a Compute API error; also used outside falcon."""
    name = ERROR_NAMES.get(code, 'computeFault')
    return json.dumps({name: {'code': code, 'message': message}})


IMAGE_API_PREFIX = '/image'
IDENTITY_API_PREFIX = '/identity'


def _under(path, prefix):
    return path == prefix or path.startswith(prefix + '/')


def body_for(path, code, message):
    """The JSON text of an error answering a request for `path`: Glance's
    error shape under /image, Keystone's under /identity, Nova's
    everywhere else."""
    status = falcon.code_to_http_status(code)
    title = status.split(' ', 1)[-1]
    if _under(path, IMAGE_API_PREFIX):
        return json.dumps({'code': status, 'title': title,
                           'message': message})
    if _under(path, IDENTITY_API_PREFIX):
        return json.dumps({'error': {'code': code, 'title': title,
                                     'message': message}})
    return body(code, message)


def _respond(req, resp, code, message, headers=None):
    resp.status = falcon.code_to_http_status(code)
    resp.content_type = 'application/json'
    resp.text = body_for(req.path, code, message)
    for key, value in (headers or {}).items():
        resp.set_header(key, value)


def handle_nova_exception(req, resp, error, params):
    code = error.code if 400 <= error.code < 600 else 500
    if code >= 500 and not isinstance(error, (exception.ServiceUnavailable,
                                              exception.NotSupported)):
        LOG.error('Request %s %s failed: %s', req.method, req.path, error)
    _respond(req, resp, code, error.message, error.headers)


def handle_http_error(req, resp, error, params):
    """falcon's own errors."""
    code = int(error.status_code)
    if isinstance(error, falcon.HTTPRouteNotFound):
        # What Nova (and Glance, and Keystone) answer for a path nothing
        # serves.
        message = exception.ResourceNotFound.msg_fmt
    else:
        message = error.description or error.title or str(error.status)
    _respond(req, resp, code, message, error.headers)


def handle_unexpected(req, resp, error, params):
    LOG.exception('Unexpected error on %s %s', req.method, req.path)
    _respond(req, resp, 500, 'Unexpected API Error. Please report this at '
             'the project\'s bug tracker and attach the request id %s.'
             % req.context.get('request_id', ''))


def install(app):
    # Falcon tries handlers most-specific first.
    app.add_error_handler(Exception, handle_unexpected)
    app.add_error_handler(falcon.HTTPError, handle_http_error)
    app.add_error_handler(exception.NovaException, handle_nova_exception)
