"""AggregateDiskFilter: DiskFilter under Nova's per-aggregate name."""

from nova_scheduler.filters import disk_filter


class AggregateDiskFilter(disk_filter.DiskFilter):
    """Passes a host with enough free disk at the smallest
    disk_allocation_ratio of its aggregates, or the node's own ratio
    when no aggregate sets one."""

    # The same rule as DiskFilter: HostState applies aggregate ratios to
    # every consumer (filters, weighers, the claim limits), so the two can
    # never disagree. The class exists so configs written for Nova work.
