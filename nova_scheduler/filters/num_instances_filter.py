"""NumInstancesFilter: hosts not already holding too many instances."""

from nova_scheduler import filters


class NumInstancesFilter(filters.CountLimitFilter):
    """Passes a host holding fewer than [filter_scheduler]
    max_instances_per_host instances."""

    counted = 'num_instances'
    limit_option = 'max_instances_per_host'

    def explain(self, host_state, spec):
        return ('the emptiest host holds %d instances, the most allowed is '
                '%d' % (host_state.num_instances, self.limit_of(host_state)))
