"""Who is calling: Keystone tokens through keystonemiddleware, or noauth2.

With `[api] auth_strategy = keystone`, keystonemiddleware's auth_token
validates the X-Auth-Token against Keystone (options in
`[keystone_authtoken]`) and sets the identity headers; KeystoneContext turns
them into our RequestContext. auth_token runs with delay_auth_decision, so
a missing or bad token reaches our app, which refuses it through the one
error mapper (Nova's body, request id); auth_token then adds
`WWW-Authenticate: Keystone uri="..."` to every 401 on its way out.
The version documents are public: they skip auth_token entirely.
"""

import json
import logging

import falcon

from common import context as nova_context
from common import exception
from common.conf import CONF
from nova_api import errors
from nova_api import middleware

# Raw WSGI paths answered without a token: the version documents, the
# dashboard's static page (it logs in, then calls the API with a token),
# and /metrics where it is served.
PUBLIC_PATHS = frozenset(['', '/', '/v2', '/v2/', '/v2.1', '/v2.1/',
                          '/image', '/image/', '/image/versions',
                          # the all-in-one's, for loopback callers
                          '/metrics'])
PUBLIC_PREFIXES = ('/dashboard/',)
LOG = logging.getLogger(__name__)


def is_public(path):
    return (path in PUBLIC_PATHS or path == '/dashboard' or
            path.startswith(PUBLIC_PREFIXES))


def keystone_enabled():
    return CONF.api.auth_strategy == 'keystone'


def identity_middleware():
    """The falcon middleware that sets req.context.ctxt for this strategy."""
    if keystone_enabled():
        return KeystoneContext()
    return middleware.NoAuthMiddleware()


def wrap(app):
    """Put auth_token in front of `app` when Keystone is the strategy."""
    if not keystone_enabled():
        return app
    # Imported here: it registers [keystone_authtoken] on CONF and pulls in
    # webob and oslo.cache, which noauth deployments never need.
    from keystonemiddleware import auth_token
    protected = auth_token.AuthProtocol(app, {'delay_auth_decision': 'true'})

    def dispatch(environ, start_response):
        if is_public(environ.get('PATH_INFO', '')):
            return app(environ, start_response)
        try:
            return protected(environ, start_response)
        except Exception:
            # auth_token itself failed (Keystone misconfigured or its
            # catalog lacks the identity endpoint): say so, Nova-style.
            LOG.exception('Token validation failed')
            return _error(start_response, 503, 'The identity service '
                          'could not validate the token.')
    return dispatch


def _error(start_response, code, message):
    payload = errors.body(code, message).encode()
    start_response(falcon.code_to_http_status(code), [
        ('Content-Type', 'application/json'),
        ('Content-Length', str(len(payload)))])
    return [payload]


def _service_catalog(req):
    raw = req.get_header('X-Service-Catalog')
    if not raw:
        return []
    try:
        catalog = json.loads(raw)
    except ValueError:
        return []
    return catalog if isinstance(catalog, list) else []


class KeystoneContext:
    """Builds the RequestContext from the headers auth_token set.

    auth_token strips identity headers a client sends itself, so on every
    path it guards these headers come from Keystone. Public paths skip
    auth_token and get an anonymous context.
    """

    def process_request(self, req, resp):
        ids = dict(request_id=req.context.request_id,
                   global_request_id=req.context.global_request_id)
        if is_public(req.env.get('PATH_INFO', '')):
            req.context.ctxt = nova_context.RequestContext(
                user_id=None, project_id=None, roles=[], **ids)
            return
        if req.get_header('X-Identity-Status') != 'Confirmed':
            raise exception.Unauthenticated()
        ctxt = nova_context.RequestContext.from_environ(
            req.env, service_catalog=_service_catalog(req), **ids)
        ctxt.is_admin = 'admin' in ctxt.roles
        if not ctxt.project_id:
            raise exception.Forbidden('A project-scoped token is required.')
        path_project = getattr(req.context, 'path_project_id', None)
        if path_project and path_project != ctxt.project_id:
            raise exception.Invalid(
                "Malformed request URL: URL's project_id '%s' doesn't match "
                "Context's project_id '%s'" % (path_project, ctxt.project_id))
        req.context.ctxt = ctxt
