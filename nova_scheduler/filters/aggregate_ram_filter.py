"""AggregateRamFilter: RamFilter under Nova's per-aggregate name."""

from nova_scheduler.filters import ram_filter


class AggregateRamFilter(ram_filter.RamFilter):
    """Passes a host with enough free RAM at the smallest
    ram_allocation_ratio of its aggregates, or the node's own ratio
    when no aggregate sets one."""

    # The same rule as RamFilter: HostState applies aggregate ratios to
    # every consumer (filters, weighers, the claim limits), so the two can
    # never disagree. The class exists so configs written for Nova work.
