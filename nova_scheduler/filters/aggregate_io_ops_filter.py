"""AggregateIoOpsFilter: IoOpsFilter with per-aggregate limits."""

from nova_scheduler import aggregates
from nova_scheduler.filters import io_ops_filter


class AggregateIoOpsFilter(io_ops_filter.IoOpsFilter):
    """Passes a host with fewer I/O operations under way than the smallest
    max_io_ops_per_host in its aggregates' metadata, or than
    [filter_scheduler] max_io_ops_per_host if none sets it."""

    def max_io_ops(self, host_state, default):
        return aggregates.min_number(host_state, 'max_io_ops_per_host',
                                     default, cast=int)
