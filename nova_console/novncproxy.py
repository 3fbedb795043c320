"""nova-novncproxy: noVNC's pages ([vnc] web, Debian's novnc package)
and browsers' websockets to guests' VNC servers."""

import logging
import os
import sys

from common.conf import CONF
from nova_console import proxy

BINARY = 'nova-novncproxy'
LOG = logging.getLogger(__name__)


def make_server(conductor_api=None):
    web = CONF.vnc.web
    if not os.path.isdir(web):
        # The websocket still works (a VNC client of its own can use it).
        LOG.warning('[vnc] web %s is not a directory: no noVNC pages '
                    'served (install the novnc package)', web)
        web = None
    return proxy.ConsoleProxy(BINARY, 'novnc', CONF.vnc.novncproxy_host,
                              CONF.vnc.novncproxy_port, conductor_api, web)


def main(argv=None):
    return proxy.run(make_server, 'Websocket proxy to guests\' VNC displays',
                     sys.argv[1:] if argv is None else argv)


if __name__ == '__main__':
    sys.exit(main())
