"""Host filters: the base class all filters derive from, and all_filters()."""


def format_amount(value):
    """1024.0 -> '1024', 1023.5 -> '1023.5': readable numbers in reasons."""
    value = float(value)
    if value.is_integer():
        return '%d' % value
    return '%.1f' % value


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
