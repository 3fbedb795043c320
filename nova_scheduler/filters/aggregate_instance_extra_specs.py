"""AggregateInstanceExtraSpecsFilter: flavors matched to aggregate metadata."""

from nova_scheduler import extra_specs_ops
from nova_scheduler import filters

SCOPE = 'aggregate_instance_extra_specs'


def requirements(flavor):
    """(extra spec key, metadata key, requirement) for each extra spec this
    filter checks: 'aggregate_instance_extra_specs:' keys, and keys with no
    scope at all, as in Nova; other scopes belong to other filters."""
    found = []
    for key, requirement in sorted((flavor.get('extra_specs') or {}).items()):
        scope, sep, rest = key.partition(':')
        if not sep:
            found.append((key, key, requirement))
        elif scope == SCOPE:
            found.append((key, rest, requirement))
    return found


def _unmet(host_state, reqs):
    """The first requirement no aggregate of the host meets, or None."""
    metadata = host_state.aggregate_metadata
    for req in reqs:
        _key, metadata_key, requirement = req
        if not any(extra_specs_ops.match(value, requirement)
                   for value in metadata.get(metadata_key, ())):
            return req
    return None


class AggregateInstanceExtraSpecsFilter(filters.ExtraSpecsFilter):
    """Passes a host whose aggregates' metadata meets each of the flavor's
    aggregate_instance_extra_specs (and unscoped) extra specs, with the
    operators of extra_specs_ops."""

    requirements = staticmethod(requirements)
    unmet = staticmethod(_unmet)

    def requirements_mask(self, hosts, mask, spec, reqs):
        return self.group_mask(hosts, mask, spec, reqs,
                               lambda host: _unmet(host, reqs) is None)

    def explain_unmet(self, host_state, unmet):
        key, metadata_key, requirement = unmet
        have = host_state.aggregate_metadata.get(metadata_key)
        return ("the flavor asks %s='%s', the best host's aggregates have "
                "%s" % (key, requirement,
                        '%s=%s' % (metadata_key, ','.join(sorted(have)))
                        if have else 'no %s' % metadata_key))
