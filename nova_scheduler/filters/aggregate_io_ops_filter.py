"""AggregateIoOpsFilter: IoOpsFilter with per-aggregate limits."""

from nova_scheduler.filters import io_ops_filter


class AggregateIoOpsFilter(io_ops_filter.IoOpsFilter):
    """Passes a host with fewer I/O operations under way than the smallest
    max_io_ops_per_host in its aggregates' metadata, or than
    [filter_scheduler] max_io_ops_per_host if none sets it."""

    limit_from_aggregates = True
