"""Volume benchmark: boot from volume, and attach/detach, on real Cinder.

Starts a single-node Ceph and a Cinder on it (tests/functional: the
same fixtures the tests use), and nova-api, -conductor, -scheduler and
two nova-compute (libvirt test driver) on RabbitMQ and PostgreSQL. Then,
one at a time so each figure is one operation's latency:

- boot from image (the baseline, same run): API POST -> ACTIVE;
- boot from a new volume made from the image (block_device_mapping_v2
  image -> volume, delete_on_termination): API POST -> ACTIVE; Cinder
  copies the image into the volume, which is most of it;
- Cinder's own volume create from the image -> available (the floor the
  boot from volume stands on);
- attach of an available volume (POST os-volume_attachments, answered
  when attached) and detach (DELETE, until Cinder shows it available).

    python bench/volumes.py [--count 10]

Prints p50/p95 per phase and the whole machine's CPU seconds per
operation (/proc/stat: Ceph and Cinder count too).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.phases import print_table  # noqa: E402
from bench.phases import timed as _timed  # noqa: E402
from tests.functional import block_storage  # noqa: E402
from tests.functional import test_volumes  # noqa: E402


def _boot(dep, body):
    resp = dep.request('POST', '/v2.1/servers', json={'server': body})
    assert resp.status_code == 202, resp.text
    server = dep.wait_for_server(resp.json()['server']['id'], timeout=120)
    assert server['status'] == 'ACTIVE', server.get('fault')
    return server


def _delete(dep, server_id):
    assert dep.request('DELETE', '/v2.1/servers/%s'
                       % server_id).status_code == 204
    dep.wait_gone(server_id, timeout=120)


def run(dep, volumes, count):
    results = {}
    image = dep.image['id']
    base = {'flavorRef': '1', 'networks': 'none'}
    for i in range(count):
        server = _timed('boot from image', results, lambda: _boot(
            dep, dict(base, name='img-%d' % i, imageRef=image)))
        _delete(dep, server['id'])
    for i in range(count):
        server = _timed('boot from new volume', results, lambda: _boot(
            dep, dict(base, name='bfv-%d' % i, imageRef='',
                      block_device_mapping_v2=[{
                          'source_type': 'image',
                          'destination_type': 'volume', 'uuid': image,
                          'boot_index': 0, 'volume_size': 1,
                          'delete_on_termination': True}])))
        _delete(dep, server['id'])
    for i in range(count):
        made = _timed('cinder volume create from image', results,
                      lambda: volumes.create(image_id=image, name='c%d' % i))
        volumes.request('DELETE', '/volumes/%s' % made['id'])
    server = _boot(dep, dict(base, name='host', imageRef=image))
    data = volumes.create(name='data')
    path = '/v2.1/servers/%s/os-volume_attachments' % server['id']
    for _ in range(count):
        resp = _timed('attach', results, lambda: dep.request(
            'POST', path, json={'volumeAttachment': {
                'volumeId': data['id']}}))
        assert resp.status_code == 200, resp.text

        def detach():
            resp = dep.request('DELETE', '%s/%s' % (path, data['id']))
            assert resp.status_code == 202, resp.text
            volumes.wait(data['id'], 'available')
        _timed('detach', results, detach)
    _delete(dep, server['id'])
    volumes.request('DELETE', '/volumes/%s' % data['id'])
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--count', type=int, default=10)
    args = parser.parse_args()
    storage = block_storage.start()
    cinder = storage.cinder
    dep = block_storage.deployment_on(cinder)
    try:
        dep.start()
        results = run(dep, test_volumes.Volumes(cinder), args.count)
    finally:
        dep.stop()
        storage.stop()
    print_table(results)


if __name__ == '__main__':
    main()
