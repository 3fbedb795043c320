"""The metadata service's WSGI application.

Every path is served by one sink: who is asking (requester.py), what we
know of that instance (the cache, else one conductor call), and the
answer at the path (common/instance_metadata.py), rendered once per
cached instance and path. Errors are short text, as guests' readers
expect, never a traceback.

A guest found by its source address is cached by that address, and
fixed IPs are handed out again (the flat network gives the lowest free
one): an instance booted on a deleted one's address must not be answered
with what was kept of the deleted one, nor its password land there. The
conductor therefore tells every metadata process when it hands out an
address (rpcapi.forget_addresses, a fanout; manager.py), before the new
instance's guest can ask, and the cache drops that address, also from a
load still in flight. Asking the conductor on every request would cost a
call per GET; keying by address for less time would only shorten the
window. A message lost (the broker restarting) leaves at most
[api] metadata_cache_expiration.
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

    def __init__(self, conductor_api=None):
        if conductor_api is None:
            from nova_conductor import rpcapi as conductor_rpcapi
            conductor_api = conductor_rpcapi.ConductorAPI()
        self.conductor = conductor_api
        self.cache = cache.TTLCache(self._load,
                                    CONF.api.metadata_cache_expiration)

    def _load(self, key):
        ctxt = nova_context.get_admin_context()
        # One line per conductor call (bench/metadata.py counts them).
        LOG.debug('Metadata: asking the conductor for the instance by %s %s',
                  key[0], key[1])
        if key[0] == requester.BY_UUID:
            instance = self.conductor.instance_get(ctxt, key[1])
        else:
            instance = self.conductor.instance_get_by_fixed_ip(ctxt, key[1])
        return _Answers(instance_metadata.InstanceMetadata(instance))

    def forget_addresses(self, addresses):
        """These fixed IPs have a new holder (see the module's comment)."""
        for address in addresses:
            self.cache.forget((requester.BY_ADDRESS, address))

    def _forget_instance(self, metadata):
        """Drop what is kept of this instance, by uuid and by address."""
        self.cache.forget((requester.BY_UUID, metadata.instance['uuid']))
        self.forget_addresses(ip['address'] for ip in metadata.fixed_ips)

    def answers_for(self, who):
        """The _Answers of the instance `who` (a requester key) names;
        MetadataNotFound when there is none, or when a proxy's tenant is
        not the instance's."""
        try:
            found = self.cache.get(who[:2],
                                   not_found=exception.InstanceNotFound)
        except exception.InstanceNotFound:
            raise exception.MetadataNotFound()
        if who[0] == requester.BY_UUID and \
                found.metadata.instance.get('project_id') != who[2]:
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
        resp.content_type, resp.data = self.answers_for(who).get(req.path)

    def _post(self, req, resp):
        """The guest's one-time post of its (encrypted) password to
        /openstack/<version>/password."""
        parts = [p for p in req.path.split('/') if p]
        if len(parts) != 3 or parts[0] != 'openstack' or \
                parts[2] != instance_metadata.PASSWORD:
            raise falcon.HTTPMethodNotAllowed(['GET', 'HEAD'])
        who = requester.identify(req)
        found = self.answers_for(who).metadata
        if instance_metadata.PASSWORD not in found.openstack_listing(
                parts[1]):
            raise exception.MetadataNotFound()
        password = _password(req)
        self.conductor.instance_password_set(
            nova_context.get_admin_context(), found.instance['uuid'],
            password)
        self._forget_instance(found)
        resp.status = falcon.HTTP_200
        resp.content_type = _TEXT
        resp.text = ''


class _Answers:
    """One instance's trees and the answers rendered from them so far: a
    cached instance's GET costs a dict lookup, not a JSON dump. Only
    paths the trees answer are kept, so a guest cannot grow it past the
    trees' size."""

    def __init__(self, metadata):
        self.metadata = metadata
        self._rendered = {}  # path's names -> (content type, bytes)

    def get(self, path):
        """(content type, bytes) of GET `path`, or MetadataNotFound."""
        names = tuple(p for p in path.split('/') if p)
        rendered = self._rendered.get(names)
        if rendered is None:
            rendered = _rendered(names, self.metadata.lookup(path))
            # Two threads may render one path at once: alike, either wins.
            self._rendered[names] = rendered
        return rendered


def _rendered(names, answer):
    if isinstance(answer, str):
        return _TEXT, answer.encode()
    # A file: JSON by its name, with or without a trailing slash.
    if names and names[-1].endswith('.json'):
        return _JSON, answer
    return _BYTES, answer


def _password(req):
    # 413 past the most a password may be (Content-Length or chunked).
    data = request_body.read(req, instance_metadata.MAX_PASSWORD_BYTES)
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError:
        raise exception.Invalid('The password is not UTF-8 text.')
    if not text:
        raise exception.Invalid('The password is empty.')
    if '\x00' in text:
        # No database stores it as text (PostgreSQL refuses it outright).
        raise exception.Invalid('The password contains a NUL character.')
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
    # e.g. Connection: close after a body too large to read to its end.
    for key, value in error.headers.items():
        resp.set_header(key, value)


def _http_error(req, resp, error, params):
    _respond(resp, int(error.status_code), error.title or str(error.status))
    for key, value in (error.headers or {}).items():
        resp.set_header(key, value)


def _unexpected(req, resp, error, params):
    LOG.exception('Unexpected error on metadata %s %s', req.method, req.path)
    _respond(resp, 500, 'Unexpected error.')


def create_app(conductor_api=None, service=None):
    """The WSGI app serving `service` (a MetadataService; by default one
    asking `conductor_api`)."""
    app = falcon.App()
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(falcon.HTTPError, _http_error)
    app.add_error_handler(exception.NovaException, _nova_error)
    app.add_sink(service or MetadataService(conductor_api), prefix='/')
    return app
