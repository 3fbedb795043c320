"""Request bodies: read JSON safely and check it against a JSON schema."""

import base64
import binascii
import json

import jsonschema

from common.conf import CONF
from nova_api import errors


def read_json(req):
    """The request body as JSON; 413 when too big, 400 when malformed."""
    limit = CONF.api.max_request_body_size
    if req.content_length is not None and req.content_length > limit:
        raise errors.HTTPError(413, 'Request is too large.')
    raw = req.bounded_stream.read(limit + 1)
    if len(raw) > limit:
        raise errors.HTTPError(413, 'Request is too large.')
    if not raw:
        raise errors.bad_request('The request body is missing.')
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise errors.bad_request('Malformed request body')


def _field(error):
    """The attribute at fault, named by its last path element as Nova does."""
    path = [str(p) for p in error.absolute_path]
    return path[-1] if path else 'body'


_FORMATS = jsonschema.FormatChecker()


@_FORMATS.checks('base64', raises=(binascii.Error, TypeError))
def _is_base64(value):
    if isinstance(value, str):
        base64.b64decode(value, validate=True)
    return True


def validate(schema, body):
    """Raise 400 with Nova's wording on the first schema violation."""
    validator = jsonschema.Draft4Validator(
        schema, format_checker=_FORMATS)
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
                    'pattern': '^[0-9]+$', 'minimum': 0}
POSITIVE_INT = {'type': ['integer', 'string'],
                'pattern': '^[0-9]*[1-9][0-9]*$', 'minimum': 1}
