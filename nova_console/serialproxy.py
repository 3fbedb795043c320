"""nova-serialproxy: browsers' websockets to guests' TCP serial ports."""

import sys

from common import daemon
from common import rpc
from common.conf import CONF
from nova_console import proxy

BINARY = 'nova-serialproxy'


def make_server(conductor_api=None):
    return proxy.ConsoleProxy(BINARY, 'serial',
                              CONF.serial_console.serialproxy_host,
                              CONF.serial_console.serialproxy_port,
                              conductor_api)


def main(argv=None):
    daemon.parse_config(sys.argv[1:] if argv is None else argv,
                        'Websocket proxy to guests\' serial consoles')
    rpc.init(CONF)
    server = make_server()
    server.start()
    daemon.wait_for_signals(server.stop)
    rpc.cleanup()
    return 0


if __name__ == '__main__':
    sys.exit(main())
