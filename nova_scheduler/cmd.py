"""nova-scheduler: serve select_destinations on the scheduler topic."""

import sys

from common import context as nova_context
from common import daemon
from common import service
from common import servicegroup
from common.conf import CONF

BINARY = 'nova-scheduler'


def make_service():
    from nova_conductor import rpcapi as conductor_rpcapi
    from nova_scheduler import manager
    from nova_scheduler import rpcapi
    conductor = conductor_rpcapi.ConductorAPI()
    mgr = manager.SchedulerManager(conductor)

    def heartbeat(host, binary, topic):
        conductor.service_heartbeat(nova_context.get_admin_context(), host,
                                    binary, topic)

    # With the db driver every heartbeat stays a call (service_heartbeat,
    # 1.0), not a service_beat cast (1.20): schedulers are upgraded before
    # the conductors, which would drop a cast newer than they know, and
    # a few schedulers' calls cost nothing.
    return service.Service(BINARY, rpcapi.SchedulerAPI.TOPIC, CONF.host,
                           mgr, heartbeat=heartbeat,
                           beat=servicegroup.beat_function(None),
                           report_interval=CONF.report_interval)


def main(argv=None):
    return daemon.run_service('OpenStack-compatible compute scheduler',
                              make_service, argv,
                              metrics_port='scheduler_port')


if __name__ == '__main__':
    sys.exit(main())
