"""Per-request plumbing: request ids, noauth identity, microversions,
paths, and the encoding of JSON responses."""

import json
import logging
import re
import time
import uuid

import falcon
import falcon.inspect
import orjson

from common import context as nova_context
from common import exception
from common import metrics
from nova_api import microversion

LOG = logging.getLogger(__name__)
MAX_ID_LENGTH = 255
_SURROGATE = re.compile(r'[\ud800-\udfff]')

_REQUEST_ID_RE = re.compile(r'^req-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-'
                            r'[0-9a-f]{4}-[0-9a-f]{12}$')
V21 = 'v2.1'
# The legacy v2 endpoint: served by the v2.1 resources at 2.1, without
# microversions (Nova's v2 compatibility mode).
V2 = 'v2'


def collections(app):
    """The first path segments under /v2.1/ that `app` routes (servers,
    flavors, os-hypervisors...), read from its router so that a new
    resource is known the moment it is routed."""
    names = set()
    for route in falcon.inspect.inspect_routes(app):
        parts = route.path.split('/')
        if len(parts) > 2 and parts[1] == V21 and parts[2] and \
                not parts[2].startswith('{'):
            names.add(parts[2])
    return frozenset(names)


class ProjectPrefixMiddleware:
    """Accept /v2.1/{project_id}/... as well as /v2.1/..., and /v2/...
    (with or without the project) as the legacy endpoint.

    The segment after the version is a project id only when it names no
    collection and the segment after it does: /v2.1/p1/servers is p1's,
    while /v2.1/os-unknown/default is a path nothing serves (404), not a
    project "os-unknown". learn_routes() tells it the collections, from
    the app's router, once the routes are added.
    """

    def __init__(self, known=()):
        self.known = frozenset(known)

    def learn_routes(self, app):
        self.known = collections(app)

    def process_request(self, req, resp):
        parts = req.path.split('/')
        if len(parts) > 2 and parts[1] == V2 and parts[2]:
            req.context.legacy_v2 = True
            parts[1] = V21
        if (len(parts) > 3 and parts[1] == V21 and parts[2]
                and parts[2] not in self.known and parts[3] in self.known):
            req.context.path_project_id = parts[2]
            del parts[2]
        req.path = '/'.join(parts)


def _printable(text):
    """`text` for a log line: control characters (a newline in a
    decoded path would forge a line) escaped."""
    return text if text.isprintable() else \
        text.encode('unicode_escape').decode('ascii')


# Methods counted by name in the metrics; any other is 'other'.
_METHODS = frozenset(('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE',
                      'OPTIONS'))


class RequestIdMiddleware:
    """Gives each request its id (answered in x-openstack-request-id) and
    logs one line per request with it: the operator's way from a
    client's error to every daemon's lines about that request."""

    def process_request(self, req, resp):
        req.context.started = time.monotonic()
        req.context.request_id = 'req-%s' % uuid.uuid4()
        inbound = req.get_header('X-OpenStack-Request-ID')
        req.context.global_request_id = (
            inbound if inbound and _REQUEST_ID_RE.match(inbound) else None)

    def process_response(self, req, resp, resource, req_succeeded):
        request_id = getattr(req.context, 'request_id', None)
        if request_id:
            resp.set_header('x-openstack-request-id', request_id)
            resp.set_header('x-compute-request-id', request_id)
        ctxt = req.context.get('ctxt') or nova_context.RequestContext(
            request_id=request_id, overwrite=False)
        started = req.context.get('started')
        took = time.monotonic() - started if started else 0.0
        LOG.info('"%s %s" status: %s time: %.3f', req.method,
                 _printable(req.relative_uri), resp.status_code, took,
                 extra={'context': ctxt})
        if metrics.enabled():
            # The route's template, never the path: a label per server id
            # would grow without bound.
            route = req.uri_template or 'unmatched'
            method = req.method if req.method in _METHODS else 'other'
            metrics.inc('nova_api_requests_total', method=method,
                        route=route, status=str(resp.status_code))
            metrics.observe('nova_api_request_seconds', took,
                            method=method, route=route)


