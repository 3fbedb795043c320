"""NumInstancesWeigher: packs or spreads by the number of instances."""

from nova_scheduler import weighers


class NumInstancesWeigher(weighers.BaseHostWeigher):
    """Weighs a host by its num_instances, scaled by [filter_scheduler]
    num_instances_weight_multiplier (0 by default: off)."""

    multiplier_option = 'num_instances_weight_multiplier'

    def _weigh_object(self, host_state, spec):
        return host_state.num_instances

    def weigh_slots(self, hosts, slots, spec):
        return weighers.normalize_array(hosts.num_instances[slots])
