"""Host filters: the base class all filters derive from, and all_filters().

Writing your own filter
-----------------------
Subclass BaseHostFilter in any importable module and implement
host_passes(host_state, spec), returning True to keep the host. The
HostState attributes (free_ram_mb, aggregates, instances, num_io_ops...)
and the request spec keys (flavor, image, project_id, scheduler_hints,
instance_group...) are the same the shipped filters read. Optionally give
explain() a phrase for NoValidHost, and filter_mask() (below) a faster
path if it answers exactly as host_passes() (test_all_filters and
test_fast_path check the shipped ones). Then name
the class in nova.conf:

    [filter_scheduler]
    available_filters = nova_scheduler.filters.all_filters
    available_filters = mypackage.myfilters.RackFilter
    enabled_filters = ComputeFilter,RamFilter,RackFilter

available_filters may repeat, and takes a class or a function returning
classes; enabled_filters uses class names. A worked, tested example is in
tests/unit/nova_scheduler/test_custom_filter.py.

The fast path
-------------
On a real fleet the scheduler filters the HostManager's HostArrays (numpy
columns, one slot per host) rather than a list of HostStates:
filter_mask(hosts, mask, spec) returns a bool array over the slots (or
None: every host passes). A filter without one is asked host by host
(host_passes) about the hosts still in the mask, so it works unchanged,
only slower. A rule is thus written twice at most: host_passes, the
specification, and filter_mask, the fast path. Shipped filters answer
with array arithmetic (resources, heartbeats, limits), with an index
(host names, instances: the few hosts a hint or server group names), or
once per static group: hosts equal in host_state.STATIC_ATTRIBUTES share
one answer, remembered per request attributes (see group_mask()).
"""

import math

from common.conf import CONF
from nova_scheduler import aggregates


def format_amount(value):
    """1024.0 -> '1024', 1023.5 -> '1023.5': readable numbers in reasons."""
    value = float(value)
    if value.is_integer():
        return '%d' % value
    return '%.1f' % value


def whole_amount(value):
    """33853.5 -> '33853': what is free, rounded down, since an
    allocation ratio makes fractions no flavor can use."""
    return '%d' % math.floor(value)