class NoAuthMiddleware:
    """auth_strategy=noauth2: trust the caller's claimed identity.

    The token text "user:project" names both, and "user:project:r1,r2" the
    roles too. Without roles the caller is a reader and member, plus admin
    for user "admin"; without a token, user "admin" in project "admin".
    keystoneauth1's `none` plugin always sends "notused": that is no token.
    """

    def process_request(self, req, resp):
        token = req.get_header('X-Auth-Token') or ''
        if token == 'notused':
            token = ''
        user, _, project = token.partition(':')
        project, _, named_roles = project.partition(':')
        user = user or req.get_header('X-Auth-User') or 'admin'
        project = (project or req.get_header('X-Auth-Project-Id') or
                   getattr(req.context, 'path_project_id', None) or user)
        if max(len(user), len(project)) > MAX_ID_LENGTH:
            # Keystone's ids are 64 at most; the columns hold 255.
            raise exception.Unauthenticated(
                'noauth2: user and project ids are at most %d characters.'
                % MAX_ID_LENGTH)
        roles = ['reader', 'member']
        if user == 'admin':
            roles.append('admin')
        if named_roles:
            roles = [r for r in named_roles.split(',') if r]
        req.context.ctxt = nova_context.RequestContext(
            user_id=user, project_id=project, roles=roles,
            is_admin='admin' in roles, auth_token=token or None,
            request_id=req.context.request_id,
            global_request_id=req.context.global_request_id)


def _microversioned(req):
    """/v2.1 paths take part; the legacy /v2 endpoint is always 2.1 and
    says nothing of versions."""
    return (req.path.startswith('/' + V21) and
            not req.context.get('legacy_v2'))


class MicroversionMiddleware:
    """Sets req.context.api_version; only versioned paths take part."""

    def process_request(self, req, resp):
        req.context.api_version = microversion.MIN_VERSION
        if _microversioned(req):
            req.context.api_version = microversion.parse(req)

    def process_response(self, req, resp, resource, req_succeeded):
        if _microversioned(req):
            microversion.echo(resp, getattr(req.context, 'api_version',
                                            microversion.MIN_VERSION))


def encode_json(media, request_id=None):
    """`media` as UTF-8 JSON. Text that UTF-8 cannot encode (a lone
    surrogate, in a row stored before the API refused such text) goes out
    as U+FFFD, with a warning, rather than failing the whole response:
    one bad row must not break a list for everyone who can see it.

    orjson encodes a 1,000-server page several times faster than json;
    what it refuses (a lone surrogate, an integer past 64 bits, a type
    only a default= would know) takes the json path, as before."""
    try:
        return orjson.dumps(media, option=orjson.OPT_NON_STR_KEYS)
    except TypeError:
        pass
    text = json.dumps(media, ensure_ascii=False)
    try:
        return text.encode()
    except UnicodeEncodeError:
        LOG.warning('Request %s: the response held text that is not valid '
                    'Unicode (a lone surrogate in stored data); it was sent '
                    'as U+FFFD.', request_id)
        return _SURROGATE.sub('\ufffd', text).encode()


MEDIA_SINK_KEY = 'nova.media_sink'


class JSONResponseEncoder:
    """Renders resp.media as JSON itself (falcon's handler would raise on
    such text). Registered first, so its process_response runs last."""

    def process_response(self, req, resp, resource, req_succeeded):
        if resp.media is None or resp.text is not None or \
                resp.data is not None:
            return
        if resp.content_type and 'json' not in resp.content_type:
            return
        resp.content_type = resp.content_type or falcon.MEDIA_JSON
        sink = req.env.get(MEDIA_SINK_KEY)
        if sink is not None:
            # An in-process caller (nova_api/ec2/compute.py) takes the
            # object itself: no JSON text to write and read back.
            sink['media'] = resp.media
            resp.data = b''
            return
        resp.data = encode_json(resp.media, req.context.get('request_id'))
