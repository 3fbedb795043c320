"""nova-api-ec2: serve the EC2 Query API on its own port ([ec2] listen
and port), alone or inside nova-api ([DEFAULT] enabled_apis = ec2)."""

import sys

from common import daemon
from common import rpc
from common.conf import CONF
from nova_api import http_server
from nova_api.ec2 import app as ec2_app

BINARY = 'nova-api-ec2'


def make_server(conductor_api=None):
    return http_server.ThreadedServer(
        ec2_app.create_app(conductor_api), CONF.ec2.listen, CONF.ec2.port,
        CONF.ec2.workers, name=BINARY)


def main(argv=None):
    daemon.parse_config(sys.argv[1:] if argv is None else argv,
                        'EC2-compatible Query API')
    rpc.init(CONF)
    server = make_server()
    server.start()
    daemon.wait_for_signals(server.stop)
    rpc.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
