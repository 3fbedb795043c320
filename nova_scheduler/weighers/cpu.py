"""CPUWeigher: prefers hosts with more free vCPUs (or fewer, to stack)."""

from nova_scheduler import weighers


class CPUWeigher(weighers.ColumnWeigher):
    """Weighs a host by its free vCPUs, scaled by
    [filter_scheduler] cpu_weight_multiplier."""

    multiplier_option = 'cpu_weight_multiplier'
    column = 'free_vcpus'
