"""[conductor]: conductor processes, and who resumes a build whose worker
was lost."""

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
                    'scheduling, whatever its owner, before a conductor '
                    'takes its build over and resumes it (see '
                    'build_owner_timeout). A conductor that is alive but '
                    'stuck, or a compute host that took the build message '
                    'and never started it while still reporting in, is '
                    'caught this way; a build merely slow finds the '
                    'instance taken at its next step and stops.'),
    cfg.IntOpt('build_owner_timeout', default=10, min=2,
               help='Seconds without a heartbeat after which a conductor '
                    'worker counts as gone. Every build waiting for a '
                    'host has an owner, the worker that runs it; the '
                    'builds of a gone owner are taken over and resumed by '
                    'another worker (rescheduled, or cast again to the '
                    'host already claimed). A worker on the same host '
                    'whose process no longer runs counts as gone at once, '
                    'so a worker restarted after a crash resumes its '
                    'builds within seconds. A build placed on a compute '
                    'host whose service is down is rescheduled after this '
                    'long too. Each worker heartbeats, and looks for '
                    'builds to take over, every build_owner_timeout / 5 '
                    'seconds and at start. Clocks must agree (NTP), as '
                    'for service_down_time.'),
    cfg.IntOpt('max_build_resumes', default=3, min=0,
               help='How many times one build may be resumed after the '
                    'conductor or compute host running it was lost (each '
                    'takeover, and each restart of nova-compute during '
                    'it, counts one) before its instance goes to error '
                    'with a fault: a build that keeps killing its worker '
                    'must not go round forever.'),
]


def register_opts(conf):
    conf.register_opts(opts, group='conductor')


def list_opts():
    return {'conductor': opts}
