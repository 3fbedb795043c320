"""AggregateCoreFilter: CoreFilter under Nova's per-aggregate name."""

from nova_scheduler.filters import core_filter


class AggregateCoreFilter(core_filter.CoreFilter):
    """Passes a host with enough free vCPUs at the smallest
    cpu_allocation_ratio of its aggregates, or the node's own ratio
    when no aggregate sets one."""

    # The same rule as CoreFilter: HostState applies aggregate ratios to
    # every consumer (filters, weighers, the claim limits), so the two can
    # never disagree. The class exists so configs written for Nova work.