def frozen(value):
    """A hashable stand-in for a request attribute, equal only for values
    every rule treats alike (so types are kept: 1, '1' and True differ);
    raises TypeError for a value it cannot freeze."""
    if isinstance(value, str) or value is None:
        return value
    if isinstance(value, dict):
        return ('dict', tuple((frozen(k), frozen(v))
                              for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, tuple(frozen(v) for v in value))
    if isinstance(value, (set, frozenset)):
        return ('set', frozenset(frozen(v) for v in value))
    hash(value)
    return (type(value).__name__, value)


def hint_values(spec, hint):
    """The set of values a scheduler hint gives: one string or a list."""
    value = (spec.get('scheduler_hints') or {}).get(hint)
    if not value:
        return set()
    if isinstance(value, str):
        return {value}
    return set(value)


class BaseHostFilter:
    """A yes/no rule on one host for one request.

    Subclasses implement host_passes(). filter_all() is the loop the
    scheduler runs over a list of hosts (the reference path), filter_mask()
    the one it runs over the HostArrays; a filter may override
    filter_mask() with a faster version, as long as it answers exactly as
    host_passes() would.
    explain() and shortfall() turn a rejection into a reason a person can
    act on.
    """

    @classmethod
    def name(cls):
        return cls.__name__

    def host_passes(self, host_state, spec):
        raise NotImplementedError()

    def filter_all(self, host_states, spec):
        passes = self.host_passes
        return [hs for hs in host_states if passes(hs, spec)]

    def filter_mask(self, hosts, mask, spec):
        """The fast path: which hosts of the HostArrays `hosts` pass, as a
        bool array over its slots (read only where `mask` is True), or None
        when every host passes. It must answer exactly as host_passes();
        this default asks filter_all() about the hosts in the mask."""
        return hosts.mask_of(self.filter_all(hosts.states_in(mask), spec))

    def group_mask(self, hosts, mask, spec, request_key, rule=None):
        """filter_mask() for a rule reading only the host's static
        attributes (host_state.STATIC_ATTRIBUTES) and the request
        attributes and options in `request_key`: worked out once per group
        of hosts equal in those, and remembered per request_key. `rule`
        (a host or HostGroup -> bool) defaults to host_passes()."""
        if rule is None:
            def rule(host):
                return self.host_passes(host, spec)
        try:
            key = (type(self), frozen(request_key))
        except TypeError:
            return hosts.per_host(mask, rule)
        return hosts.group_answer(key, rule)

    def shortfall(self, host_state, spec):
        """How far a rejected host is from passing (0 when the filter has
        no measure); the reason describes the host with the smallest."""
        return 0

    def explain(self, host_state, spec):
        """Why this host was rejected, as a phrase about 'the best host'."""
        return 'the best host does not pass %s' % self.name()

    def explain_rejection(self, host_states, spec):
        """Why these hosts were all rejected; by default, the closest one."""
        if not host_states:
            return ''
        closest = min(host_states, key=lambda hs: self.shortfall(hs, spec))
        return self.explain(closest, spec)


class ExtraSpecsFilter(BaseHostFilter):
    """A filter of the flavor's extra specs in its own scope. A subclass
    gives requirements(flavor), the specs it checks, unmet(host_state,
    reqs), the first of them the host does not meet (None if it meets
    all), requirements_mask() for the fast path and explain_unmet()."""

    def host_passes(self, host_state, spec):
        return self.unmet(host_state,
                          self.requirements(spec['flavor'])) is None

    def filter_mask(self, hosts, mask, spec):
        reqs = self.requirements(spec['flavor'])
        if not reqs:
            return None
        return self.requirements_mask(hosts, mask, spec, reqs)

    def requirements_mask(self, hosts, mask, spec, reqs):
        """filter_mask() for the flavor's requirements `reqs` (not empty)."""
        raise NotImplementedError()

    def explain(self, host_state, spec):
        unmet = self.unmet(host_state, self.requirements(spec['flavor']))
        if unmet is None:
            return super().explain(host_state, spec)
        return self.explain_unmet(host_state, unmet)

    def explain_unmet(self, host_state, unmet):
        """explain() for the requirement `unmet` the host does not meet."""
        raise NotImplementedError()


class FreeResourceFilter(BaseHostFilter):
    """Passes a host with at least the flavor's amount of one resource
    free: `free` names the HostState attribute (and HostArrays column),
    requested(flavor) gives the amount, and `explanation` words a
    rejection from the free and the requested amounts."""

    free = None
    requested = None
    explanation = None
    # How the free amount reads in `explanation`.
    format_free = staticmethod(format_amount)

    def host_passes(self, host_state, spec):
        return (self.requested(spec['flavor'])
                <= getattr(host_state, self.free))

    def filter_mask(self, hosts, mask, spec):
        return getattr(hosts, self.free) >= self.requested(spec['flavor'])

    def shortfall(self, host_state, spec):
        return (self.requested(spec['flavor'])
                - getattr(host_state, self.free))

    def explain(self, host_state, spec):
        return self.explanation % (
            self.format_free(getattr(host_state, self.free)),
            format_amount(self.requested(spec['flavor'])))


class CountLimitFilter(BaseHostFilter):
    """Passes a host whose count, the HostState attribute (and HostArrays
    column) named `counted`, is below its limit: the [filter_scheduler]
    option `limit_option`, or with `limit_from_aggregates` the smallest
    value its aggregates' metadata gives under the same key."""

    counted = None
    limit_option = None
    limit_from_aggregates = False

    def limit(self, host_state, default):
        """The limit for this host; `default` is the option's value, read
        once per request by the caller. It may read only the host's
        aggregates: filter_mask() asks once per group of hosts in the same
        ones."""
        if self.limit_from_aggregates:
            return aggregates.min_number(host_state, self.limit_option,
                                         default, cast=int)
        return default

    def _default(self):
        return getattr(CONF.filter_scheduler, self.limit_option)

    def limit_of(self, host_state):
        return self.limit(host_state, self._default())

    def host_passes(self, host_state, spec):
        return getattr(host_state, self.counted) < self.limit_of(host_state)

    def filter_mask(self, hosts, mask, spec):
        default = self._default()
        limits = hosts.group_values(
            (type(self), 'limit', default),
            lambda group: self.limit(group, default))
        return getattr(hosts, self.counted) < limits

    def shortfall(self, host_state, spec):
        return getattr(host_state, self.counted) - self.limit_of(host_state)


def all_filters():
    """Every filter class shipped in this package."""
    # Imported here: the filter modules import BaseHostFilter from us.
    import nova_scheduler.filters as package
    from nova_scheduler import loader
    return loader.classes_in_package(package, BaseHostFilter)
