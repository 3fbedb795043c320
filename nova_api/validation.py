"""Request bodies: declared per responder, read safely, checked against
their JSON schema.

A responder that takes a body says so with one decorator, which is also
what reads and checks it, so what a route declares is what it enforces:
`@schema(...)` (a JSON body, handed to the responder as its `body`
argument), `@raw_body(media_type)` (bytes the responder streams itself) or
`@no_body`. The declaration stays on the responder (`request_schema`), where
tests and the API fuzzer find every route's schema.

Every JSON body the API takes comes through read_json, which refuses
(400, naming the field) what no later step could handle: nesting deeper
than MAX_DEPTH, and text that is not valid Unicode (a lone surrogate such
as "\\ud800" is valid JSON, but no UTF-8 encoder takes it, so once stored
it would break every response that shows it).
"""

import base64
import binascii
import functools
import json
import re
import unicodedata

import jsonschema

from common import exception
from common.conf import CONF
from nova_api import microversion
from nova_api import request_body

# Far deeper than any body the API defines (a server create with block
# device mappings is 4 levels), far shallower than Python's recursion.
MAX_DEPTH = 32
# The largest value of the database's Integer columns (32-bit on
# PostgreSQL and MySQL): every integer a schema takes must fit one.
MAX_INT = 2 ** 31 - 1
# The largest single-precision float: a Float column's range on MySQL.
MAX_FLOAT = 3.40282e38
_SURROGATE = re.compile(r'[\ud800-\udfff]')


def read_json(req):
    """The request body as JSON; 413 when too big, 400 when malformed."""
    raw = request_body.read(req, CONF.api.max_request_body_size)
    if not raw:
        raise exception.Invalid('The request body is missing.')
    try:
        # Decoded here, strictly: json.loads(bytes) would let UTF-8-encoded
        # surrogates through, and accept UTF-16 and UTF-32 as well.
        text = raw.decode('utf-8-sig')
        body = json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise exception.Invalid('The request body is nested more than %d '
                                'levels deep.' % MAX_DEPTH)
    except (ValueError, UnicodeDecodeError):
        raise exception.Invalid('Malformed request body')
    # Cheap test first: with few brackets and no \u escape (now the only
    # way to a surrogate) there is nothing to look for.
    if text.count('[') + text.count('{') > MAX_DEPTH or '\\u' in text:
        check_tree(body)
    return body


def _not_json(name):
    """NaN and Infinity: Python's json takes them, JSON has no such
    numbers, and no column or client could use them."""
    raise ValueError('%s is not a JSON number' % name)


def _path(path):
    return '.'.join(str(p) for p in path) or 'body'


def _check_text(text, path, key=False):
    found = _SURROGATE.search(text)
    if found is None:
        return
    what = ('The key %s holds' % json.dumps(text)[:200] if key else
            'Value: %s. It holds' % json.dumps(text)[:200])
    raise exception.Invalid(
        'Invalid input for field/attribute %s. %s a lone surrogate (%s), '
        'which is not valid Unicode text.' % (
            _path(path), what, json.dumps(found.group())[1:-1]))


def check_tree(body):
    """400 for nesting deeper than MAX_DEPTH or a string (key or value)
    that cannot be encoded as UTF-8, naming where it is. Iterative: a
    deep body cannot exhaust the stack here."""
    stack = [(body, (), 1)]
    while stack:
        value, path, depth = stack.pop()
        if isinstance(value, str):
            _check_text(value, path)
            continue
        if not isinstance(value, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise exception.Invalid(
                'Invalid input for field/attribute %s. The request body is '
                'nested more than %d levels deep.' % (_path(path), MAX_DEPTH))
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, path, key=True)
                stack.append((item, path + (key,), depth + 1))
        else:
            stack.extend((item, path + (index,), depth + 1)
                         for index, item in enumerate(value))


def _field(error):
    """The attribute at fault, named by its last path element as Nova does."""
    path = [str(p) for p in error.absolute_path]
    return path[-1] if path else 'body'


_FORMATS = jsonschema.FormatChecker()


# b64decode raises ValueError (not binascii.Error) for non-ASCII text.
@_FORMATS.checks('base64', raises=(binascii.Error, TypeError, ValueError))
def _is_base64(value):
    if isinstance(value, str):
        base64.b64decode(value, validate=True)
    return True


# Most bytes of user data, once decoded (Nova's limit, on the encoded
# text, is tighter: 65535 base64 characters hold 49149 bytes).
MAX_USER_DATA_BYTES = 65535


@_FORMATS.checks('user_data', raises=(binascii.Error, TypeError, ValueError))
def _is_user_data(value):
    if isinstance(value, str):
        size = len(base64.b64decode(value, validate=True))
        if size > MAX_USER_DATA_BYTES:
            raise ValueError('decoded, it is %d bytes; the most is %d'
                             % (size, MAX_USER_DATA_BYTES))
    return True


