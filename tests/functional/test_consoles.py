"""Remote consoles on the test driver, daemons as separate processes:
the API's shapes per microversion, one-time and expiring tokens, the
admin token look-up, and bytes through both proxies to the simulated
guests' console stand-ins (the serial one echoes, the VNC one greets
'RFB 003.008'). A real guest's serial console through the proxy, and
the dashboard's console tab, are test_consoles_real_guest.py's."""

import time

import pytest

from nova_console import wsclient
from tests.functional import consoles
from tests.functional import deployment as deployment_mod

TTL = 6


@pytest.fixture(scope='module')
def dep():
    conf, serial, novnc = consoles.proxy_conf(token_ttl=TTL)
    d = deployment_mod.Deployment('postgresql', extra_conf=conf)
    d.start()
    try:
        consoles.start_proxies(d, (serial, novnc))
        yield d
    finally:
        d.stop()


@pytest.fixture(scope='module')
def server(dep):
    return dep.boot('console-vm')


def _remote(dep, server_id, protocol, kind, version='2.6', token=None):
    return consoles.remote_console(dep, server_id, protocol, kind, version,
                                   token)


def _serial_url(dep, server_id):
    return consoles.console_url(dep, server_id)


def test_shapes_per_microversion(dep, server):
    resp = _remote(dep, server['id'], 'serial', 'serial')
    assert resp.status_code == 200, resp.text
    body = resp.json()['remote_console']
    assert set(body) == {'protocol', 'type', 'url'}
    assert body['url'].startswith('ws://127.0.0.1:')
    resp = _remote(dep, server['id'], 'vnc', 'novnc')
    assert resp.status_code == 200, resp.text
    assert '/vnc_auto.html?path=%3Ftoken%3D' in \
        resp.json()['remote_console']['url']
    assert _remote(dep, server['id'], 'vnc', 'novnc',
                   '2.5').status_code == 404
    # The old actions up to 2.5.
    for name, kind in (('os-getSerialConsole', 'serial'),
                       ('os-getVNCConsole', 'novnc')):
        resp = dep.action(server['id'], {name: {'type': kind}})
        assert resp.status_code == 200, resp.text
        assert set(resp.json()) == {'console'}
        assert resp.json()['console']['type'] == kind
        resp = dep.action(server['id'], {name: {'type': kind}},
                          headers={'OpenStack-API-Version': 'compute 2.6'})
        assert resp.status_code == 400


def test_errors(dep, server):
    resp = _remote(dep, server['id'], 'serial', 'novnc')
    assert resp.status_code == 400
    assert resp.json()['badRequest']['message'] == \
        'Invalid console type novnc'
    resp = _remote(dep, server['id'], 'spice', 'spice-html5')
    assert resp.status_code == 501
    resp = _remote(dep, server['id'], 'telnet', 'serial')
    assert resp.status_code == 400
    # Another project's server is not found.
    resp = _remote(dep, server['id'], 'serial', 'serial',
                   token='oscar:proj-b')
    assert resp.status_code == 404


def test_a_stopped_server_has_no_console(dep):
    stopped = dep.boot('stopped-vm')
    assert dep.action(stopped['id'], {'os-stop': None}).status_code == 202
    dep.settle(stopped['id'], 'SHUTOFF')
    resp = _remote(dep, stopped['id'], 'serial', 'serial')
    assert resp.status_code == 409
    assert 'is not ready' in \
        resp.json()['conflictingRequest']['message']


def test_serial_proxy_relays_once_per_token(dep, server):
    url = _serial_url(dep, server['id'])
    token = consoles.token_of(url)
    # The admin look-up (2.31) leaves the token usable.
    resp = dep.request('GET', '/v2.1/os-console-auth-tokens/%s' % token,
                       headers={'OpenStack-API-Version': 'compute 2.31'})
    assert resp.status_code == 200, resp.text
    looked = resp.json()['console']
    assert looked['instance_uuid'] == server['id']
    assert looked['host'] == '127.0.0.1' and looked['port'] > 0
    ws = wsclient.WebSocket(url, origin='http://127.0.0.1:8774')
    try:
        ws.send(b'echo hello\r')
        assert ws.read_until(b'hello\r') == b'echo hello\r'
    finally:
        ws.close()
    with pytest.raises(wsclient.HandshakeRefused) as refused:
        wsclient.WebSocket(url)
    assert refused.value.status == 401
    assert dep.request('GET', '/v2.1/os-console-auth-tokens/%s' % token,
                       headers={'OpenStack-API-Version': 'compute 2.31'}
                       ).status_code == 404


def test_a_serial_token_does_not_open_vnc_and_origins_are_checked(dep,
                                                                  server):
    url = _serial_url(dep, server['id'])
    vnc = _remote(dep, server['id'], 'vnc', 'novnc').json()[
        'remote_console']['url']
    novnc_ws = consoles.websocket_url(vnc).split('?')[0]
    with pytest.raises(wsclient.HandshakeRefused) as refused:
        wsclient.WebSocket(novnc_ws + '?token=' + consoles.token_of(url))
    assert refused.value.status == 401
    # Spent by that try: the proxy asked the conductor, which deleted it
    # before it saw the type.
    fresh = _serial_url(dep, server['id'])
    with pytest.raises(wsclient.HandshakeRefused) as refused:
        wsclient.WebSocket(fresh, origin='http://evil.example')
    assert refused.value.status == 403
    # Refused on its origin, the token was not spent.
    ws = wsclient.WebSocket(fresh)
    ws.close()


def test_novnc_proxy_reaches_the_vnc_server(dep, server):
    resp = _remote(dep, server['id'], 'vnc', 'novnc')
    ws = wsclient.WebSocket(consoles.websocket_url(
        resp.json()['remote_console']['url']))
    try:
        assert ws.read_until(b'\n').startswith(b'RFB 003.')
    finally:
        ws.close()


def test_tokens_expire(dep, server):
    url = _serial_url(dep, server['id'])
    time.sleep(TTL + 1)
    with pytest.raises(wsclient.HandshakeRefused) as refused:
        wsclient.WebSocket(url)
    assert refused.value.status == 401
