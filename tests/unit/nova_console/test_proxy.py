"""The console proxy: Origin and token checks before the upgrade, then
bytes both ways between the websocket and the console's TCP port."""

import socket
import socketserver
import threading

import pytest

from common import exception
from nova_console import proxy
from nova_console import wsclient

UUID = '6f4c3c2a-1b7e-4a8e-9a52-0c8d7e3f5a11'


class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        self.request.sendall(b'login: ')
        while True:
            data = self.request.recv(4096)
            if not data:
                return
            self.request.sendall(data.upper())


class FakeConductor:

    def __init__(self, port):
        self.tokens = {'good': {'host': '127.0.0.1', 'port': port,
                                'instance_uuid': UUID,
                                'console_type': 'serial'}}
        self.spent = []

    def console_token_consume(self, ctxt, token, console_type=None):
        self.spent.append((token, console_type))
        try:
            return self.tokens.pop(token)
        except KeyError:
            raise exception.InvalidToken()


@pytest.fixture
def served():
    echo = socketserver.ThreadingTCPServer(('127.0.0.1', 0), Echo)
    echo.daemon_threads = True
    threading.Thread(target=echo.serve_forever, daemon=True).start()
    conductor = FakeConductor(echo.server_address[1])
    server = proxy.ProxyServer(('127.0.0.1', 0), 'serial', conductor,
                               allowed_origins=['dash.example'])
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = 'ws://127.0.0.1:%d/' % server.server_address[1]
    yield server
    server.shutdown()
    server.server_close()
    echo.shutdown()
    echo.server_close()


def test_a_good_token_relays_both_ways_once(served):
    ws = wsclient.WebSocket(served.url + '?token=good',
                            origin='http://127.0.0.1:8774')
    assert ws.read_until(b'login: ') == b'login: '
    ws.send(b'root\n')
    assert ws.read_until(b'ROOT\n') == b'ROOT\n'
    ws.close()
    assert served.conductor.spent == [('good', 'serial')]
    with pytest.raises(wsclient.HandshakeRefused) as refused:
        wsclient.WebSocket(served.url + '?token=good')
    assert refused.value.status == 401


@pytest.mark.parametrize('query', ['', '?token=', '?token=nope',
                                   '?token=' + 'x' * 300])
def test_bad_tokens_are_401(served, query):
    with pytest.raises(wsclient.HandshakeRefused) as refused:
        wsclient.WebSocket(served.url + query)
    assert refused.value.status == 401


@pytest.mark.parametrize('origin', ['http://evil.example',
                                    'file://127.0.0.1', 'null'])
def test_foreign_origins_are_403_and_spend_nothing(served, origin):
    with pytest.raises(wsclient.HandshakeRefused) as refused:
        wsclient.WebSocket(served.url + '?token=good', origin=origin)
    assert refused.value.status == 403
    assert served.conductor.spent == []


def test_an_allowed_origin_passes(served):
    ws = wsclient.WebSocket(served.url + '?token=good',
                            origin='https://dash.example')
    assert ws.read_until(b'login: ') == b'login: '
    ws.close()


def test_plain_http_is_refused_without_web_files(served):
    with socket.create_connection(served.server_address) as sock:
        sock.sendall(b'GET / HTTP/1.1\r\nHost: x\r\n\r\n')
        assert sock.recv(100).startswith(b'HTTP/1.1 405')


def test_check_origin_rules():
    proxy.check_origin({'Host': 'h:6083'})  # no Origin: not a browser
    proxy.check_origin({'Host': 'h:6083', 'Origin': 'http://h:8774'})
    with pytest.raises(proxy.Refused):
        proxy.check_origin({'Host': 'h:6083', 'Origin': 'http://g'})
    proxy.check_origin({'Host': 'h', 'Origin': 'http://g'}, ['g'])
