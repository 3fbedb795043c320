"""RAMWeigher: prefers hosts with more free RAM (or less, to stack)."""

from nova_scheduler import weighers


class RAMWeigher(weighers.ColumnWeigher):
    """Weighs a host by its free RAM, scaled by
    [filter_scheduler] ram_weight_multiplier."""

    multiplier_option = 'ram_weight_multiplier'
    column = 'free_ram_mb'
