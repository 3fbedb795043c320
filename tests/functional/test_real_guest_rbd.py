"""A real guest (QEMU TCG through libvirtd) whose root disk is an RBD
image in the session's Ceph ([libvirt] images_type = rbd): the compute
defines the ceph secret from the keyring, and QEMU opens the disk over
the network with it.

Uses the guest, image and helpers of test_real_guest.py, and skips (or
fails under NOVA_TEST_REQUIRE_SERVICES=1) as that does.
"""

import contextlib
import uuid
import xml.etree.ElementTree as ET

import pytest

from nova_compute.virt.libvirt import rbd_disks
from tests.functional import libvirtd
from tests.functional import test_real_guest

GiB = 1 << 30
# Fixtures shared with test_real_guest.py, for this module's `dep`.
guest = test_real_guest.guest
image = test_real_guest.image


@contextlib.contextmanager
def serving_on(ceph, libvirt_conf='', d=None):
    """test_real_guest.serving with these [libvirt] lines, its computes
    connecting to `ceph` as its client with a fresh secret (d.ceph,
    d.secret_uuid), which goes from libvirtd after."""
    secret_uuid = str(uuid.uuid4())
    try:
        with test_real_guest.serving(
                libvirt_conf + 'images_rbd_ceph_conf = %s\nrbd_user = %s\n'
                'rbd_secret_uuid = %s\n' % (ceph.conf, ceph.client,
                                            secret_uuid), d) as d:
            d.ceph, d.secret_uuid = ceph, secret_uuid
            yield d
    finally:
        # The computes defined it in libvirtd, which outlives the test.
        libvirtd.virsh('secret-undefine', secret_uuid)


@pytest.fixture(scope='module')
def dep(guest, ceph_cinder):
    with serving_on(ceph_cinder.ceph,
                    'images_type = rbd\nimages_rbd_pool = vms\n') as d:
        yield d


def test_a_real_guest_boots_with_its_root_disk_in_ceph(dep, image):
    disk, _kernel, _ramdisk = image
    server = test_real_guest._create(dep, disk['id'])
    server_id = server['id']
    test_real_guest._wait_boot(dep, server_id, set())
    root = rbd_disks.disk_name(server_id)
    assert root in dep.ceph.rbd_images('vms')

    xml = ET.fromstring(libvirtd.virsh(
        'dumpxml', 'instance-%s' % server_id).stdout)
    [vda] = [d for d in xml.findall('./devices/disk')
             if d.find('target').get('dev') == 'vda']
    assert vda.get('type') == 'network'
    assert vda.find('source').get('name') == 'vms/' + root
    assert vda.find('source/host').get('port') == str(dep.ceph.mon_port)
    assert vda.find('auth/secret').get('uuid') == dep.secret_uuid
    # QEMU opened the image through librbd with the secret's key: it
    # knows its size.
    info = libvirtd.virsh('domblkinfo', 'instance-%s' % server_id, 'vda')
    assert info.returncode == 0, info.stderr
    assert 'Capacity:       %d' % GiB in info.stdout, info.stdout
    usage = libvirtd.virsh('secret-list')
    assert dep.secret_uuid in usage.stdout
    assert 'client.%s secret' % dep.ceph.client in usage.stdout

    test_real_guest._delete(dep, server_id)
    assert [i for i in dep.ceph.rbd_images('vms')
            if i.startswith(server_id)] == []
