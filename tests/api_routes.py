"""nova-api's routes as its falcon router holds them, for the tests that
must cover every route (the schema declarations, the API fuzzer): a route
added to nova_api/app.py is found here with no edit."""

import collections
import inspect
import re

from nova_api import app as api_app
from nova_api import validation

# The methods a client may send; falcon answers 405 for those a resource
# has no responder for.
METHODS = ('GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE')
BODY_METHODS = ('POST', 'PUT', 'PATCH')

Route = collections.namedtuple('Route', 'template resource methods params')


def falcon_app():
    """The falcon app nova-api builds (noauth: under /healthcheck's
    dispatch only); no request reaches the conductor here."""
    return inspect.unwrap(api_app.create_app(conductor_api=object()))


def routes(app):
    """Every route of `app`'s router, sorted by URI template."""
    found = []
    stack = list(app._router._roots)
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.resource is None:
            continue
        methods = tuple(m for m in METHODS
                        if getattr(node.resource, 'on_' + m.lower(), None))
        found.append(Route(node.uri_template, node.resource, methods,
                           tuple(re.findall(r'{(\w+)}', node.uri_template))))
    return sorted(found, key=lambda r: r.template)


def static_prefixes(app):
    """URL prefixes served from a directory (the dashboard's files)."""
    return sorted({route._prefix.rstrip('/')
                   for route, _, _ in app._static_routes})


def declared(route, method):
    """What the route's responder for `method` declares it takes."""
    return validation.declared(route.resource, method)
