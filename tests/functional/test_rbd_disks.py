"""[libvirt] images_type = rbd over the real daemons and the session's
Ceph: a server's disks are RBD images in the `vms` pool, an evacuation
keeps the root disk's data, and a delete removes them.

Guests are simulated (test:///); their disks are made in Ceph all the
same, so what is checked is what a real guest would boot from.
"""

import json
import random
import subprocess
import time

import pytest

from nova_compute.virt.libvirt import rbd_disks
from tests.functional import deployment as deployment_mod

GiB = 1 << 30


@pytest.fixture(scope='module')
def dep(ceph_cinder):
    ceph = ceph_cinder.ceph
    d = deployment_mod.Deployment('postgresql', extra_conf=(
        '[libvirt]\nimages_type = rbd\nimages_rbd_pool = vms\n'
        'images_rbd_ceph_conf = %s\nrbd_user = %s\n' % (ceph.conf,
                                                        ceph.client)))
    d.start()
    d.ceph = ceph
    yield d
    d.stop()


def _images_of(ceph, server_id):
    return sorted(i for i in ceph.rbd_images('vms') if i.startswith(server_id))


def _size(ceph, name):
    return json.loads(ceph.rbd('info', '--format', 'json', 'vms/' + name))[
        'size']


def _qemu_io(ceph, name, command):
    """A qemu-io command on vms/<name> through librbd, as the compute's
    cephx user; its output."""
    target = 'rbd:vms/%s:id=%s:conf=%s' % (name, ceph.client, ceph.conf)
    done = subprocess.run(['qemu-io', '-f', 'raw', '-c', command, target],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def _delete(dep, server_id):
    """Delete the server; assert its RBD images went with it."""
    resp = dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    assert resp.status_code == 204, resp.text
    dep.wait_gone(server_id)
    assert _images_of(dep.ceph, server_id) == []


def test_an_evacuated_server_keeps_its_rbd_root_disk(dep):
    ceph = dep.ceph
    source = dep.compute_hosts[0]
    server = dep.boot('rbd-evacuee', availability_zone='nova:%s' % source)
    server_id = server['id']
    root = rbd_disks.disk_name(server_id)
    # m1.tiny: a 1 GB root disk, no ephemeral one.
    assert _images_of(ceph, server_id) == [root]
    assert _size(ceph, root) == GiB

    # The guest's data: written through Ceph, not by any compute.
    pattern = '0x%02x' % random.randint(1, 255)
    _qemu_io(ceph, root, 'write -P %s 1M 64k' % pattern)

    dep.kill(source)
    deadline = time.monotonic() + 30
    while True:
        resp = dep.action(server_id, {'evacuate': {
            'onSharedStorage': False}})
        # 409 until the dead host's service is seen down.
        if resp.status_code != 409 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert resp.status_code == 200, resp.text
    after = dep.settle(server_id, 'ACTIVE')
    [target] = [h for h in dep.compute_hosts if h != source]
    assert after['OS-EXT-SRV-ATTR:host'] == target
    assert _images_of(ceph, server_id) == [root]
    read = _qemu_io(ceph, root, 'read -P %s 1M 64k' % pattern)
    assert 'read 65536/65536 bytes' in read, read
    assert 'Pattern verification failed' not in read, read
    assert 'Re-using RBD disk vms/%s' % root in dep.log(target)

    # (The dead host, back, destroys its stale domain with its disks
    # kept: recovery.py; a simulated node forgets its domains when it
    # dies, so that is unit-tested.)
    _delete(dep, server_id)


def test_root_and_ephemeral_disks_take_the_flavor_sizes_until_deleted(dep):
    ceph = dep.ceph
    resp = dep.request('POST', '/v2.1/flavors', json={'flavor': {
        'name': 'rbd-eph', 'id': 'rbd-eph', 'ram': 64, 'vcpus': 1,
        'disk': 2, 'OS-FLV-EXT-DATA:ephemeral': 1}})
    assert resp.status_code == 200, resp.text
    server_id = dep.boot('rbd-eph', flavorRef='rbd-eph')['id']
    root = rbd_disks.disk_name(server_id)
    local = rbd_disks.disk_name(server_id, rbd_disks.EPHEMERAL)
    assert _images_of(ceph, server_id) == [root, local]
    assert (_size(ceph, root), _size(ceph, local)) == (2 * GiB, GiB)

    _delete(dep, server_id)


def test_what_libvirt_is_told_comes_from_the_real_ceph_conf(ceph_cinder):
    ceph = ceph_cinder.ceph
    disks = rbd_disks.RbdDisks('vms', ceph.conf, ceph.client)
    assert disks.monitors() == ([ceph.mon_host], [str(ceph.mon_port)])
    assert disks.client_key() == ceph.client_key
