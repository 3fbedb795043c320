"""The console ports of simulated guests (libvirt's test driver).

A test-driver domain has no devices, so nova-compute stands in for its
serial port and VNC server: a TCP listener per guest and console on
`[serial_console] proxyclient_address`. The serial stand-in echoes what
it is sent, as a guest's terminal echoes what is typed; the VNC stand-in
greets as a VNC server does ('RFB 003.008') and then ignores what comes.
The proxies, tokens and API are thereby exercised end to end on the test
driver; what a real guest does with its console is test_consoles.py's
real-guest test.
"""

import logging
import socketserver
import threading

LOG = logging.getLogger(__name__)
RFB_GREETING = b'RFB 003.008\n'
# Connections served at once per stand-in, and bytes per read.
MAX_CLIENTS = 8
CHUNK = 4096


class _Handler(socketserver.BaseRequestHandler):
    def handle(self):
        server = self.server
        with server.slots:
            if server.kind == 'vnc':
                self.request.sendall(RFB_GREETING)
            while True:
                try:
                    data = self.request.recv(CHUNK)
                except OSError:
                    return
                if not data:
                    return
                if server.kind == 'serial':
                    self.request.sendall(data)


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, kind):
        self.kind = kind
        self.slots = threading.BoundedSemaphore(MAX_CLIENTS)
        super().__init__(address, _Handler)


class SimulatedPorts:
    """{instance uuid: {kind: listening server}}, made on first ask."""

    def __init__(self, address):
        self.address = address
        self._lock = threading.Lock()
        self._servers = {}

    def port(self, uuid, kind):
        """The port of `uuid`'s stand-in for `kind` ('serial', 'vnc')."""
        with self._lock:
            server = self._servers.setdefault(uuid, {}).get(kind)
            if server is None:
                server = _Server((self.address, 0), kind)
                threading.Thread(target=server.serve_forever,
                                 name='console-%s' % kind,
                                 daemon=True).start()
                self._servers[uuid][kind] = server
            return server.server_address[1]

    def close(self, uuid):
        with self._lock:
            servers = self._servers.pop(uuid, {})
        for server in servers.values():
            server.shutdown()
            server.server_close()

    def close_all(self):
        with self._lock:
            uuids = list(self._servers)
        for uuid in uuids:
            self.close(uuid)
