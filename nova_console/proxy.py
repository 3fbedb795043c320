"""The websocket <-> TCP proxy both console proxies are.

A websocket upgrade is checked before it is accepted: its Origin must be
this proxy's own host name or one of `[console] allowed_origins` (a page
elsewhere may not open a console with a token it got hold of), then the
conductor spends the token (`console_token_consume`: unknown, expired or
used tokens are refused). Refusals are HTTP errors: 403 for the origin,
401 for the token. The accepted websocket is then joined to the console's
TCP port (websockify's framing and relay), one thread per connection.
"""

import http.server
import logging
import socket
import socketserver
import threading
import urllib.parse

from websockify import websocketproxy

from common import context as nova_context
from common import daemon
from common import exception
from common import rpc
from common.conf import CONF

LOG = logging.getLogger(__name__)
# Connections relayed at once by one proxy; more are refused (503).
MAX_CONNECTIONS = 256
CONNECT_TIMEOUT = 10
MAX_TOKEN_LENGTH = 255


class Refused(Exception):
    def __init__(self, code, reason):
        super().__init__(reason)
        self.code = code
        self.reason = reason


def check_origin(headers, allowed=()):
    """Refused (403) unless the Origin, when a browser sends one, names
    this host (the Host header's name) or an allowed one, over http(s)."""
    origin = headers.get('Origin')
    if origin is None:
        return  # not a browser
    parsed = urllib.parse.urlsplit(origin)
    if parsed.scheme not in ('http', 'https') or not parsed.hostname:
        raise Refused(403, 'Origin header not valid.')
    host = (headers.get('Host') or '').strip()
    expected = urllib.parse.urlsplit('//' + host).hostname if host else None
    if parsed.hostname != expected and parsed.hostname not in allowed:
        raise Refused(403, 'Origin header does not match this host.')


def token_of(path):
    """The token of a websocket's request path (`?token=`)."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    tokens = query.get('token') or ['']
    return tokens[0]


class ConsoleProxyHandler(websocketproxy.ProxyRequestHandler):
    """One client: the checks, then websockify's relay."""

    def handle_upgrade(self):
        server = self.server
        try:
            check_origin(self.headers, server.allowed_origins)
            self.console = server.spend(token_of(self.path))
        except Refused as refused:
            LOG.info('Console websocket from %s refused: %s',
                     self.client_address[0], refused.reason)
            self.send_error(refused.code, refused.reason)
            return
        # websockify's relay logs its target from the server.
        self.server.target_host = self.console['host']
        self.server.target_port = self.console['port']
        super().handle_upgrade()

    def validate_connection(self):
        """Done in handle_upgrade (websockify's own needs a plugin)."""

    def auth_connection(self):
        """No client certificates: the token is the authorisation."""

    def new_websocket_client(self):
        console = self.console
        try:
            target = socket.create_connection(
                (console['host'], console['port']), timeout=CONNECT_TIMEOUT)
        except OSError as err:
            LOG.warning('Console of %s at %s:%s unreachable: %s',
                        console['instance_uuid'], console['host'],
                        console['port'], err)
            raise self.CClose(1011, 'console unreachable')
        target.settimeout(None)
        LOG.info('Console %s of %s: %s connected to %s:%s',
                 console['console_type'], console['instance_uuid'],
                 self.client_address[0], console['host'], console['port'])
        try:
            self.do_proxy(target)
        finally:
            try:
                target.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            target.close()

    def translate_path(self, path):
        # Files come from the server's `web` directory (noVNC).
        self.directory = self.server.web
        return super().translate_path(path)

    def log_message(self, format, *args):
        LOG.debug('%s %s', self.client_address[0], format % args)


class ProxyServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    """One console proxy: `console_type` the tokens it takes ('serial',
    'novnc'), `web` a directory it serves files of (noVNC), or None."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address, console_type, conductor_api, web=None,
                 allowed_origins=()):
        self.console_type = console_type
        self.conductor = conductor_api
        self.allowed_origins = tuple(allowed_origins)
        self.web = web
        # What websockify's handler reads of its server.
        self.only_upgrade = not web
        self.file_only = True
        self.verbose = False
        self.heartbeat = None
        self.target_host = self.target_port = None
        self.slots = threading.BoundedSemaphore(MAX_CONNECTIONS)
        super().__init__(address, ConsoleProxyHandler)

    def spend(self, token):
        """The console of `token`, which is spent; Refused otherwise."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            raise Refused(401, 'no valid console token')
        try:
            return self.conductor.console_token_consume(
                nova_context.get_admin_context(), token, self.console_type)
        except exception.InvalidToken:
            raise Refused(401, 'the console token is unknown, expired or '
                               'used')
        except exception.ServiceUnavailable as err:
            raise Refused(503, err.message)

    def process_request(self, request, client_address):
        if not self.slots.acquire(blocking=False):
            request.close()
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()


class ConsoleProxy:
    """A proxy as a service of the all-in-one or its own daemon: start()
    serves on a thread, stop() ends it."""

    def __init__(self, name, console_type, host, port, conductor_api=None,
                 web=None):
        if conductor_api is None:
            from nova_conductor import rpcapi as conductor_rpcapi
            conductor_api = conductor_rpcapi.ConductorAPI()
        self.name = name
        self.server = ProxyServer((host, port), console_type, conductor_api,
                                  web, CONF.console.allowed_origins)
        self._thread = None

    @property
    def port(self):
        return self.server.server_address[1]

    def start(self):
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        name=self.name, daemon=True)
        self._thread.start()
        LOG.info('%s listening on %s:%s', self.name,
                 *self.server.server_address[:2])

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def run(make_server, description, argv):
    """A proxy daemon's main: config, RPC, serve until SIGTERM."""
    daemon.parse_config(argv, description)
    rpc.init(CONF)
    server = make_server()
    server.start()
    daemon.wait_for_signals(server.stop)
    rpc.cleanup()
    return 0
