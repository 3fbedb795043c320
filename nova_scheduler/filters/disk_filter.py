"""DiskFilter: hosts with enough free local disk for the flavor."""

from nova_scheduler import filters
from nova_scheduler import host_state as hs_mod


class DiskFilter(filters.BaseHostFilter):
    """Passes a host whose free disk, (local_gb - reserved) *
    disk_allocation_ratio - used, holds root + ephemeral + swap (in GB,
    rounded up).

    The ratio is the smallest disk_allocation_ratio in the host's
    aggregates' metadata, else the node's own (worked out by HostState).
    """

    def host_passes(self, host_state, spec):
        return (hs_mod.requested_disk_gb(spec['flavor'])
                <= host_state.free_disk_gb)

    def filter_mask(self, hosts, mask, spec):
        return hosts.free_disk_gb >= hs_mod.requested_disk_gb(spec['flavor'])

    def shortfall(self, host_state, spec):
        return (hs_mod.requested_disk_gb(spec['flavor'])
                - host_state.free_disk_gb)

    def explain(self, host_state, spec):
        return 'the best host has %s GB disk free, %s GB requested' % (
            filters.format_amount(host_state.free_disk_gb),
            filters.format_amount(hs_mod.requested_disk_gb(spec['flavor'])))
