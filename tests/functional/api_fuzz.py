"""The API fuzzer's hypothesis strategies: whole HTTP requests (path,
query, headers, body) built from a route's declared request schema.

Bodies come from the route's own declaration (validation.schema) through
hypothesis-jsonschema, valid ones and mutations of them; paths, queries
and headers mix the ids of real objects with random and hostile text.
"""

import base64
import copy
import json
import random
import urllib.parse
import uuid

from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from nova_api import microversion
from tests import api_routes
from tests.functional import fuzz_http

# Methods sent to every route: the ones it serves and the ones it must
# refuse with 405 (OPTIONS falcon answers itself).
METHODS = api_routes.METHODS + ('OPTIONS',)
# noauth2 tokens "user:project:roles"; none is the admin.
TOKENS = [None, None, None, 'admin:admin', 'admin:admin:admin',
          'maria:proj-a:member,reader', 'rita:proj-a:reader',
          'oscar:proj-b', 'u:p:reader', 'notused', '', ':::', 'a:b:c:d',
          'admin:proj-a:admin', 'x' * 300 + ':p', 'u:' + 'p' * 256]
# Sent as they are, on the wire: already percent-encoded where they mean
# to be, and "../" kept for the server to see.
HOSTILE_WIRE = ['', '..', '../..', '.', '%00', '%2e%2e', '%2F', '%2f..',
                '%ED%A0%80', '%FF', '%C0%AE', '%25', '%', '%zz', 'a%',
                '%E2%80%AE', '%0A', '%0D%0A', '%20', '+']
HOSTILE_TEXT = [
    ' ', 'null', 'true', '-1', '0', '2147483648', '9223372036854775808',
    '18446744073709551617', '1e309', 'NaN', '-0', '0x10', '9' * 40,
    'a' * 256, 'a' * 4000, 'é中😀', '\u202e', "' OR '1'='1",
    '"; DROP TABLE instances; --', '<script>x</script>', '{}', '[]',
    'detail', 'action', '\\', '~', ';', '*', 'in:a,b', 'a,b', '2020-13-45',
    '2020-01-01T00:00:00Z', '1970-01-01', 'None', '\t', 'ǅ', 'ﬀ', '²']
QUERY_NAMES = [
    'limit', 'marker', 'sort_key', 'sort_dir', 'sort', 'changes-since',
    'changes-before', 'all_tenants', 'all_projects', 'name', 'status',
    'host', 'node', 'deleted', 'is_public', 'minRam', 'minDisk', 'offset',
    'user_id', 'tenant_id', 'project_id', 'with_servers',
    'hypervisor_hostname_pattern', 'binary', 'ip', 'ip6', 'image',
    'flavor', 'tags', 'tags-any', 'not-tags', 'not-tags-any',
    'visibility', 'tag', 'owner', 'member_status', 'id', 'disk_format',
    'locked', 'availability_zone', 'reservation_id', 'key_name', 'uuid',
    'os_distro', 'protected', 'container_format', 'detailed']
# Body fields whose value may name a real object.
KNOWN_FIELDS = {'flavorRef': 'flavor_id', 'imageRef': 'image_id',
                'key_name': 'name', 'host': 'host', 'tenant': 'project_id',
                'group': 'group_id', 'availability_zone': 'zone',
                'id': 'image_id', 'server_uuid': 'server_id'}
HUGE_INTS = [2 ** 31 - 1, 2 ** 31, 2 ** 32, 2 ** 53 + 1, 2 ** 63 - 1,
             2 ** 63, 2 ** 64 + 1, -1, -2, -2 ** 31 - 1, -2 ** 63 - 1,
             10 ** 400]
MAX_DEPTH = 40


def _deep(depth, leaf):
    value = leaf
    for _ in range(depth):
        value = [value] if isinstance(value, list) else {'a': value}
    return value