# Not shown as text: control and format characters, surrogates, private
# use and unassigned code points, line and paragraph separators. A name
# holding one cannot be displayed, and libvirt refuses a domain whose
# metadata carries a control character (the build fails).
_UNPRINTABLE = ('Cc', 'Cf', 'Cs', 'Co', 'Cn', 'Zl', 'Zp')


@_FORMATS.checks('name', raises=ValueError)
def _is_printable_name(value):
    if isinstance(value, str):
        for char in value:
            if unicodedata.category(char) in _UNPRINTABLE:
                raise ValueError('%r is not a printable character' % char)
    return True


_NUMBER_TEXT = re.compile(r'-?[0-9]+(\.[0-9]+)?')


def _as_number(instance):
    """A number given as text ("10"), as its number; anything else as is.
    Past 64 characters a float: int() refuses over 4300 digits, and any
    such number is far out of every range here."""
    if not (isinstance(instance, str) and _NUMBER_TEXT.fullmatch(instance)):
        return instance
    if '.' in instance or len(instance) > 64:
        return float(instance)
    return int(instance)


def _numeric(check):
    """`check` (minimum or maximum) applied to numbers given as text too,
    as Nova does: the schemas take integers as "10" or 10."""
    def checked(validator, bound, instance, schema):
        return check(validator, bound, _as_number(instance), schema)
    return checked


_Validator = jsonschema.validators.extend(jsonschema.Draft4Validator, {
    'minimum': _numeric(jsonschema.Draft4Validator.VALIDATORS['minimum']),
    'maximum': _numeric(jsonschema.Draft4Validator.VALIDATORS['maximum']),
})


def validate(schema, body, describe=None):
    """Raise 400 on the first schema violation, in Nova's words or in
    those `describe(error)` gives (the image API speaks Glance's)."""
    validator = _Validator(schema, format_checker=_FORMATS)
    error = next(iter(sorted(validator.iter_errors(body),
                             key=lambda e: list(e.absolute_path))), None)
    if error is None:
        return body
    if describe is not None:
        message = describe(error)
    elif error.validator == 'required':
        message = "Invalid input for field/attribute %s. Value: %s. %s" % (
            _field(error), json.dumps(error.instance)[:200], error.message)
    elif error.validator == 'additionalProperties':
        message = 'Additional properties are not allowed (%s)' % (
            error.message.split('(', 1)[-1].rstrip(')'))
        message = "Invalid input for field/attribute %s. %s" % (
            _field(error), message)
    else:
        message = "Invalid input for field/attribute %s. Value: %s. %s" % (
            _field(error), json.dumps(error.instance)[:200], error.message)
        if error.validator == 'format' and error.cause is not None:
            # Which part of the value the format refused, and why.
            message += ': %s' % str(error.cause)[:200]
    raise exception.ValidationError(message)


# -- What each responder takes, declared once -------------------------------

# A body part any JSON value may fill (Nova's `{"os-stop": null}`).
ANY = {}


def _at(declared, version):
    return declared(version) if callable(declared) else declared


def _action_body(name, params):
    return {'type': 'object', 'properties': {name: params},
            'required': [name], 'additionalProperties': False}


class Actions:
    """A route that dispatches on an action's name.

    Named in the body (`{name: parameters}`, as servers/{id}/action),
    `table` maps each name to its parameters' schema; named by the path
    parameter `in_path` (os-services before 2.53), to the whole body's.
    A schema may be a callable of the microversion, returning None where
    that version has no such action. A null parameter is checked, and
    handed on, as {}: Nova's `{"os-stop": null}` means no parameters.
    """

    def __init__(self, table, in_path=None):
        self.table = table
        self.in_path = in_path

    def schemas(self, version):
        """{name: schema} of the actions served at `version`."""
        found = {name: _at(declared, version)
                 for name, declared in self.table.items()}
        return {name: value for name, value in found.items()
                if value is not None}

    def bodies(self, version):
        schemas = self.schemas(version)
        if self.in_path:
            return [({self.in_path: name}, value)
                    for name, value in schemas.items()]
        return [({}, _action_body(name, value))
                for name, value in schemas.items()]

    def read(self, req, params, describe):
        schemas = self.schemas(req.context.api_version)
        if self.in_path:
            name = params[self.in_path]
            if name not in schemas:
                raise exception.NotFound('Unknown action %s' % name)
            return validate(schemas[name], read_json(req), describe)
        body = read_json(req)
        if not isinstance(body, dict) or len(body) != 1:
            raise exception.Invalid('The request body must name exactly '
                                    'one action.')
        [(name, value)] = body.items()
        if name not in schemas:
            raise exception.Invalid('There is no such action: %s' % name)
        # Checked whole, so a message names the field under the action.
        body = {name: {} if value is None else value}
        return validate(_action_body(name, schemas[name]), body, describe)


