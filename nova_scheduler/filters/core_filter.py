"""CoreFilter: hosts with enough free vCPUs for the flavor."""

from nova_scheduler import filters
from nova_scheduler import host_state as hs_mod


class CoreFilter(filters.FreeResourceFilter):
    """Passes a host whose free vCPUs, (vcpus - reserved) *
    cpu_allocation_ratio - used, are at least the flavor's vcpus.

    The ratio is the smallest cpu_allocation_ratio in the host's aggregates'
    metadata, else the node's own (worked out by HostState).
    """

    free = 'free_vcpus'
    requested = staticmethod(hs_mod.requested_vcpus)
    explanation = 'the best host has %s vCPUs free, %s requested'
