"""[scheduler] and [filter_scheduler]: how hosts are filtered and weighed."""

from oslo_config import cfg

scheduler_opts = [
    cfg.IntOpt('max_attempts', default=3, min=1,
               help='Hosts tried for one build (the first choice and its '
                    'alternates) before the instance goes to error.'),
    cfg.FloatOpt('host_cache_max_age', default=1.0, min=0,
                 help='Seconds the scheduler may place builds on its cached '
                      'view of the compute nodes before asking the conductor '
                      'for what changed. The view stays exact for its own '
                      'placements; what it can miss meanwhile is harmless: '
                      'another scheduler\'s placements (the conductor\'s '
                      'claim is the final word, and a lost claim moves on '
                      'to an alternate), new hosts, and resources freed by '
                      'deletes (a request no cached host fits is tried '
                      'again on a fresh view). Disabling, forcing down or '
                      'regrouping hosts reaches every scheduler at once by '
                      'a fanout message. 0 asks before every request.'),
]

filter_scheduler_opts = [
    cfg.MultiStrOpt('available_filters',
                    default=['nova_scheduler.filters.all_filters'],
                    help='Filter classes the scheduler may use: dotted paths '
                         'to a class, or to a function returning a list of '
                         'classes. Repeat to add your own.'),
    cfg.ListOpt('enabled_filters',
                default=['RetryFilter', 'AvailabilityZoneFilter',
                         'RamFilter', 'CoreFilter', 'DiskFilter',
                         'ComputeFilter', 'ComputeCapabilitiesFilter',
                         'ImagePropertiesFilter',
                         'ServerGroupAntiAffinityFilter',
                         'ServerGroupAffinityFilter'],
                help='Filters applied, in this order; a host failing one is '
                     'dropped at once. The default is Nova\'s list plus '
                     'CoreFilter and DiskFilter: with no placement service '
                     'to pre-check vCPUs and disk, leaving them out would '
                     'send builds to hosts whose claim then fails.'),
    cfg.ListOpt('weight_classes',
                default=['nova_scheduler.weighers.all_weighers'],
                help='Weigher classes, or functions returning lists of '
                     'them. Each *_weight_multiplier below can be set per '
                     'host by aggregate metadata of the same name (the '
                     'smallest, for a host in several aggregates).'),
    cfg.IntOpt('max_io_ops_per_host', default=8, min=0,
               help='IoOpsFilter and AggregateIoOpsFilter reject a host '
                    'with this many instances building, rebuilding, '
                    'resizing, snapshotting... at once. An aggregate\'s '
                    'max_io_ops_per_host metadata overrides it for '
                    'AggregateIoOpsFilter (the smallest, if several).'),
    cfg.IntOpt('max_instances_per_host', default=50, min=1,
               help='NumInstancesFilter and AggregateNumInstancesFilter '
                    'reject a host holding this many instances. An '
                    'aggregate\'s max_instances_per_host metadata overrides '
                    'it for AggregateNumInstancesFilter (the smallest, if '
                    'several).'),
    cfg.StrOpt('aggregate_image_properties_isolation_namespace',
               help='AggregateImagePropertiesIsolation compares only the '
                    'aggregate metadata keys starting with this namespace '
                    'and the separator; unset, it compares every key.'),
    cfg.StrOpt('aggregate_image_properties_isolation_separator',
               default='.',
               help='Separator between the namespace and the key for '
                    'AggregateImagePropertiesIsolation.'),
    cfg.FloatOpt('ram_weight_multiplier', default=1.0,
                 help='Multiplier for free RAM; negative stacks instead of '
                      'spreading.'),
    cfg.FloatOpt('cpu_weight_multiplier', default=1.0,
                 help='Multiplier for free vCPUs; negative stacks instead '
                      'of spreading.'),
    cfg.FloatOpt('disk_weight_multiplier', default=1.0,
                 help='Multiplier for free local disk; negative stacks '
                      'instead of spreading.'),
    cfg.FloatOpt('io_ops_weight_multiplier', default=-1.0,
                 help='Multiplier for the I/O operations under way on a '
                      'host; negative prefers quiet hosts, positive busy '
                      'ones.'),
    cfg.FloatOpt('num_instances_weight_multiplier', default=0.0,
                 help='Multiplier for the number of instances on a host; '
                      'positive packs hosts, negative spreads, 0 ignores.'),
    cfg.FloatOpt('build_failure_weight_multiplier', default=1000000.0,
                 help='Multiplier for a host\'s recent failed builds, '
                      'counted against it. Large by default so a host that '
                      'keeps failing builds loses to any other; 0 ignores '
                      'failures.'),
    cfg.FloatOpt('soft_affinity_weight_multiplier', default=1.0, min=0.0,
                 help='Multiplier favouring hosts holding more members of '
                      'a soft-affinity server group.'),
    cfg.FloatOpt('soft_anti_affinity_weight_multiplier', default=1.0,
                 min=0.0,
                 help='Multiplier favouring hosts holding fewer members of '
                      'a soft-anti-affinity server group.'),
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
