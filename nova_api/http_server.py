"""nova-api's HTTP server: cheroot with the API's limits, whose keep-alive
connections never read the rest of one request's body as the next request.

Left to itself cheroot (11.x) reads a request's unread Content-Length
body before answering, however large, and never the rest of a chunked
one: those bytes were then parsed as a new request on the same
connection, which behind a proxy lets one client's bytes pass for
another's request. So here, just before a response's headers go out,
the rest of the body is read and dropped when it is small (at most
`[api] max_request_body_size`); otherwise, or when it cannot be read,
the response says `Connection: close` and the connection is closed.
cheroot also ignores a `Connection: close` set by the app; here it
closes the connection. The answers cheroot writes itself (a malformed
request line or header, a request too large, every thread busy) carry
the API's JSON error body, as the app's do, and `Connection: close`, as
the connection ends after them.

A connection closed with request bytes still unread closes lingering, as
Apache does: the answer's end is sent (FIN), then what the client still
sends is read and dropped for a moment. Closed at once, the kernel would
answer the unread bytes with a reset, and the client could lose the end
of the answer it was reading.

Limits (all documented in docs/api.md, "Limits"):
- request line and headers: `[wsgi] max_request_header_size` (413);
- a body: `[DEFAULT] image_size_cap`, the largest any route takes
  (image data); the JSON routes stop at `[api] max_request_body_size`;
- a stalled or idle connection: `[wsgi] client_socket_timeout`;
- requests served at once: `osapi_compute_workers` threads.
"""

import logging
import socket
import threading
import time
import urllib.parse

from cheroot import server
from cheroot import wsgi

from common.conf import CONF
from nova_api import chunked
from nova_api import errors

LOG = logging.getLogger(__name__)

# Connections the kernel holds for accept() (capped by net.core.somaxconn).
# cheroot's 5 drops the SYNs of a burst of new connections past the
# fifth, and the clients' TCP sends them again one second later: measured
# with bench/metadata.py, 16 guests starting at once waited 1 s each
# beyond the fifth.
LISTEN_BACKLOG = 1024

# How long, and how much, a closing connection reads of what its client
# still sends (see above).
LINGER_SECONDS = 2.0
LINGER_BYTES = 1024 * 1024


def _app_closes(req):
    return any(name.lower() == b'connection' and value.lower() == b'close'
               for name, value in req.outheaders)


def settle_body(req, most):
    """Read and drop what is left of `req`'s body, up to `most` bytes, so
    the connection is at the next request; else mark it to close."""
    _settle(req, most)
    if req.close_connection:
        # Its body may not have been read to the end.
        req.conn.linger_input = True


def _settle(req, most):
    if (req.close_connection or _app_closes(req) or
            not CONF.wsgi.keep_alive or req.status.startswith(b'413')):
        req.close_connection = True
        return
    body = req.rfile
    if isinstance(body, chunked.ChunkedBody):
        try:
            finished = body.skip(most)
        except (ValueError, OSError):
            finished = False
        req.close_connection = not finished
    elif req.inheaders.get(b'Transfer-Encoding'):
        # A coding cheroot did not decode (an HTTP/1.0 request): its body
        # is still on the socket.
        req.close_connection = True
    elif getattr(body, 'remaining', 0) > most:
        req.close_connection = True
    # Otherwise cheroot reads the small remainder itself.


class _Request(server.HTTPRequest):

    def send_headers(self):
        # The app has returned: whatever it left of the body is settled
        # before the headers say whether the connection stays open.
        settle_body(self, CONF.api.max_request_body_size)
        super().send_headers()

    def simple_response(self, status, msg=''):
        """cheroot's own answer, before or instead of the app's."""
        write_error(self, str(status), msg)


def write_error(req, status, message):
    """`status` ("400 Bad Request") with the API's error body for the
    path asked for (Glance's under /image), closing the connection:
    cheroot answers so only when it cannot go on reading requests."""
    req.close_connection = True
    req.conn.linger_input = True
    if req.sent_headers:
        return
    req.sent_headers = True
    code = int(status[:3])
    if isinstance(message, bytes):
        message = message.decode('latin-1')
    # Its path, when the request line got as far as one.
    path = getattr(req, 'path', None) or \
        (getattr(req, 'uri', None) or b'').split(b'?', 1)[0]
    path = urllib.parse.unquote(path.decode('latin-1'), errors='replace')
    body = errors.body_for(path, code, message or status[4:]).encode()
    head = ('%s %s\r\nContent-Type: application/json\r\n'
            'Content-Length: %d\r\nConnection: close\r\n\r\n'
            % (req.server.protocol, status, len(body)))
    try:
        req.conn.wfile.write(head.encode('latin-1') + body)
    except OSError:
        # The client is gone; there is no one to answer.
        pass


class _Connection(server.HTTPConnection):
    RequestHandlerClass = _Request

    # Set when the connection ends with request bytes perhaps unread.
    linger_input = False

    def close(self):
        # (cheroot's own `linger` leaves the socket to the garbage
        # collector, on paths of its own.)
        if self.linger_input and not self.linger:
            self.linger_input = False
            _linger(self.socket)
        super().close()


def _linger(sock):
    """Send FIN, then read and drop what the client still sends, until it
    closes too or LINGER_SECONDS or LINGER_BYTES pass."""
    try:
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + LINGER_SECONDS
        drained = 0
        while drained < LINGER_BYTES:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            sock.settimeout(left)
            data = sock.recv(65536)
            if not data:
                break
            drained += len(data)
    except OSError:
        # Gone or timed out: the close below is all that is left to do.
        pass


class _Gateway(wsgi.Gateway_10):

    def get_environ(self):
        env = super().get_environ()
        req = self.req
        if req.chunked_read:
            req.rfile = env['wsgi.input'] = chunked.ChunkedBody(
                req.conn.rfile, req.server.max_request_body_size or None)
            if env.pop('CONTENT_LENGTH', None) is not None:
                # Both framings at once: the chunked one wins (RFC 9112
                # 6.3), and a connection that carried such a request is
                # not trusted with another.
                req.close_connection = True
        return env


class Server(wsgi.Server):
    """cheroot's WSGI server with the API's limits and body handling."""

    ConnectionClass = _Connection

    def __init__(self, bind_addr, app, threads):
        super().__init__(bind_addr, app, numthreads=threads,
                         server_name='nova-api',
                         timeout=CONF.wsgi.client_socket_timeout,
                         request_queue_size=LISTEN_BACKLOG)
        self.gateway = _Gateway
        self.max_request_header_size = CONF.wsgi.max_request_header_size
        self.max_request_body_size = max(CONF.image_size_cap,
                                         CONF.api.max_request_body_size)


class ThreadedServer:
    """A WSGI server in a thread, so it can be started and stopped (the
    Compute API's, the metadata service's)."""

    def __init__(self, app, host, port, workers, name='nova-api'):
        self.server = Server((host, port), app, workers)
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
