"""IoOpsFilter: hosts not already busy with too much I/O-heavy work."""

from nova_scheduler import filters


class IoOpsFilter(filters.CountLimitFilter):
    """Passes a host with fewer than [filter_scheduler] max_io_ops_per_host
    instances building, rebuilding, resizing, snapshotting... (num_io_ops)."""

    counted = 'num_io_ops'
    limit_option = 'max_io_ops_per_host'

    def explain(self, host_state, spec):
        return ('the least busy host has %d I/O operations under way, the '
                'most allowed is %d' % (host_state.num_io_ops,
                                        self.limit_of(host_state)))
