"""Host filters: the base class all filters derive from, and all_filters().

Writing your own filter
-----------------------
Subclass BaseHostFilter in any importable module and implement
host_passes(host_state, spec), returning True to keep the host. The
HostState attributes (free_ram_mb, aggregates, instances, num_io_ops...)
and the request spec keys (flavor, image, project_id, scheduler_hints,
instance_group...) are the same the shipped filters read. Optionally give
explain() a phrase for NoValidHost, and filter_all() a faster whole-list
path if it answers exactly as host_passes() (test_all_filters checks the
shipped ones). Then name the class in nova.conf:

    [filter_scheduler]
    available_filters = nova_scheduler.filters.all_filters
    available_filters = mypackage.myfilters.RackFilter
    enabled_filters = ComputeFilter,RamFilter,RackFilter

available_filters may repeat, and takes a class or a function returning
classes; enabled_filters uses class names. A worked, tested example is in
tests/unit/nova_scheduler/test_custom_filter.py.
"""


def format_amount(value):
    """1024.0 -> '1024', 1023.5 -> '1023.5': readable numbers in reasons."""
    value = float(value)
    if value.is_integer():
        return '%d' % value
    return '%.1f' % value


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
    scheduler runs; a filter may override it with a faster whole-list
    version, as long as it answers exactly as host_passes() would.
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


def all_filters():
    """Every filter class shipped in this package."""
    # Imported here: the filter modules import BaseHostFilter from us.
    import nova_scheduler.filters as package
    from nova_scheduler import loader
    return loader.classes_in_package(package, BaseHostFilter)
