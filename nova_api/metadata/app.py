"""The metadata service's WSGI application.

Every path is served by one sink: who is asking (requester.py), what we
know of that instance (the cache, else one conductor call), and the
answer at the path (common/instance_metadata.py). Errors are short text,
as guests' readers expect, never a traceback.
"""

import logging

import falcon

from common import context as nova_context
from common import exception
from common import instance_metadata
from common.conf import CONF
from nova_api import request_body
from nova_api.metadata import cache
from nova_api.metadata import requester

LOG = logging.getLogger(__name__)

_JSON = 'application/json'
_TEXT = 'text/plain; charset=UTF-8'
_BYTES = 'application/octet-stream'


class MetadataService:
    """GET any path of the trees; POST the guest's password."""

    def __init__(self, conductor_api):
        self.conductor = conductor_api
        self.cache = cache.TTLCache(self._load,
                                    CONF.api.metadata_cache_expiration)

    def _load(self, key):
        ctxt = nova_context.get_admin_context()
        if key[0] == requester.BY_UUID:
            instance = self.conductor.instance_get(ctxt, key[1])
        else:
            instance = self.conductor.instance_get_by_fixed_ip(ctxt, key[1])
        return instance_metadata.InstanceMetadata(instance)

    def metadata_for(self, who):
        """The InstanceMetadata of the instance `who` (a requester key)
        names; MetadataNotFound when there is none, or when a proxy's
        tenant is not the instance's."""
        try:
            found = self.cache.get(who[:2],
                                   not_found=exception.InstanceNotFound)
        except exception.InstanceNotFound:
            raise exception.MetadataNotFound()
        if who[0] == requester.BY_UUID and \
                found.instance.get('project_id') != who[2]:
            LOG.warning('Metadata request for instance %s names tenant %r, '
                        'not its own', who[1], who[2][:64])
            raise exception.MetadataNotFound()
        return found

    def __call__(self, req, resp, **kwargs):
        if req.method in ('GET', 'HEAD'):
            self._get(req, resp)
        elif req.method == 'POST':
            self._post(req, resp)
        else:
            raise falcon.HTTPMethodNotAllowed(['GET', 'HEAD', 'POST'])

    def _get(self, req, resp):
        who = requester.identify(req)
        answer = self.metadata_for(who).lookup(req.path)
        if isinstance(answer, str):
            resp.content_type = _TEXT
            answer = answer.encode()
        else:
            resp.content_type = _JSON if req.path.endswith('.json') \
                else _BYTES
        resp.data = answer

    def _post(self, req, resp):
        """The guest's one-time post of its (encrypted) password to
        /openstack/<version>/password."""
        parts = [p for p in req.path.split('/') if p]
        if len(parts) != 3 or parts[0] != 'openstack' or \
                parts[2] != instance_metadata.PASSWORD:
            raise falcon.HTTPMethodNotAllowed(['GET', 'HEAD'])
        who = requester.identify(req)
        found = self.metadata_for(who)
        if instance_metadata.PASSWORD not in found.openstack_listing(
                parts[1]):
            raise exception.MetadataNotFound()
        password = _password(req)
        uuid = found.instance['uuid']
        self.conductor.instance_password_set(
            nova_context.get_admin_context(), uuid, password)
        self.cache.forget(who[:2])
        resp.status = falcon.HTTP_200
        resp.content_type = _TEXT
        resp.text = ''


def _password(req):
    # 413 past the most a password may be (Content-Length or chunked).
    data = request_body.read(req, instance_metadata.MAX_PASSWORD_BYTES)
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        raise exception.Invalid('The password is not UTF-8 text.')
    if not text:
        raise exception.Invalid('The password is empty.')
    return text


def _respond(resp, code, message):
    resp.status = falcon.code_to_http_status(code)
    resp.content_type = _TEXT
    resp.text = message + '\n'


def _nova_error(req, resp, error, params):
    code = error.code if 400 <= error.code < 600 else 500
    if code >= 500 and not isinstance(error, exception.ServiceUnavailable):
        LOG.error('Metadata request %s %s failed: %s', req.method, req.path,
                  error)
    _respond(resp, code, error.message)


def _http_error(req, resp, error, params):
    _respond(resp, int(error.status_code), error.title or str(error.status))
    for key, value in (error.headers or {}).items():
        resp.set_header(key, value)


def _unexpected(req, resp, error, params):
    LOG.exception('Unexpected error on metadata %s %s', req.method, req.path)
    _respond(resp, 500, 'Unexpected error.')


def create_app(conductor_api=None):
    if conductor_api is None:
        from nova_conductor import rpcapi as conductor_rpcapi
        conductor_api = conductor_rpcapi.ConductorAPI()
    app = falcon.App()
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(falcon.HTTPError, _http_error)
    app.add_error_handler(exception.NovaException, _nova_error)
    app.add_sink(MetadataService(conductor_api), prefix='/')
    return app
