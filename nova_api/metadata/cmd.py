"""nova-api-metadata: serve the metadata service on its own port, and
listen for what the conductor tells every metadata process."""

import sys

from common import daemon
from common import rpc
from common import service
from common.conf import CONF
from nova_api import http_server
from nova_api.metadata import app as metadata_app
from nova_api.metadata import manager
from nova_api.metadata import rpcapi

BINARY = 'nova-api-metadata'


class MetadataServer:
    """The HTTP server and the RPC listener of one metadata service,
    started and stopped together (alone, inside nova-api, or in the
    all-in-one)."""

    name = BINARY

    def __init__(self, conductor_api=None):
        metadata = metadata_app.MetadataService(conductor_api)
        self.http = http_server.ThreadedServer(
            metadata_app.create_app(service=metadata),
            CONF.api.metadata_listen, CONF.api.metadata_listen_port,
            CONF.api.metadata_workers, name=BINARY)
        self.rpc = service.Service(BINARY, rpcapi.MetadataAPI.TOPIC,
                                   CONF.host,
                                   manager.MetadataManager(metadata))

    @property
    def port(self):
        return self.http.port

    def start(self):
        # Listening first: an address handed out from now on is heard of.
        self.rpc.start()
        self.http.start()

    def stop(self):
        self.http.stop()
        self.rpc.stop()


def make_server(conductor_api=None):
    return MetadataServer(conductor_api)


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
