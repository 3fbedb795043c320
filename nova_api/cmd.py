"""nova-api: serve the Compute API over HTTP with a threaded WSGI server."""

import logging
import sys

from common import daemon
from common import metrics
from common import rpc
from common.conf import CONF
from nova_api import app as api_app
from nova_api import http_server
from nova_api.ec2 import cmd as ec2_cmd
from nova_api.metadata import cmd as metadata_cmd

LOG = logging.getLogger(__name__)


def make_server(conductor_api=None, metrics_route=False):
    """`metrics_route`: answer /metrics on the API's port (the
    all-in-one, which has no daemon ports of its own)."""
    return http_server.ThreadedServer(
        api_app.create_app(conductor_api, metrics_route=metrics_route),
        CONF.osapi_compute_listen,
        CONF.osapi_compute_listen_port, CONF.osapi_compute_workers)


def make_servers(conductor_api=None):
    """The servers of [DEFAULT] enabled_apis: the Compute API, and the
    metadata service and the EC2 API on their own ports when listed."""
    makers = {'osapi_compute': make_server,
              'metadata': metadata_cmd.make_server,
              'ec2': ec2_cmd.make_server}
    return [makers[name](conductor_api)
            for name in dict.fromkeys(CONF.enabled_apis)]


def main(argv=None):
    daemon.parse_config(sys.argv[1:] if argv is None else argv,
                        'OpenStack-compatible Compute API')
    if metrics.setup():
        metrics.serve(CONF.metrics.api_port)
    rpc.init(CONF)
    servers = make_servers()
    for server in servers:
        server.start()

    def stop():
        for server in servers:
            server.stop()
    daemon.wait_for_signals(stop)
    rpc.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
