"""CPUWeigher: prefers hosts with more free vCPUs (or fewer, to stack)."""

from nova_scheduler import weighers


class CPUWeigher(weighers.BaseHostWeigher):
    """Weighs a host by its free vCPUs, scaled by
    [filter_scheduler] cpu_weight_multiplier."""

    multiplier_option = 'cpu_weight_multiplier'

    def _weigh_object(self, host_state, spec):
        return host_state.free_vcpus

    def weigh_slots(self, hosts, slots, spec):
        return weighers.normalize_array(hosts.free_vcpus[slots])
