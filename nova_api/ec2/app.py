"""The EC2 Query API as a WSGI application.

A request is `Action=...&Version=...` and the action's parameters, form
encoded in a POST body (or in the query of a GET), signed with SigV4. The
steps: read the parameters (bounded), authenticate the signature, look up
the action in botocore's model, read its input by that model, run the
action against the in-process Compute API, and write the answer by the
model. Every failure is an EC2 error document with its code; no
traceback leaves this module.
"""

import logging
import time
import urllib.parse
import uuid

import oslo_messaging as messaging

from common import exception
from common.conf import CONF
from nova_api import app as compute_app
from nova_api.ec2 import actions
from nova_api.ec2 import auth
from nova_api.ec2 import compute
from nova_api.ec2 import errors
from nova_api.ec2 import model

LOG = logging.getLogger(__name__)
# Parameters that are the request's envelope, not the action's input.
_ENVELOPE = ('Action', 'Version')
_UNAVAILABLE = (messaging.MessagingTimeout, messaging.RPCVersionCapError,
                exception.ServiceUnavailable, exception.DatabaseUnavailable)
_PRESIGN_PREFIX = 'X-Amz-'


class Call:
    """What an action works with: the caller's Compute API, context and
    request."""

    def __init__(self, client, ctxt, conductor, host, request_id):
        self.compute = client
        self.ctxt = ctxt
        self.conductor = conductor
        self.host = host
        self.request_id = request_id


class EC2App:
    def __init__(self, conductor_api=None):
        if conductor_api is None:
            from nova_conductor import rpcapi as conductor_rpcapi
            conductor_api = conductor_rpcapi.ConductorAPI()
        self.conductor = conductor_api
        self.compute_app = compute_app.create_internal_app(
            conductor_api, compute.EnvironContext())
        self.authenticator = auth.authenticator(conductor_api)
        # Load botocore's model now, not on the first request.
        model.service_model()

    def __call__(self, environ, start_response):
        started = time.monotonic()
        request_id = str(uuid.uuid4())
        action = '-'
        try:
            request, params = _read(environ)
            action = params.get('Action') or '-'
            ctxt = self.authenticator.authenticate(
                request, 'req-' + request_id)
            status, body = 200, self._answer(environ, params, ctxt,
                                             request_id)
        except errors.EC2Error as error:
            status = error.status
            body = model.error_xml(error.code, error.message, request_id)
            if status >= 500:
                LOG.warning('EC2 %s failed: %s %s', _printable(action),
                            error.code, error.message)
        except _UNAVAILABLE as error:
            # No conductor answered, or it is older than these calls
            # (upgrade the conductors before the APIs).
            LOG.warning('EC2 %s: the conductor is unavailable: %s',
                        _printable(action), error)
            status = 503
            body = model.error_xml(
                'Unavailable', 'The service is unavailable; retry.',
                request_id)
        except Exception:
            LOG.exception('EC2 %s failed', _printable(action))
            status = 500
            body = model.error_xml(
                'InternalError', 'An internal error has occurred.',
                request_id)
        LOG.info('EC2 "%s" status: %s time: %.3f request: %s',
                 _printable(action), status, time.monotonic() - started,
                 request_id)
        start_response('%d %s' % (status, _REASONS.get(status, 'Error')), [
            ('Content-Type', 'text/xml;charset=UTF-8'),
            ('Content-Length', str(len(body))),
            ('x-amzn-RequestId', request_id)])
        return [body]

    def _answer(self, environ, params, ctxt, request_id):
        if not params.get('Action'):
            raise errors.MissingParameter(
                'The request must contain the parameter Action.')
        op = model.operation(params['Action'])
        handler = actions.HANDLERS.get(op.name)
        if handler is None:
            raise errors.UnsupportedOperation(
                'The action %s is not supported by this cloud.' % op.name)
        given = {k: v for k, v in params.items()
                 if k not in _ENVELOPE and not k.startswith(_PRESIGN_PREFIX)}
        data = model.parse_input(op, given)
        for name in op.input_shape.required_members if op.input_shape \
                else ():
            if name not in data:
                raise errors.MissingParameter(
                    'The request must contain the parameter %s.' % name)
        if data.pop('DryRun', False):
            raise errors.EC2Error(
                'Request would have succeeded, but DryRun flag is set.',
                code='DryRunOperation', status=412)
        client = compute.ComputeClient(self.compute_app, ctxt,
                                       'req-' + request_id)
        call = Call(client, ctxt, self.conductor,
                    environ.get('HTTP_HOST', ''), request_id)
        result = handler(call, data) or {}
        return model.output_xml(op, result, request_id)


def _read(environ):
    """(auth.SignedRequest, {parameter: value}) of a WSGI request."""
    method = environ.get('REQUEST_METHOD', 'GET')
    if method not in ('GET', 'POST'):
        raise errors.InvalidRequest('The EC2 API takes GET and POST only.',
                                    status=405)
    try:
        length = int(environ.get('CONTENT_LENGTH') or 0)
    except ValueError:
        raise errors.InvalidRequest('Content-Length is not a number.')
    if length > CONF.ec2.max_request_body_size:
        raise errors.InvalidRequest(
            'The request body is larger than %d bytes.'
            % CONF.ec2.max_request_body_size, status=413)
    body = environ['wsgi.input'].read(length) if length > 0 else b''
    query = _pairs(environ.get('QUERY_STRING', ''))
    params = dict(query)
    if len(params) != len(query):
        raise errors.InvalidParameterValue(
            'A query parameter is given more than once.')
    if method == 'POST' and body:
        ctype = environ.get('CONTENT_TYPE', '').split(';')[0].strip()
        if ctype != 'application/x-www-form-urlencoded':
            raise errors.InvalidRequest(
                'POST bodies must be application/x-www-form-urlencoded.',
                status=415)
        try:
            form = _pairs(body.decode('utf-8'))
        except UnicodeDecodeError:
            raise errors.InvalidParameterValue(
                'The request body is not UTF-8.')
        for name, value in form:
            if name in params:
                raise errors.InvalidParameterValue(
                    'The parameter %s is given more than once.'
                    % _printable(name))
            params[name] = value
    headers = {key[5:].replace('_', '-').lower(): value
               for key, value in environ.items() if key.startswith('HTTP_')}
    for key in ('CONTENT_TYPE', 'CONTENT_LENGTH'):
        if environ.get(key):
            headers[key.replace('_', '-').lower()] = environ[key]
    path = environ.get('PATH_INFO') or '/'
    return auth.SignedRequest(method, path, query, headers, body), params


def _pairs(text):
    try:
        return urllib.parse.parse_qsl(
            text, keep_blank_values=True, strict_parsing=False,
            max_num_fields=model.MAX_PARAMS + 16)
    except ValueError:
        raise errors.InvalidParameterValue(
            'A request takes at most %d parameters.' % model.MAX_PARAMS)


def _printable(text):
    text = str(text)[:80]
    return ''.join(c if c.isprintable() else '?' for c in text)


_REASONS = {200: 'OK', 400: 'Bad Request', 401: 'Unauthorized',
            403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
            412: 'Precondition Failed', 413: 'Payload Too Large',
            415: 'Unsupported Media Type', 500: 'Internal Server Error',
            503: 'Service Unavailable'}


def create_app(conductor_api=None):
    return EC2App(conductor_api)
