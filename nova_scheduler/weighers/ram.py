"""RAMWeigher: prefers hosts with more free RAM (or less, to stack)."""

from nova_scheduler import weighers


class RAMWeigher(weighers.BaseHostWeigher):
    """Weighs a host by its free RAM, scaled by
    [filter_scheduler] ram_weight_multiplier."""

    multiplier_option = 'ram_weight_multiplier'

    def _weigh_object(self, host_state, spec):
        return host_state.free_ram_mb

    def weigh_slots(self, hosts, slots, spec):
        return weighers.normalize_array(hosts.free_ram_mb[slots])
