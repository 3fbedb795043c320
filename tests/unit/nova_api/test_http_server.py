"""nova-api's HTTP server over a real socket: a keep-alive connection is
either exactly at its next request or closed, never in between."""

import json
import socket
import threading

import pytest

from common.conf import CONF
from nova_api import http_server

NEXT = b'GET /read HTTP/1.1\r\nHost: t\r\n\r\n'


BIG = 4 * 1024 * 1024


def _app(environ, start_response):
    """/read reads the body, /ignore does not, /close asks to close, /big
    answers BIG bytes without reading the body."""
    path = environ['PATH_INFO']
    if path == '/big':
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('Content-Length', str(BIG))])
        return [b'b' * BIG]
    body = environ['wsgi.input'].read() if path == '/read' else b''
    headers = [('Content-Type', 'text/plain'),
               ('Content-Length', str(len(b'%d' % len(body))))]
    if path == '/close':
        headers.append(('Connection', 'close'))
    start_response('200 OK', headers)
    return [b'%d' % len(body)]


@pytest.fixture(scope='module')
def port():
    # One server for the module: it reads the options it uses per request.
    server = http_server.Server(('127.0.0.1', 0), _app, 2)
    server.prepare()
    thread = threading.Thread(target=server.serve, daemon=True)
    thread.start()
    yield server.bind_addr[1]
    server.stop()
    thread.join(timeout=10)


def _connect(port):
    sock = socket.create_connection(('127.0.0.1', port))
    sock.settimeout(5)
    return sock


def _response(sock):
    """(status line, headers, body), or None when the server closed; the
    body as far as the server sent it."""
    data = b''
    while b'\r\n\r\n' not in data:
        more = sock.recv(65536)
        if not more:
            return None
        data += more
    head, _, body = data.partition(b'\r\n\r\n')
    lines = head.split(b'\r\n')
    headers = {k.strip().lower(): v.strip() for k, _, v in
               (line.partition(b':') for line in lines[1:])}
    length = int(headers.get(b'content-length', 0))
    while len(body) < length:
        more = sock.recv(65536)
        if not more:
            break
        body += more
    return lines[0], headers, body


def _closed(sock):
    try:
        return sock.recv(1) == b''
    except ConnectionResetError:
        return True


def _chunked(data, size=10):
    out = b''.join(b'%x\r\n%s\r\n' % (len(data[i:i + size]),
                                       data[i:i + size])
                   for i in range(0, len(data), size))
    return out + b'0\r\n\r\n'


def _post(path, framing):
    return b'POST %s HTTP/1.1\r\nHost: t\r\n%s\r\n' % (path, framing)


def _stays_open(sock):
    sock.sendall(NEXT)
    status, _, body = _response(sock)
    assert (status, body) == (b'HTTP/1.1 200 OK', b'0')


def test_a_chunked_body_is_read_and_the_next_request_is_answered(port):
    sock = _connect(port)
    sock.sendall(_post(b'/read', b'Transfer-Encoding: chunked\r\n') +
                 _chunked(b'x' * 95))
    status, headers, body = _response(sock)
    assert (status, body) == (b'HTTP/1.1 200 OK', b'95')
    assert b'connection' not in headers
    _stays_open(sock)


def test_an_unread_small_body_is_dropped_and_the_connection_kept(port):
    for framing, data in ((b'Transfer-Encoding: chunked\r\n',
                           _chunked(b'{}' * 500)),
                          (b'Content-Length: 1000\r\n', b'y' * 1000)):
        sock = _connect(port)
        sock.sendall(_post(b'/ignore', framing) + data)
        assert _response(sock)[0] == b'HTTP/1.1 200 OK'
        _stays_open(sock)


def test_an_unread_chunked_body_past_the_bound_closes_the_connection(port):
    CONF.set_override('max_request_body_size', 1000, group='api')
    sock = _connect(port)
    sock.sendall(_post(b'/ignore', b'Transfer-Encoding: chunked\r\n') +
                 _chunked(b'z' * 5000, 1000))
    _status, headers, _body = _response(sock)
    assert headers[b'connection'] == b'close'
    assert _closed(sock)


def test_a_large_unread_content_length_body_is_never_waited_for(port):
    sock = _connect(port)
    # Announces 10 GB and sends none of it: the answer comes at once
    # (the server does not read it) and the connection closes.
    sock.sendall(_post(b'/ignore', b'Content-Length: 10000000000\r\n'))
    _status, headers, _body = _response(sock)
    assert headers[b'connection'] == b'close'
    assert _closed(sock)


