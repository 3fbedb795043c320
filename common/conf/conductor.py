"""[conductor]: how many conductor processes serve the conductor topic."""

from oslo_config import cfg

opts = [
    cfg.IntOpt('workers', min=1, sample_default='<number of CPUs>',
               help='Conductor worker processes, each with its own RPC '
                    'consumer and database pool on the same topic. One '
                    'Python process runs one thread at a time, and the '
                    'conductor does most of the work of a boot, so it '
                    'needs several to use several CPUs. Default: the '
                    'number of CPUs.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='conductor')


def list_opts():
    return {'conductor': opts}
