"""nova-compute: serve compute.<host> and report this hypervisor's resources."""

import sys

from common import context as nova_context
from common import daemon
from common import service
from common import servicegroup
from common.conf import CONF
from nova_compute import manager
from nova_compute import rpcapi

BINARY = 'nova-compute'


def make_service(host=None, driver=None, **service_args):
    """The compute service for `host` (default [DEFAULT] host), on
    `driver` (default [DEFAULT] compute_driver's); `service_args` go to
    common.service.Service (a simulator's RPC server and timers)."""
    mgr = manager.ComputeManager(driver=driver, host=host)
    return service.Service(
        BINARY, rpcapi.ComputeAPI.TOPIC, mgr.host, mgr,
        heartbeat=lambda host, binary, topic: mgr.conductor.service_heartbeat(
            nova_context.get_admin_context(), host, binary, topic),
        beat=servicegroup.beat_function(
            lambda host, binary, topic: mgr.conductor.service_beat(
                nova_context.get_admin_context(), host, binary, topic)),
        report_interval=CONF.report_interval, **service_args)


def main(argv=None):
    return daemon.run_service('OpenStack-compatible compute worker',
                              make_service, argv,
                              metrics_port='compute_port')


if __name__ == '__main__':
    sys.exit(main())