HOSTILE_VALUES = HUGE_INTS + [
    None, True, False, 0, 1.5, -0.0, 1e308, float('nan'), float('inf'),
    '', '\ud800', '\udfff', 'a\ud83dz', 'x' * 70000, 'a' * 256, 'é' * 300,
    '\x00', '%00', '2147483648', '-1', '1e400', [], {}, [None], {'': ''},
    _deep(MAX_DEPTH, []), _deep(MAX_DEPTH, {}), ['a'] * 200,
] + HOSTILE_TEXT
RAW_BODIES = [
    b'', b' ', b'{', b'{"a":', b'[', b'}', b'\xff\xfe', b'\xed\xa0\x80',
    b'\xef\xbb\xbf{}', '{"a": 1}'.encode('utf-16'), b'NaN', b'-Infinity',
    b'[' * 1000 + b']' * 1000, b'{"a": ' * 1000 + b'1' + b'}' * 1000,
    b'{"a": 1e999}', b'1' * 5000, b'{"a": 1, "a": 2}', b'"\\ud800"',
    b'{"\\udc00": 1}', b'null', b'true', b'0', b'"x"', b'[]', b'{}',
    b'\x00\x01\x02', b'a=1&b=2', b'<xml/>', b'{"a": "\\u0000"}']
CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8',
                 'text/plain', 'application/x-www-form-urlencoded',
                 'multipart/form-data; boundary=x',
                 'application/octet-stream', 'application/openstack-images-'
                 'v2.1-json-patch', 'garbage', '']
FORMATS = {
    'base64': st.binary(max_size=48).map(
        lambda b: base64.b64encode(b).decode()),
    'name': st.text(st.characters(blacklist_categories=(
        'Cc', 'Cf', 'Cs', 'Co', 'Cn', 'Zl', 'Zp')), min_size=1,
        max_size=40),
}
_PATH_SAFE = "-._~!$&'()*+,;=:@"


# -- strategies --------------------------------------------------------------
#
# Hypothesis draws its simplest choices (0, the first element) far more
# often than the others, so a branch decided by a drawn integer would
# mostly take its "rare" side. Each request therefore draws one seed, and
# a random.Random from it makes the branch decisions and list picks with
# their stated odds; hypothesis draws the values themselves (bodies from
# the schema, text, integers), which it can shrink.


def wire_text(text):
    return urllib.parse.quote(text, safe=_PATH_SAFE)


def path_value(draw, rnd, known):
    """A path parameter as sent: a real object's id (half the time when
    there are some), or random or hostile text."""
    pick = rnd.random()
    if known and pick < 0.5:
        return wire_text(str(rnd.choice(known)))
    if pick < 0.6:
        return str(uuid.UUID(int=rnd.getrandbits(128)))
    if pick < 0.7:
        return rnd.choice(HOSTILE_WIRE)
    if pick < 0.85:
        return wire_text(rnd.choice(HOSTILE_TEXT))
    return wire_text(draw(st.text(max_size=40)))


def query(draw, rnd, known):
    """A query string's parameters: names known to the API and random,
    values real, valid-looking and hostile."""
    known_values = sorted({str(v) for vs in known.values() for v in vs})
    params = []
    for _ in range(rnd.choice([0, 0, 1, 1, 2, 3, 5])):
        name = rnd.choice(QUERY_NAMES) if rnd.random() < 0.8 else \
            draw(st.text(min_size=1, max_size=20))
        pick = rnd.random()
        if pick < 0.1:
            params.append('%s=%s' % (urllib.parse.quote(name, safe=''),
                                     rnd.choice(HOSTILE_WIRE)))
            continue
        if pick < 0.3 and known_values:
            value = rnd.choice(known_values)
        elif pick < 0.5:
            value = rnd.choice(['1', '0', 'true', 'false', 'asc', 'desc',
                                'created_at', 'name', 'ACTIVE', 'public',
                                'x', '10', '-1'])
        elif pick < 0.75:
            value = rnd.choice(HOSTILE_TEXT)
        elif pick < 0.9:
            value = draw(st.text(max_size=30))
        else:
            value = str(draw(st.integers(-2 ** 70, 2 ** 70)))
        params.append('%s=%s' % (urllib.parse.quote(name, safe=''),
                                 urllib.parse.quote(value, safe='')))
    return params


VERSIONS = [(2, minor) for minor in range(1, microversion.MAX_VERSION[1] + 1)]
BAD_VERSIONS = ['2.101', '3.0', '1.0', '2.0', '2.01', '2.99999999999999999999',
                '99999999999999999999.1', '-2.1', '2.1.1', '2', 'compute', '',
                'compute 2.1, compute 2.5', '2.1\t', 'latest ']


