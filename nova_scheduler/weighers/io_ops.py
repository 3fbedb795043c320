"""IoOpsWeigher: prefers hosts with less I/O-heavy work under way."""

from nova_scheduler import weighers


class IoOpsWeigher(weighers.ColumnWeigher):
    """Weighs a host by its num_io_ops, scaled by [filter_scheduler]
    io_ops_weight_multiplier (negative by default: quiet hosts win)."""

    multiplier_option = 'io_ops_weight_multiplier'
    column = 'num_io_ops'
