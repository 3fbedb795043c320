"""RamFilter: hosts with enough free RAM for the flavor."""

from nova_scheduler import filters
from nova_scheduler import host_state as hs_mod


class RamFilter(filters.BaseHostFilter):
    """Passes a host whose free RAM, (memory_mb - reserved) *
    ram_allocation_ratio - used, is at least the flavor's memory_mb.

    The ratio is the smallest ram_allocation_ratio in the host's aggregates'
    metadata, else the node's own (HostState works it out, so the limits
    sent to the compute host agree with this filter).
    """

    def host_passes(self, host_state, spec):
        return (hs_mod.requested_ram_mb(spec['flavor'])
                <= host_state.free_ram_mb)

    def filter_mask(self, hosts, mask, spec):
        return hosts.free_ram_mb >= hs_mod.requested_ram_mb(spec['flavor'])

    def shortfall(self, host_state, spec):
        return hs_mod.requested_ram_mb(spec['flavor']) - host_state.free_ram_mb

    def explain(self, host_state, spec):
        return 'the best host has %s MB RAM free, %s MB requested' % (
            filters.format_amount(host_state.free_ram_mb),
            filters.format_amount(hs_mod.requested_ram_mb(spec['flavor'])))
