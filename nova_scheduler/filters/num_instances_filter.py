"""NumInstancesFilter: hosts not already holding too many instances."""

from common.conf import CONF
from nova_scheduler import filters


class NumInstancesFilter(filters.BaseHostFilter):
    """Passes a host holding fewer than [filter_scheduler]
    max_instances_per_host instances."""

    def max_instances(self, host_state, default):
        """The limit for this host; `default` is the option's value, read
        once per request by the caller. It may read only the host's
        aggregates: filter_mask() asks once per group of hosts in the same
        ones."""
        return default

    def host_passes(self, host_state, spec):
        return host_state.num_instances < self.max_instances(
            host_state, CONF.filter_scheduler.max_instances_per_host)

    def filter_mask(self, hosts, mask, spec):
        default = CONF.filter_scheduler.max_instances_per_host
        limits = hosts.group_values(
            (type(self), 'max_instances', default),
            lambda group: self.max_instances(group, default))
        return hosts.num_instances < limits

    def shortfall(self, host_state, spec):
        return host_state.num_instances - self.max_instances(
            host_state, CONF.filter_scheduler.max_instances_per_host)

    def explain(self, host_state, spec):
        return ('the emptiest host holds %d instances, the most allowed is '
                '%d' % (host_state.num_instances, self.max_instances(
                    host_state, CONF.filter_scheduler.max_instances_per_host)))
