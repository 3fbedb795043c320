"""nova-api-metadata: serve the metadata service on its own port."""

import sys

from common import daemon
from common import rpc
from common.conf import CONF
from nova_api import http_server
from nova_api.metadata import app as metadata_app


def make_server(conductor_api=None):
    return http_server.ThreadedServer(
        metadata_app.create_app(conductor_api), CONF.api.metadata_listen,
        CONF.api.metadata_listen_port, CONF.api.metadata_workers,
        name='nova-api-metadata')


def main(argv=None):
    daemon.parse_config(sys.argv[1:] if argv is None else argv,
                        'Metadata service for guests')
    rpc.init(CONF)
    server = make_server()
    server.start()
    daemon.wait_for_signals(server.stop)
    rpc.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
