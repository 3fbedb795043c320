"""Query-string parameters with Nova's checks: 400 on a bad value."""

from nova_api import errors

_TRUE = ('1', 't', 'true', 'on', 'y', 'yes')
_FALSE = ('0', 'f', 'false', 'off', 'n', 'no')


def limit(req, name='limit'):
    """A non-negative integer, or None when absent."""
    value = req.get_param(name)
    if value is None:
        return None
    if not value.isdigit():
        raise errors.bad_request('Invalid input for query parameters %s. '
                                 'Value: %s. %r is not a valid integer'
                                 % (name, value, value))
    return int(value)


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

