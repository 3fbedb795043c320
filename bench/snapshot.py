"""Snapshot and shelving benchmark on the libvirt test driver.

nova-api, -conductor, -scheduler and two nova-compute (test driver, which
fetch every image over HTTP as in tests/functional/test_snapshot.py) on
RabbitMQ and PostgreSQL. One operation at a time, so each figure is one
operation's latency:

- boot (the baseline, same run): API POST -> ACTIVE;
- createImage: POST -> image active and the server settled (task None);
- createBackup (rotation 2): the same, its rotation included;
- shelve with shelved_offload_time 0: POST -> SHELVED_OFFLOADED settled;
- unshelve of the offloaded server: POST -> ACTIVE settled (scheduled,
  claimed, spawned from the shelved image, which is then deleted).

    python bench/snapshot.py [--count 20]

Prints p50/p95 per phase and the whole machine's CPU seconds per
operation (/proc/stat).
"""

import argparse
import os
import sys
import textwrap
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import phases  # noqa: E402
from tests.functional import deployment as deployment_mod  # noqa: E402

CONF = textwrap.dedent('''\
    [DEFAULT]
    shutdown_timeout = 0
    shelved_offload_time = 0
    [glance]
    copy_from_local_store = false
    [libvirt]
    test_node_fetch_images = true
    [quota]
    instances = -1
    cores = -1
    ram = -1
    ''')
V245 = '2.45'
timed = phases.timed


def _headers():
    return {'OpenStack-API-Version': 'compute ' + V245}


def _image_active(dep, image_id, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dep.request('GET', '/image/v2/images/%s' % image_id).json()[
                'status'] == 'active':
            return
        time.sleep(0.01)
    raise AssertionError('image %s never active' % image_id)


def _snapshot(dep, server_id, body):
    resp = dep.action(server_id, body, headers=_headers())
    assert resp.status_code == 202, resp.text
    _image_active(dep, resp.json()['image_id'])
    dep.settle(server_id, 'ACTIVE', timeout=60)
    return resp.json()['image_id']


def _shelve(dep, server_id):
    assert dep.action(server_id, {'shelve': None}).status_code == 202
    dep.settle(server_id, 'SHELVED_OFFLOADED', timeout=60)


def _unshelve(dep, server_id):
    assert dep.action(server_id, {'unshelve': None}).status_code == 202
    dep.settle(server_id, 'ACTIVE', timeout=60)


def run(dep, count):
    results = {}
    servers = []
    for i in range(count):
        servers.append(timed('boot', results, lambda: dep.boot(
            'bench-%d' % i, networks='none'))['id'])
    server = servers[0]
    images = []
    for i in range(count):
        images.append(timed('createImage', results, lambda: _snapshot(
            dep, server, {'createImage': {'name': 'snap-%d' % i}})))
    for i in range(count):
        timed('createBackup (rotation 2)', results, lambda: _snapshot(
            dep, server, {'createBackup': {'name': 'bk-%d' % i,
                                           'backup_type': 'daily',
                                           'rotation': 2}}))
    for server_id in servers:
        timed('shelve (offload at once)', results,
              lambda: _shelve(dep, server_id))
        timed('unshelve (offloaded)', results,
              lambda: _unshelve(dep, server_id))
    for server_id in servers:
        dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    for image_id in images:
        dep.request('DELETE', '/image/v2/images/%s' % image_id)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--count', type=int, default=20)
    args = parser.parse_args()
    dep = deployment_mod.Deployment('postgresql', extra_conf=CONF,
                                    host_vcpus=64, host_memory_mb=65536)
    try:
        dep.start()
        results = run(dep, args.count)
    finally:
        dep.stop()
    phases.print_table(results)


if __name__ == '__main__':
    main()
