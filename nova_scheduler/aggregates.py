"""Reading host aggregate metadata: the one place filters and weighers ask."""

import logging

LOG = logging.getLogger(__name__)

# (host, key, value) already warned about: min_number runs on every
# request, and one bad value should be logged once, not per request.
_WARNED = set()


def index_metadata(aggregates):
    """{key: set of values} over all of a host's aggregates.

    A value holding commas counts as several values ('a, b' -> {'a', 'b'}),
    so one aggregate can list several projects or image properties.
    Built once per node update: filters look keys up for every host on
    every request.
    """
    index = {}
    for aggregate in aggregates:
        for key, value in (aggregate.get('metadata') or {}).items():
            values = index.setdefault(key, set())
            values.update(part.strip() for part in str(value).split(','))
    return index


def availability_zones(aggregates):
    """The availability zones a host's aggregates put it in, as given."""
    return {aggregate['metadata']['availability_zone']
            for aggregate in aggregates
            if (aggregate.get('metadata') or {}).get('availability_zone')}


def values(host_state, key):
    """Every value of `key` in the host's aggregates (empty set if none)."""
    return host_state.aggregate_metadata.get(key, frozenset())


def min_number(host_state, key, default, cast=float):
    """The smallest value of `key` across the host's aggregates, or
    `default` when none of its aggregates sets it.

    The smallest wins because an aggregate setting a limit or a ratio
    means 'no more than this'; a host in two aggregates honours both.
    Values that are not numbers are logged and skipped, so one typo does
    not lift a limit another aggregate sets.
    """
    found = host_state.aggregate_metadata.get(key)
    if not found:
        return default
    numbers = []
    for value in found:
        try:
            numbers.append(cast(value))
        except ValueError:
            if (host_state.host, key, value) not in _WARNED:
                _WARNED.add((host_state.host, key, value))
                LOG.warning('Aggregate metadata %s=%r on host %s is not a '
                            'number; ignored', key, value, host_state.host)
    return min(numbers) if numbers else default
