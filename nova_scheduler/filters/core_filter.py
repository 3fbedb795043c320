"""CoreFilter: hosts with enough free vCPUs for the flavor."""

from nova_scheduler import filters
from nova_scheduler import host_state as hs_mod


class CoreFilter(filters.BaseHostFilter):
    """Passes a host whose free vCPUs, (vcpus - reserved) *
    cpu_allocation_ratio - used, are at least the flavor's vcpus.

    The ratio is the smallest cpu_allocation_ratio in the host's aggregates'
    metadata, else the node's own (worked out by HostState).
    """

    def host_passes(self, host_state, spec):
        return hs_mod.requested_vcpus(spec['flavor']) <= host_state.free_vcpus

    def filter_mask(self, hosts, mask, spec):
        return hosts.free_vcpus >= hs_mod.requested_vcpus(spec['flavor'])

    def shortfall(self, host_state, spec):
        return hs_mod.requested_vcpus(spec['flavor']) - host_state.free_vcpus

    def explain(self, host_state, spec):
        return 'the best host has %s vCPUs free, %s requested' % (
            filters.format_amount(host_state.free_vcpus),
            filters.format_amount(hs_mod.requested_vcpus(spec['flavor'])))
