"""nova-api: serve the Compute API over HTTP with a threaded WSGI server."""

import logging
import sys
import threading

from common import daemon
from common import rpc
from common.conf import CONF
from nova_api import app as api_app
from nova_api import http_server

LOG = logging.getLogger(__name__)


class APIServer:
    """The WSGI server in a thread, so it can be started and stopped."""

    def __init__(self, app, host, port, workers, name='nova-api'):
        self.server = http_server.Server((host, port), app, workers)
        self.name = name
        self.thread = None

    @property
    def port(self):
        return self.server.bind_addr[1]

    def start(self):
        self.server.prepare()
        self.thread = threading.Thread(target=self.server.serve,
                                       name=self.name, daemon=True)
        self.thread.start()
        LOG.info('%s listening on http://%s:%s/', self.name,
                 self.server.bind_addr[0], self.port)

    def stop(self):
        self.server.stop()
        if self.thread:
            self.thread.join(timeout=CONF.graceful_shutdown_timeout)


def make_server(conductor_api=None):
    return APIServer(api_app.create_app(conductor_api),
                     CONF.osapi_compute_listen,
                     CONF.osapi_compute_listen_port,
                     CONF.osapi_compute_workers)


def make_servers(conductor_api=None):
    """The servers of [DEFAULT] enabled_apis: the Compute API, and the
    metadata service on its own port when 'metadata' is listed."""
    from nova_api.metadata import cmd as metadata_cmd
    makers = {'osapi_compute': make_server,
              'metadata': metadata_cmd.make_server}
    return [makers[name](conductor_api)
            for name in dict.fromkeys(CONF.enabled_apis)]


def main(argv=None):
    daemon.parse_config(sys.argv[1:] if argv is None else argv,
                        'OpenStack-compatible Compute API')
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
