"""AllHostsFilter: a filter that keeps every host."""

from nova_scheduler import filters


class AllHostsFilter(filters.BaseHostFilter):
    """Passes every host (for a deployment that wants no filtering)."""

    def host_passes(self, host_state, spec):
        return True

    def filter_mask(self, hosts, mask, spec):
        return None
