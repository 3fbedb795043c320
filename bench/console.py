"""Remote console benchmark, on the libvirt test driver.

Starts nova-api, nova-conductor, nova-scheduler, two nova-compute
(libvirt test driver) on RabbitMQ and PostgreSQL, and nova-serialproxy
and nova-novncproxy (tests/functional: the fixtures the tests use). Then,
one at a time so each figure is one operation's latency:

- boot (the baseline, same run): API POST -> ACTIVE;
- console output (os-getConsoleOutput, the other read that goes API ->
  conductor -> compute and back): the request;
- remote console create (POST /servers/{id}/remote-consoles, serial):
  the request, which makes and stores a token;
- websocket first bytes: from the websocket's connect to the serial
  proxy (the token spent by the conductor, the TCP connection to the
  simulated guest's serial port made) until the first bytes typed come
  back through it (the stand-in echoes them);
- the same through nova-novncproxy until the VNC greeting arrives.

    python bench/console.py [--count 20]

Prints p50/p95 per phase.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.boot import percentile  # noqa: E402
from nova_console import wsclient  # noqa: E402
from tests.functional import consoles  # noqa: E402
from tests.functional import deployment as deployment_mod  # noqa: E402


def timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def boot(dep, name):
    resp = dep.request('POST', '/v2.1/servers', json={'server': {
        'name': name, 'flavorRef': '1', 'imageRef': dep.image['id'],
        'networks': 'none'}})
    assert resp.status_code == 202, resp.text
    server = dep.wait_for_server(resp.json()['server']['id'])
    assert server['status'] == 'ACTIVE', server
    return server


def console_output(dep, server_id):
    resp = dep.action(server_id, {'os-getConsoleOutput': {'length': 10}})
    assert resp.status_code == 200, resp.text


def remote_console(dep, server_id, protocol='serial', kind='serial'):
    return consoles.console_url(dep, server_id, protocol, kind)


def serial_first_bytes(url):
    ws = wsclient.WebSocket(url)
    try:
        ws.send(b'x\r')
        assert ws.read_until(b'x\r') == b'x\r'
    finally:
        ws.close()


def vnc_first_bytes(url):
    ws = wsclient.WebSocket(consoles.websocket_url(url))
    try:
        assert ws.read_until(b'\n').startswith(b'RFB 003.')
    finally:
        ws.close()


def report(name, values):
    print('%-34s p50 %7.1f ms   p95 %7.1f ms   (n=%d)' % (
        name, percentile(values, 50) * 1000, percentile(values, 95) * 1000,
        len(values)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--count', type=int, default=20)
    args = parser.parse_args()
    conf, serial, novnc = consoles.proxy_conf()
    dep = deployment_mod.Deployment(
        'postgresql', extra_conf=conf + '[quota]\ninstances = -1\n'
        'cores = -1\nram = -1\n', host_vcpus=64, host_memory_mb=65536)
    dep.start()
    try:
        consoles.start_proxies(dep, (serial, novnc))
        boots = []
        servers = []
        for i in range(args.count):
            took, server = timed(lambda: boot(dep, 'bench-%d' % i))
            boots.append(took)
            servers.append(server)
        server_id = servers[0]['id']
        # One of each first, so no figure holds a first connection's cost.
        console_output(dep, server_id)
        serial_first_bytes(remote_console(dep, server_id))
        outputs, creates, serial_bytes, vnc_bytes = [], [], [], []
        for server in servers:
            outputs.append(timed(
                lambda: console_output(dep, server['id']))[0])
            took, url = timed(lambda: remote_console(dep, server['id']))
            creates.append(took)
            serial_bytes.append(timed(lambda: serial_first_bytes(url))[0])
            url = remote_console(dep, server['id'], 'vnc', 'novnc')
            vnc_bytes.append(timed(lambda: vnc_first_bytes(url))[0])
        report('boot (baseline)', boots)
        report('console output', outputs)
        report('remote console create (serial)', creates)
        report('websocket first bytes (serial)', serial_bytes)
        report('websocket first bytes (noVNC)', vnc_bytes)
    finally:
        dep.stop()


if __name__ == '__main__':
    main()