class RequestBody:
    """What one responder takes: `kind` 'json' (checked against
    `declared`: a schema, an Actions table, or a callable of the
    microversion giving either), 'raw' (bytes of `media_types`, which the
    responder streams itself) or 'none'. `min_version` / `max_version`:
    the route's first and last microversions, a 404 outside them, ahead
    of any check of the body, as Nova's routing answers."""

    def __init__(self, kind, declared=None, min_version=None,
                 media_types=(), describe=None, max_version=None):
        self.kind = kind
        self.declared = declared
        self.min_version = min_version
        self.max_version = max_version
        self.media_types = tuple(media_types)
        self.describe = describe

    def bodies(self, version):
        """[(path parameters, schema)]: each body shape served at
        `version`, with the path parameters it needs (a path action)."""
        if self.kind != 'json':
            return []
        found = _at(self.declared, version)
        if isinstance(found, Actions):
            return found.bodies(version)
        return [({}, found)]

    def check_route(self, req):
        if self.min_version is not None or self.max_version is not None:
            microversion.require(req, self.min_version or
                                 microversion.MIN_VERSION,
                                 self.max_version or microversion.MAX_VERSION)
        if not self.media_types:
            return
        # A raw body without a Content-Type is taken as its one type.
        implied = self.media_types[0] if self.kind == 'raw' else ''
        media_type = (req.content_type or implied).split(';')[0].strip()
        if media_type not in self.media_types:
            raise exception.UnsupportedMediaType(
                content_type=media_type or 'none',
                expected=self.media_types[0])

    def read(self, req, params):
        """The checked body (json routes)."""
        found = _at(self.declared, req.context.api_version)
        if isinstance(found, Actions):
            return found.read(req, params, self.describe)
        return validate(found, read_json(req), self.describe)


def _declare(spec, reads):
    def decorate(responder):
        @functools.wraps(responder)
        def checked(resource, req, resp, **params):
            spec.check_route(req)
            if reads:
                params['body'] = spec.read(req, params)
            return responder(resource, req, resp, **params)
        checked.request_schema = spec
        return checked
    return decorate


def schema(declared, min_version=None, media_types=(), describe=None,
           max_version=None):
    """Decorates a falcon responder that takes a JSON body: the body is
    read (read_json), checked against `declared` (a schema, an Actions
    table, or a callable of the request's microversion returning either)
    and handed to the responder as `body`, before it runs, so a bad body
    is a 400 ahead of any policy check, as in Nova. `media_types`: the
    Content-Types accepted (others 415); `describe(error)`: the 400's
    message, where the API does not speak Nova's words. `min_version`,
    `max_version`: the route's microversions (404 outside them)."""
    return _declare(RequestBody('json', declared, min_version, media_types,
                                describe, max_version), reads=True)


def raw_body(media_type, min_version=None):
    """Decorates a responder that streams a body of `media_type` itself
    (image data): checks the Content-Type (415), reads nothing."""
    return _declare(RequestBody('raw', min_version=min_version,
                                media_types=(media_type,)), reads=False)


def no_body(responder):
    """Decorates a POST/PUT responder that takes no body (Nova ignores
    one), so that it too says what it takes."""
    responder.request_schema = RequestBody('none')
    return responder


def declared(resource, method):
    """The RequestBody a resource's responder for `method` declares, or
    None."""
    responder = getattr(resource, 'on_' + method.lower(), None)
    return getattr(responder, 'request_schema', None)


# Building blocks shared by resource schemas.
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'format': 'name', 'pattern': r'^(?![\s])[\S\s]*(?<![\s])$'}
UUID = {'type': 'string', 'format': 'uuid'}
# Base64 text of at most MAX_USER_DATA_BYTES (4 characters per 3 bytes).
USER_DATA = {'type': 'string', 'format': 'user_data',
             'maxLength': -(-MAX_USER_DATA_BYTES // 3) * 4}
NON_NEGATIVE_INT = {'type': ['integer', 'string'],
                    'pattern': '^[0-9]+$', 'minimum': 0, 'maximum': MAX_INT}
POSITIVE_INT = {'type': ['integer', 'string'],
                'pattern': '^[0-9]*[1-9][0-9]*$', 'minimum': 1,
                'maximum': MAX_INT}
# A boolean, or one of the words Nova's API takes for one ("True", "off",
# "1"...): each of true/on/yes/1 and false/off/no/0 in lower, title or
# upper case. Read with as_bool.
_TRUE_WORDS = ('true', 'on', 'yes', '1')
_FALSE_WORDS = ('false', 'off', 'no', '0')


def _spellings(words):
    return sorted({form for word in words
                   for form in (word, word.title(), word.upper())})


BOOLEAN = {'type': ['boolean', 'string'],
           'enum': [True, False] + _spellings(_TRUE_WORDS + _FALSE_WORDS)}


def as_bool(value):
    """A value BOOLEAN has checked, as a bool."""
    if isinstance(value, bool):
        return value
    return value.lower() in _TRUE_WORDS
