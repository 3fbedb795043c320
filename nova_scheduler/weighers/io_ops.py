"""IoOpsWeigher: prefers hosts with less I/O-heavy work under way."""

from nova_scheduler import weighers


class IoOpsWeigher(weighers.BaseHostWeigher):
    """Weighs a host by its num_io_ops, scaled by [filter_scheduler]
    io_ops_weight_multiplier (negative by default: quiet hosts win)."""

    multiplier_option = 'io_ops_weight_multiplier'

    def _weigh_object(self, host_state, spec):
        return host_state.num_io_ops

    def weigh_slots(self, hosts, slots, spec):
        return weighers.normalize_array(hosts.num_io_ops[slots])
