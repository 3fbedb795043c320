"""IoOpsFilter: hosts not already busy with too much I/O-heavy work."""

from common.conf import CONF
from nova_scheduler import filters


class IoOpsFilter(filters.BaseHostFilter):
    """Passes a host with fewer than [filter_scheduler] max_io_ops_per_host
    instances building, rebuilding, resizing, snapshotting... (num_io_ops)."""

    def max_io_ops(self, host_state, default):
        """The limit for this host; `default` is the option's value, read
        once per request by the caller. It may read only the host's
        aggregates: filter_mask() asks once per group of hosts in the same
        ones."""
        return default

    def host_passes(self, host_state, spec):
        return host_state.num_io_ops < self.max_io_ops(
            host_state, CONF.filter_scheduler.max_io_ops_per_host)

    def filter_mask(self, hosts, mask, spec):
        default = CONF.filter_scheduler.max_io_ops_per_host
        limits = hosts.group_values(
            (type(self), 'max_io_ops', default),
            lambda group: self.max_io_ops(group, default))
        return hosts.num_io_ops < limits

    def shortfall(self, host_state, spec):
        return host_state.num_io_ops - self.max_io_ops(
            host_state, CONF.filter_scheduler.max_io_ops_per_host)

    def explain(self, host_state, spec):
        return ('the least busy host has %d I/O operations under way, the '
                'most allowed is %d' % (
                    host_state.num_io_ops, self.max_io_ops(
                        host_state,
                        CONF.filter_scheduler.max_io_ops_per_host)))
