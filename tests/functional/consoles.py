"""Console proxies beside a functional deployment (test_consoles*.py)."""

import socket
import time
import urllib.parse

from tests.functional import deployment as deployment_mod


def proxy_conf(token_ttl=600):
    """nova.conf sections for both proxies on free loopback ports; returns
    (text, serial proxy port, noVNC proxy port)."""
    serial = deployment_mod._free_port()
    novnc = deployment_mod._free_port()
    text = ('\n[consoleauth]\ntoken_ttl = %d\n'
            '[serial_console]\nserialproxy_host = 127.0.0.1\n'
            'serialproxy_port = %d\nbase_url = ws://127.0.0.1:%d/\n'
            'port_range = 20000:20999\n'
            '[vnc]\nnovncproxy_host = 127.0.0.1\nnovncproxy_port = %d\n'
            'novncproxy_base_url = http://127.0.0.1:%d/vnc_auto.html\n'
            % (token_ttl, serial, serial, novnc, novnc))
    return text, serial, novnc


def start_proxies(dep, ports, timeout=30):
    """Run nova-serialproxy and nova-novncproxy on the deployment's
    config; wait until both listen."""
    dep._spawn('serialproxy', 'nova-serialproxy')
    dep._spawn('novncproxy', 'nova-novncproxy')
    deadline = time.monotonic() + timeout
    for port in ports:
        while True:
            dep._check_alive()
            try:
                socket.create_connection(('127.0.0.1', port), 1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError('no proxy on %d:\n%s' % (
                        port, dep.logs()))
                time.sleep(0.1)


def remote_console(dep, server_id, protocol='serial', kind='serial',
                   version='2.6', token=None):
    """POST /servers/{id}/remote-consoles; the response."""
    return dep.request(
        'POST', '/v2.1/servers/%s/remote-consoles' % server_id, token=token,
        headers={'OpenStack-API-Version': 'compute %s' % version},
        json={'remote_console': {'protocol': protocol, 'type': kind}})


def console_url(dep, server_id, protocol='serial', kind='serial'):
    """A new console's URL (asserting the create answered 200)."""
    resp = remote_console(dep, server_id, protocol, kind)
    assert resp.status_code == 200, resp.text
    return resp.json()['remote_console']['url']


def token_of(url):
    """The token of a console URL (serial: ?token=, noVNC: ?path=...)."""
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    if 'path' in query:
        query = urllib.parse.parse_qs(query['path'][0].lstrip('?'))
    return query['token'][0]


def websocket_url(url):
    """The websocket a console URL leads to (noVNC's page is skipped)."""
    parts = urllib.parse.urlsplit(url)
    return 'ws://%s/?token=%s' % (parts.netloc, token_of(url))
