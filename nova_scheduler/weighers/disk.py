"""DiskWeigher: prefers hosts with more free local disk (or less, to
stack)."""

from nova_scheduler import weighers


class DiskWeigher(weighers.ColumnWeigher):
    """Weighs a host by its free local disk, scaled by
    [filter_scheduler] disk_weight_multiplier."""

    multiplier_option = 'disk_weight_multiplier'
    column = 'free_disk_gb'
