"""What a flavor takes from a host, and what a host can give.

The scheduler's host state and the conductor's atomic SQL claim both use
these: if they counted differently, the scheduler would offer hosts the
claim then refuses, or hide hosts that would fit.
"""

import math


def flavor_usage(flavor):
    """The (vcpus, memory_mb, disk_gb) a flavor claims on a host.

    Disk is root + ephemeral + swap, swap rounded up to whole GB.
    """
    get = flavor.get
    disk_gb = ((get('root_gb') or 0) + (get('ephemeral_gb') or 0)
               + int(math.ceil((get('swap') or 0) / 1024.0)))
    return get('vcpus') or 0, get('memory_mb') or 0, disk_gb


def usable(total, reserved, allocation_ratio):
    """A resource's ceiling on a host.

    Plain arithmetic, so it works on numbers (the scheduler) and on
    SQLAlchemy column expressions (the conductor's claim statement) alike.
    """
    return (total - reserved) * allocation_ratio