def test_the_apps_connection_close_closes_it(port):
    sock = _connect(port)
    sock.sendall(b'GET /close HTTP/1.1\r\nHost: t\r\n\r\n')
    assert _response(sock)[1][b'connection'] == b'close'
    assert _closed(sock)


def test_keep_alive_false_closes_every_connection(port):
    CONF.set_override('keep_alive', False, group='wsgi')
    sock = _connect(port)
    sock.sendall(NEXT)
    assert _response(sock)[1][b'connection'] == b'close'
    assert _closed(sock)


def test_content_length_beside_chunked_is_ignored_and_closes(port):
    sock = _connect(port)
    sock.sendall(_post(b'/read', b'Content-Length: 3\r\n'
                                 b'Transfer-Encoding: chunked\r\n') +
                 _chunked(b'a' * 30) + NEXT)
    _status, headers, body = _response(sock)
    assert body == b'30'
    assert headers[b'connection'] == b'close'
    assert _closed(sock)


def test_a_coding_left_undecoded_closes_the_connection(port):
    # HTTP/1.0 has no chunked coding: cheroot leaves the body unread.
    sock = _connect(port)
    sock.sendall(b'POST /ignore HTTP/1.0\r\nConnection: Keep-Alive\r\n'
                 b'Transfer-Encoding: chunked\r\n\r\n' + _chunked(b'q' * 20))
    assert _response(sock) is not None
    assert _closed(sock)


def test_broken_chunked_framing_closes_the_connection(port):
    sock = _connect(port)
    sock.sendall(_post(b'/ignore', b'Transfer-Encoding: chunked\r\n') +
                 b'nothex\r\n' + NEXT)
    assert _response(sock)[1][b'connection'] == b'close'
    assert _closed(sock)


def test_headers_past_the_limit_are_413(port):
    sock = _connect(port)
    sock.sendall(b'GET /read HTTP/1.1\r\nHost: t\r\nX-Big: %s\r\n\r\n'
                 % (b'b' * CONF.wsgi.max_request_header_size))
    status, _, _ = _response(sock)
    assert status.startswith(b'HTTP/1.1 413')
    assert _closed(sock)


def _error(sock):
    status, headers, body = _response(sock)
    assert headers[b'content-type'] == b'application/json'
    assert headers[b'connection'] == b'close'
    assert _closed(sock)
    return status, json.loads(body)


@pytest.mark.parametrize('request_line, message', [
    # Found by the API fuzzer: raw UTF-8 in the path was cheroot's
    # text/plain "Malformed Request-URI", and the connection closed
    # without saying so, breaking the client's next request on it.
    ('GET /servers/\u00e9 HTTP/1.1'.encode(), 'Malformed Request-URI'),
    (b'GET', 'Malformed Request-Line'),
])
def test_cheroots_own_errors_are_novas_body_and_close(port, request_line,
                                                     message):
    sock = _connect(port)
    sock.sendall(request_line + b'\r\nHost: t\r\n\r\n')
    status, body = _error(sock)
    assert status == b'HTTP/1.1 400 Bad Request'
    assert body == {'badRequest': {'code': 400, 'message': message}}


def test_cheroots_own_errors_under_image_are_glances_body(port):
    sock = _connect(port)
    sock.sendall('GET /image/v2/\u00e9 HTTP/1.1\r\n\r\n'.encode())
    assert _error(sock)[1]['code'] == '400 Bad Request'
    sock = _connect(port)
    sock.sendall(b'GET /image/v2/images HTTP/1.1\r\nHost: t\r\n'
                 b'X-Big: %s\r\n\r\n'
                 % (b'b' * CONF.wsgi.max_request_header_size))
    status, body = _error(sock)
    assert status.startswith(b'HTTP/1.1 413')
    assert body['code'].startswith('413 ')
    assert body['title'] == body['code'][4:]
    assert 'headers' in body['message']


def test_a_connection_closed_with_input_unread_still_delivers_the_answer(
        port):
    # Found by the API fuzzer: GET of an image's data with a large unread
    # chunked body got the answer's start, then a reset (closed at once
    # with unread input, the kernel resets the connection and the client
    # loses what it had not read yet).
    CONF.set_override('max_request_body_size', 1000, group='api')
    sock = _connect(port)
    sender = threading.Thread(target=sock.sendall, args=(
        _post(b'/big', b'Transfer-Encoding: chunked\r\n') +
        _chunked(b'z' * 300000, 1000),))
    sender.start()
    try:
        status, headers, body = _response(sock)
    finally:
        sender.join(timeout=10)
    assert status == b'HTTP/1.1 200 OK'
    assert headers[b'connection'] == b'close'
    assert len(body) == BIG
    assert _closed(sock)
