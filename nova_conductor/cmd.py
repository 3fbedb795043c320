"""nova-conductor: serve the conductor topic over the configured transport."""

import functools
import os
import sys

from common import daemon
from common import service
from common import service_version
from common.conf import CONF
from nova_conductor import manager
from nova_conductor import rpcapi
from nova_conductor.db import compute as compute_db
from nova_conductor.db import session

BINARY = 'nova-conductor'


def make_service():
    session.configure(CONF.database.connection,
                      pool_size=CONF.database.max_pool_size,
                      max_overflow=CONF.database.max_overflow,
                      echo=CONF.database.connection_debug)
    mgr = manager.ConductorManager()
    return service.Service(BINARY, rpcapi.ConductorAPI.TOPIC, CONF.host, mgr,
                           heartbeat=functools.partial(
                               compute_db.service_heartbeat,
                               version=service_version.SERVICE_VERSION),
                           report_interval=CONF.report_interval)


def worker_count():
    return CONF.conductor.workers or os.cpu_count() or 1


def main(argv=None):
    return daemon.run_service('OpenStack-compatible compute conductor',
                              make_service, argv, workers=worker_count,
                              metrics_port='conductor_port')


if __name__ == '__main__':
    sys.exit(main())
