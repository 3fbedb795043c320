"""RamFilter: hosts with enough free RAM for the flavor."""

from nova_scheduler import filters
from nova_scheduler import host_state as hs_mod


class RamFilter(filters.FreeResourceFilter):
    """Passes a host whose free RAM, (memory_mb - reserved) *
    ram_allocation_ratio - used, is at least the flavor's memory_mb.

    The ratio is the smallest ram_allocation_ratio in the host's aggregates'
    metadata, else the node's own (HostState works it out, so the limits
    sent to the compute host agree with this filter).
    """

    free = 'free_ram_mb'
    requested = staticmethod(hs_mod.requested_ram_mb)
    explanation = 'the best host has %s MB RAM free, %s MB requested'
    # Whole megabytes, as a flavor's RAM is.
    format_free = staticmethod(filters.whole_amount)
