"""Query-string parameters with Nova's checks: 400 on a bad value."""

import datetime
import re

from common import exception
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
        raise exception.Invalid('Invalid input for query parameters %s. '
                                'Value: %s. %r is not a valid integer'
                                % (name, value, value))
    if len(value) > 10:
        return validation.MAX_INT
    return min(int(value), validation.MAX_INT)


def truthy(text):
    """Whether a stored text value means yes ("True", "1", "on"...)."""
    return text.strip().lower() in _TRUE


def boolean(req, name, default=False):
    value = req.get_param(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise exception.Invalid('Invalid input for query parameters %s. Value: '
                            '%s. %r is not a valid boolean'
                            % (name, value, value))


def date_time(req, name):
    """An ISO 8601 time (UTC when it names no zone) as ISO text, or None
    when absent; 400 when it is not one."""
    value = req.get_param(name)
    if value is None:
        return None
    try:
        parsed = datetime.datetime.fromisoformat(value.replace('Z',
                                                               '+00:00'))
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=datetime.timezone.utc)
        # In UTC, which the conductor compares with its columns (a time
        # that UTC cannot hold, year 1 east of Greenwich, is refused).
        return parsed.astimezone(datetime.timezone.utc).isoformat()
    except (ValueError, OverflowError):
        raise exception.Invalid('Invalid input for query parameters %s. '
                                'Value: %s. %r is not a \'date-time\''
                                % (name, value, value))


def only(req, allowed):
    """400, as Nova's closed query schemas answer, for a parameter not in
    `allowed`."""
    unexpected = sorted(set(req.params) - set(allowed))
    if unexpected:
        raise exception.Invalid(
            'Invalid input for query parameters %s. Additional properties '
            'are not allowed (%s %s unexpected)' % (
                unexpected[0], ', '.join(repr(p) for p in unexpected),
                'was' if len(unexpected) == 1 else 'were'))


def sql_text(value, name):
    """`value` (a query or path parameter bound for a SQL comparison), or
    400 when it holds a NUL character, which PostgreSQL cannot take."""
    if value is not None and '\x00' in value:
        raise exception.Invalid('Invalid input for %s: it holds a NUL '
                                'character.' % name)
    return value
