"""nova-serialproxy: browsers' websockets to guests' TCP serial ports."""

import sys

from common.conf import CONF
from nova_console import proxy

BINARY = 'nova-serialproxy'


def make_server(conductor_api=None):
    return proxy.ConsoleProxy(BINARY, 'serial',
                              CONF.serial_console.serialproxy_host,
                              CONF.serial_console.serialproxy_port,
                              conductor_api)


def main(argv=None):
    return proxy.run(make_server,
                     'Websocket proxy to guests\' serial consoles',
                     sys.argv[1:] if argv is None else argv)


if __name__ == '__main__':
    sys.exit(main())
