"""NumInstancesWeigher: packs or spreads by the number of instances."""

from nova_scheduler import weighers


class NumInstancesWeigher(weighers.ColumnWeigher):
    """Weighs a host by its num_instances, scaled by [filter_scheduler]
    num_instances_weight_multiplier (0 by default: off)."""

    multiplier_option = 'num_instances_weight_multiplier'
    column = 'num_instances'
