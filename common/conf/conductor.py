"""[conductor]: conductor processes, and when a build waiting for a host
counts as lost."""

from oslo_config import cfg

opts = [
    cfg.IntOpt('workers', min=1, sample_default='<number of CPUs>',
               help='Conductor worker processes, each with its own RPC '
                    'consumer and database pool on the same topic. One '
                    'Python process runs one thread at a time, and the '
                    'conductor does most of the work of a boot, so it '
                    'needs several to use several CPUs. Each holds up to '
                    '[database] max_pool_size + max_overflow connections: '
                    'keep workers times that below the SQL server\'s '
                    'connection limit. Default: the number of CPUs.'),
    cfg.IntOpt('scheduling_timeout', default=300, min=1,
               help='Seconds an instance may stay in task_state '
                    'scheduling before the conductor decides its build '
                    'was lost (the conductor process running it stopped, '
                    'or the chosen compute host never started it) and '
                    'puts it in error with a fault, freeing what it '
                    'held. A build still running after that finds the '
                    'instance taken and stops. Every conductor checks '
                    'every min(60, scheduling_timeout / 2) seconds.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='conductor')


def list_opts():
    return {'conductor': opts}
