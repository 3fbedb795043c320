"""What this compute host reports to the conductor: totals, reserve, ratios.

Usage is not reported: the conductor owns it through atomic claims.
"""

import math

from common.conf import CONF


def node_resources(driver_resources):
    res = dict(driver_resources)
    res['vcpus_reserved'] = CONF.reserved_host_cpus
    res['memory_mb_reserved'] = CONF.reserved_host_memory_mb
    res['local_gb_reserved'] = int(math.ceil(CONF.reserved_host_disk_mb /
                                             1024.0))
    res['cpu_allocation_ratio'] = CONF.cpu_allocation_ratio
    res['ram_allocation_ratio'] = CONF.ram_allocation_ratio
    res['disk_allocation_ratio'] = CONF.disk_allocation_ratio
    res['host_ip'] = CONF.my_ip
    return res