def version_header(draw, rnd):
    """(headers, the version a valid header asks for, else 2.1)."""
    pick = rnd.random()
    if pick < 0.15:
        return {}, microversion.MIN_VERSION
    if pick < 0.85:
        # Either end of the range is where the shapes change most.
        version = rnd.choice(VERSIONS + [VERSIONS[0], VERSIONS[-1]] * 5)
        text = '%d.%d' % version
        if rnd.random() < 0.85:
            return {'OpenStack-API-Version': 'compute ' + text}, version
        return {'X-OpenStack-Nova-API-Version': text}, version
    if pick < 0.9:
        return {'OpenStack-API-Version': 'compute latest'}, \
            microversion.MAX_VERSION
    if pick < 0.95:
        garbage = rnd.choice(BAD_VERSIONS)
    else:
        garbage = draw(st.text(alphabet=st.characters(
            min_codepoint=32, max_codepoint=255), max_size=30))
    if rnd.random() < 0.5:
        return {'OpenStack-API-Version': ('compute ' + garbage).strip()}, \
            microversion.MIN_VERSION
    return {'X-OpenStack-Nova-API-Version': garbage.strip()}, \
        microversion.MIN_VERSION


def headers(draw, rnd):
    out, version = version_header(draw, rnd)
    # The admin (no token) half the time: most code is behind its rules.
    token = None if rnd.random() < 0.5 else rnd.choice(TOKENS)
    if token is not None:
        out['X-Auth-Token'] = token
    pick = rnd.random()
    if pick < 0.05:
        out['X-OpenStack-Request-ID'] = rnd.choice(
            ['req-%s' % uuid.UUID(int=rnd.getrandbits(128)), 'x' * 300,
             'req-\u00e9'])
    elif pick < 0.1:
        out['Accept'] = rnd.choice(['application/xml', '*/*', 'text/html',
                                    'garbage'])
    elif pick < 0.15:
        out['X-Auth-Project-Id'] = rnd.choice(['proj-a', 'p' * 300, ''])
    return out, version


_SCHEMA_STRATEGIES = {}


def schema_bodies(schema):
    key = json.dumps(schema, sort_keys=True)
    if key not in _SCHEMA_STRATEGIES:
        _SCHEMA_STRATEGIES[key] = from_schema(schema,
                                              custom_formats=FORMATS)
    return _SCHEMA_STRATEGIES[key]


def _set(body, path, value):
    if not path:
        return value
    node = body
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return body


def hostile_value(draw, rnd):
    pick = rnd.random()
    if pick < 0.6:
        return copy.deepcopy(rnd.choice(HOSTILE_VALUES))
    if pick < 0.75:
        return draw(st.integers(-2 ** 70, 2 ** 70))
    if pick < 0.85:
        return draw(st.floats())
    return draw(st.text(max_size=20))


def mutated(draw, rnd, body):
    """`body` with one to three hostile changes: a value replaced (wrong
    type, huge or negative integer, lone surrogate, NaN, long text, deep
    nesting), a key added or removed, a part wrapped."""
    body = copy.deepcopy(body)
    for _ in range(rnd.choice([1, 1, 2, 3])):
        path, node = rnd.choice(list(fuzz_http.nodes(body)))
        pick = rnd.random()
        if pick < 0.55 or not isinstance(node, (dict, list)):
            body = _set(body, path, hostile_value(draw, rnd))
        elif pick < 0.7 and isinstance(node, dict):
            key = rnd.choice(['x', '', '\ud800', 'a' * 300, 'server',
                              'name', None])
            node[draw(st.text(max_size=10)) if key is None else key] = \
                hostile_value(draw, rnd)
        elif pick < 0.9 and node:
            if isinstance(node, dict):
                del node[rnd.choice(sorted(node))]
            else:
                del node[rnd.randrange(len(node))]
        else:
            body = _set(body, path, [node] if pick < 0.95 else {'x': node})
    return body


