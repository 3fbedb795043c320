"""AggregateNumInstancesFilter: NumInstancesFilter with per-aggregate
limits."""

from nova_scheduler.filters import num_instances_filter


class AggregateNumInstancesFilter(num_instances_filter.NumInstancesFilter):
    """Passes a host holding fewer instances than the smallest
    max_instances_per_host in its aggregates' metadata, or than
    [filter_scheduler] max_instances_per_host if none sets it."""

    limit_from_aggregates = True
