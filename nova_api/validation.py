"""Request bodies: read JSON safely and check it against a JSON schema.

Every JSON body the API takes comes through read_json, which refuses
(400, naming the field) what no later step could handle: nesting deeper
than MAX_DEPTH, and text that is not valid Unicode (a lone surrogate such
as "\\ud800" is valid JSON, but no UTF-8 encoder takes it, so once stored
it would break every response that shows it).
"""

import base64
import binascii
import json
import re

import jsonschema

from common.conf import CONF
from nova_api import errors
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
        raise errors.bad_request('The request body is missing.')
    try:
        # Decoded here, strictly: json.loads(bytes) would let UTF-8-encoded
        # surrogates through, and accept UTF-16 and UTF-32 as well.
        text = raw.decode('utf-8-sig')
        body = json.loads(text, parse_constant=_not_json)
    except RecursionError:
        raise errors.bad_request('The request body is nested more than %d '
                                 'levels deep.' % MAX_DEPTH)
    except (ValueError, UnicodeDecodeError):
        raise errors.bad_request('Malformed request body')
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
    raise errors.bad_request(
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
            raise errors.bad_request(
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


def validate(schema, body):
    """Raise 400 with Nova's wording on the first schema violation."""
    validator = _Validator(schema, format_checker=_FORMATS)
    error = next(iter(sorted(validator.iter_errors(body),
                             key=lambda e: list(e.absolute_path))), None)
    if error is None:
        return body
    if error.validator == 'required':
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
    raise errors.bad_request(message)


# Building blocks shared by resource schemas.
NAME = {'type': 'string', 'minLength': 1, 'maxLength': 255,
        'pattern': r'^(?![\s])[\S\s]*(?<![\s])$'}
UUID = {'type': 'string', 'format': 'uuid'}
NON_NEGATIVE_INT = {'type': ['integer', 'string'],
                    'pattern': '^[0-9]+$', 'minimum': 0, 'maximum': MAX_INT}
POSITIVE_INT = {'type': ['integer', 'string'],
                'pattern': '^[0-9]*[1-9][0-9]*$', 'minimum': 1,
                'maximum': MAX_INT}