def with_known(rnd, body, schema, known, trim=False):
    """Fields that name objects (flavorRef, imageRef...) that the schema
    has set, mostly, to real ones, and with `trim` the optional others
    left out, so that valid bodies get past the lookups and the checks
    between fields too, to the routes' success paths."""
    if isinstance(body, list) and isinstance(schema.get('items'), dict):
        for item in body:
            with_known(rnd, item, schema['items'], known, trim)
    if not isinstance(body, dict):
        return body
    properties = schema.get('properties', {})
    if trim:
        for key in set(body) - set(schema.get('required', ())):
            if key in properties and key not in KNOWN_FIELDS:
                del body[key]
    for key, sub_schema in properties.items():
        values = known.get(KNOWN_FIELDS.get(key))
        if values and rnd.random() < 0.7:
            body[key] = rnd.choice(values)
        elif key in body and isinstance(sub_schema, dict):
            with_known(rnd, body[key], sub_schema, known, trim)
    if 'networks' in properties and rnd.random() < 0.7:
        body['networks'] = 'auto'
    return body


def encode_json(body):
    """JSON text as a client would send it: \\u escapes for what is not
    ASCII, so a lone surrogate travels as the escape "\\ud800"."""
    return json.dumps(body).encode()


def json_body(draw, rnd, spec, version, known):
    """(path parameters, body bytes, content type) for a route that
    declares a JSON body: valid, or (half the time) mutated."""
    params, schema = rnd.choice(spec.bodies(version))
    body = with_known(rnd, draw(schema_bodies(schema)), schema, known,
                      trim=rnd.random() < 0.3)
    if rnd.random() < 0.5:
        body = mutated(draw, rnd, body)
    content_type = spec.media_types[0] if spec.media_types else \
        'application/json'
    if rnd.random() < 0.05:
        content_type = rnd.choice(CONTENT_TYPES)
    return params, encode_json(body), content_type


def any_body(draw, rnd):
    """A body for a route that declares none, or junk for one that does:
    arbitrary JSON, broken JSON, binary, too big."""
    pick = rnd.random()
    if pick < 0.4:
        return rnd.choice(RAW_BODIES)
    if pick < 0.7:
        return encode_json(draw(st.recursive(
            st.none() | st.booleans() | st.integers() | st.floats() |
            st.text(max_size=20),
            lambda children: st.lists(children, max_size=4) |
            st.dictionaries(st.text(max_size=8), children, max_size=4),
            max_leaves=12)))
    if pick < 0.95:
        return draw(st.binary(max_size=200))
    # Past [api] max_request_body_size (112 KiB): a 413.
    return b'{"a": "' + b'x' * 120000 + b'"}'


def _rnd(draw):
    return random.Random(draw(st.integers(0, 2 ** 64 - 1)))


@st.composite
def http_requests(draw, route, method, known, prefix_projects):
    """One request to `route` with `method`. Headers, body and path each
    take decisions from a seed of their own, so that hypothesis, which
    varies some draws of an example and keeps the others, varies them
    apart."""
    head, version = headers(draw, _rnd(draw))
    rnd = _rnd(draw)
    spec = api_routes.declared(route, method) \
        if method in route.methods else None
    params = {}
    body = content_type = None
    if spec is not None and spec.kind == 'json' and rnd.random() < 0.85:
        shape_params, body, content_type = json_body(draw, rnd, spec,
                                                     version, known)
        params.update({k: wire_text(v) for k, v in shape_params.items()})
    elif spec is not None and spec.kind == 'raw':
        body = any_body(draw, rnd)
        content_type = rnd.choice(list(spec.media_types) * 3 +
                                  CONTENT_TYPES)
    elif rnd.random() < (0.6 if method in ('POST', 'PUT', 'PATCH')
                         else 0.1):
        body = any_body(draw, rnd)
        content_type = rnd.choice(CONTENT_TYPES)
    chunked = body is not None and rnd.random() < 0.2
    rnd = _rnd(draw)
    for name in route.params:
        if name not in params:
            params[name] = path_value(draw, rnd, known.get(name, []))
    path = route.template
    for name, value in params.items():
        path = path.replace('{%s}' % name, value)
    if path.startswith('/v2.1/') and rnd.random() < 0.1:
        # Clients built for old catalogs put the project in the path.
        path = '/v2.1/%s/%s' % (rnd.choice(prefix_projects),
                                path[len('/v2.1/'):])
    if rnd.random() < 0.05:
        path += '/'
    raw_utf8 = rnd.random() < 0.02
    if raw_utf8:
        path += rnd.choice(['\u00e9', '\u4e2d', '\u00ff'])
    if content_type:
        head['Content-Type'] = content_type
    return fuzz_http.Request(method, path, query(draw, _rnd(draw), known),
                             head, body, chunked=chunked, raw_utf8=raw_utf8)
