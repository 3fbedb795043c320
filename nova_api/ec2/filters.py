"""EC2 Filters: a list of {'Name', 'Values'}; a resource matches when, for
every filter, one of its values matches one of the filter's values (`*`
and `?` are wildcards, as in AWS)."""

import fnmatch
import re

from nova_api.ec2 import errors

MAX_FILTERS = 50
MAX_VALUES = 200


def _pattern(value):
    # AWS's wildcards are * and ? only: a [ is itself.
    return re.compile(fnmatch.translate(value.replace('[', '[[]')))


def matcher(filters, names, values_of):
    """A predicate over resources for these Filters; `names` are the
    filter names taken besides tag:KEY; `values_of(resource, name)`
    gives the resource's values for a name."""
    filters = filters or []
    if len(filters) > MAX_FILTERS:
        raise errors.InvalidParameterValue(
            'At most %d filters are taken.' % MAX_FILTERS)
    compiled = []
    for item in filters:
        name = item.get('Name')
        if not name:
            raise errors.MissingParameter('A filter has no Name.')
        if name not in names and not (name.startswith('tag:') and
                                      len(name) > 4 and 'tag-key' in names):
            raise errors.InvalidParameterValue(
                "The filter '%s' is invalid" % name[:80],
                code='InvalidParameterValue')
        values = item.get('Values') or []
        if len(values) > MAX_VALUES:
            raise errors.InvalidParameterValue(
                'A filter takes at most %d values.' % MAX_VALUES)
        compiled.append((name, [_pattern(v) for v in values]))

    def matches(resource):
        for name, patterns in compiled:
            have = [v for v in values_of(resource, name) if v is not None]
            if not any(p.fullmatch(str(v)) for p in patterns for v in have):
                return False
        return True
    return matches
