"""DiskFilter: hosts with enough free local disk for the flavor."""

from nova_scheduler import filters
from nova_scheduler import host_state as hs_mod


class DiskFilter(filters.FreeResourceFilter):
    """Passes a host whose free disk, (local_gb - reserved) *
    disk_allocation_ratio - used, holds root + ephemeral + swap (in GB,
    rounded up).

    The ratio is the smallest disk_allocation_ratio in the host's
    aggregates' metadata, else the node's own (worked out by HostState).
    """

    free = 'free_disk_gb'
    requested = staticmethod(hs_mod.requested_disk_gb)
    explanation = 'the best host has %s GB disk free, %s GB requested'
