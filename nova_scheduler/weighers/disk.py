"""DiskWeigher: prefers hosts with more free local disk (or less, to
stack)."""

from nova_scheduler import weighers


class DiskWeigher(weighers.BaseHostWeigher):
    """Weighs a host by its free local disk, scaled by
    [filter_scheduler] disk_weight_multiplier."""

    multiplier_option = 'disk_weight_multiplier'

    def _weigh_object(self, host_state, spec):
        return host_state.free_disk_gb

    def weigh_slots(self, hosts, slots, spec):
        return weighers.normalize_array(hosts.free_disk_gb[slots])
