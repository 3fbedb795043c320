"""[scheduler] and [filter_scheduler]: how hosts are filtered and weighed."""

from oslo_config import cfg

scheduler_opts = [
    cfg.IntOpt('max_attempts', default=3, min=1,
               help='Hosts tried for one build (the first choice and its '
                    'alternates) before the instance goes to error.'),
]

filter_scheduler_opts = [
    cfg.MultiStrOpt('available_filters',
                    default=['nova_scheduler.filters.all_filters'],
                    help='Filter classes the scheduler may use: dotted paths '
                         'to a class, or to a function returning a list of '
                         'classes. Repeat to add your own.'),
    cfg.ListOpt('enabled_filters',
                default=['ComputeFilter', 'RamFilter', 'CoreFilter',
                         'DiskFilter'],
                help='Filters applied, in this order; a host failing one is '
                     'dropped at once.'),
    cfg.ListOpt('weight_classes',
                default=['nova_scheduler.weighers.all_weighers'],
                help='Weigher classes, or functions returning lists of them.'),
    cfg.FloatOpt('ram_weight_multiplier', default=1.0,
                 help='Multiplier for free RAM; negative stacks instead of '
                      'spreading.'),
    cfg.IntOpt('host_subset_size', default=1, min=1,
               help='Pick at random among this many best hosts, to cut '
                    'collisions between concurrent schedulers.'),
]


def register_opts(conf):
    conf.register_opts(scheduler_opts, group='scheduler')
    conf.register_opts(filter_scheduler_opts, group='filter_scheduler')


def list_opts():
    return {'scheduler': scheduler_opts,
            'filter_scheduler': filter_scheduler_opts}
