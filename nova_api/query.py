"""Query-string parameters with Nova's checks: 400 on a bad value."""

import re

from nova_api import errors
from nova_api import validation

_DIGITS = re.compile('[0-9]+')

_TRUE = ('1', 't', 'true', 'on', 'y', 'yes')
_FALSE = ('0', 'f', 'false', 'off', 'n', 'no')


def limit(req, name='limit'):
    """A non-negative integer, or None when absent. Above the database's
    integer range it is that range's end, which means the same to every
    caller (no bound) and fits any column it is compared with."""
    value = req.get_param(name)
    if value is None:
        return None
    # Not str.isdigit(): it takes digits int() refuses, such as '²'.
    if not _DIGITS.fullmatch(value):
        raise errors.bad_request('Invalid input for query parameters %s. '
                                 'Value: %s. %r is not a valid integer'
                                 % (name, value, value))
    if len(value) > 10:
        return validation.MAX_INT
    return min(int(value), validation.MAX_INT)


def boolean(req, name, default=False):
    value = req.get_param(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise errors.bad_request('Invalid input for query parameters %s. Value: '
                             '%s. %r is not a valid boolean'
                             % (name, value, value))

