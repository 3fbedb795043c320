"""[fake]: the size of a host run on the in-memory driver (compute_driver
= fake), which simulated fleets use."""

from oslo_config import cfg

opts = [
    cfg.IntOpt('host_vcpus', default=4, min=1,
               help='CPUs the fake hypervisor reports.'),
    cfg.IntOpt('host_memory_mb', default=8192, min=1,
               help='RAM in MB the fake hypervisor reports.'),
    cfg.IntOpt('host_local_gb', default=100, min=1,
               help='Disk in GB the fake hypervisor reports.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='fake')


def list_opts():
    return {'fake': opts}
