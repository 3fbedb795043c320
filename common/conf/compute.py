"""Options of nova-compute and its resource accounting (group DEFAULT, as in Nova)."""

from oslo_config import cfg

opts = [
    cfg.StrOpt('compute_driver', default='libvirt',
               choices=[('libvirt', 'libvirt: real guests, or its test:/// '
                                    'driver'),
                        ('fake', 'an in-memory hypervisor sized by [fake], '
                                 'for simulated fleets; no guests run')],
               help='The hypervisor driver nova-compute uses.'),
    cfg.StrOpt('instances_path', default='$state_path/instances',
               help='Where instance disks, console logs and the image cache '
                    '(_base) live on a compute host.'),
    cfg.FloatOpt('cpu_allocation_ratio', default=16.0, min=0.0,
                 help='Virtual CPUs per physical CPU a host may be given.'),
    cfg.FloatOpt('ram_allocation_ratio', default=1.5, min=0.0,
                 help='Virtual RAM per physical RAM a host may be given.'),
    cfg.FloatOpt('disk_allocation_ratio', default=1.0, min=0.0,
                 help='Virtual disk per physical disk a host may be given.'),
    cfg.IntOpt('reserved_host_memory_mb', default=512, min=0,
               help='RAM kept back for the host itself.'),
    cfg.IntOpt('reserved_host_disk_mb', default=0, min=0,
               help='Disk kept back for the host itself.'),
    cfg.IntOpt('reserved_host_cpus', default=0, min=0,
               help='Physical CPUs kept back for the host itself.'),
    cfg.IntOpt('instance_build_timeout', default=0, min=0,
               help='Seconds a spawned domain may take to reach running '
                    'before the build fails; 0 waits forever.'),
    cfg.IntOpt('shutdown_timeout', default=60, min=0,
               help='Seconds a stop waits for the guest to shut down '
                    '(ACPI) before powering it off.'),
    cfg.IntOpt('sync_power_state_interval', default=600, min=1,
               help='Seconds between comparing instances\' power states '
                    'with the hypervisor\'s and fixing drift.'),
    cfg.IntOpt('update_resources_interval', default=60, min=1,
               help='Seconds between looks at this hypervisor\'s resources; '
                    'a report goes to the conductor only when they '
                    'changed since the last one sent, or when that one is '
                    '10 intervals old.'),
    cfg.IntOpt('recover_stuck_tasks_interval', default=60, min=0,
               help='Seconds between the conductor\'s sweeps for '
                    'instances left in a build or power task_state '
                    '(spawning, powering-off, deleting...): one query for '
                    'the whole fleet, whose finds are cast to their hosts. '
                    'One that nothing in its nova-compute is working on (an '
                    'operation whose reports to the conductor all failed), '
                    'seen so twice in a row, unchanged, is recovered as at '
                    'start: the build resumed from its step, the operation '
                    'finished. Read by nova-conductor (and by computes older '
                    'than RPC 1.12, which look for themselves). 0 disables '
                    'it.'),
    cfg.IntOpt('shelved_offload_time', default=0, min=-1,
               help='Seconds a shelved server keeps its host before it is '
                    'offloaded (its domain destroyed, its resources given '
                    'back): 0 offloads it at once, -1 never.'),
    cfg.IntOpt('shelved_poll_interval', default=3600, min=-1,
               help='Seconds between looks for servers shelved longer than '
                    'shelved_offload_time, to offload them; 0 or -1 '
                    'disables it.'),
    cfg.BoolOpt('force_config_drive', default=False,
                help='Give every instance built on this host a config drive, '
                     'whether or not it asked for one; the instance then '
                     'shows config_drive True.'),
    cfg.StrOpt('config_drive_format', default='iso9660',
               choices=[('iso9660', 'an ISO 9660 image (Joliet and Rock '
                                    'Ridge), attached as a read-only CD-ROM'),
                        ('vfat', 'a 64 MiB vfat image, attached as a disk')],
               help='The file system of the config drive, labelled '
                    'config-2 either way.'),
    cfg.StrOpt('mkisofs_cmd', default='genisoimage',
               help='The command that writes an iso9660 config drive, with '
                    'mkisofs\'s options. When it is not installed, '
                    'xorriso\'s "-as mkisofs" is used instead.'),
]


def register_opts(conf):
    conf.register_opts(opts)


def list_opts():
    return {'DEFAULT': opts}
