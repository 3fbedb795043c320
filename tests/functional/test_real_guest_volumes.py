"""A real guest (QEMU TCG through libvirtd) on Cinder volumes in the
session's Ceph: it boots from a volume made from the guest image,
sees a data volume attached while it runs, keeps what it wrote on both
through an evacuation to another host, and loses the data volume on
detach.

The two compute hosts share the one libvirtd (and instances_path): the
source host's death is its compute killed and its domain destroyed and
undefined with it (what a host's power loss leaves: nothing the new host
could find). The guest of guest_image.py prints each volume it sees
(size, serial) and writes a mark at the start of a blank one, or prints
the mark it finds: the console, read through the API, tells what the
guest itself read and wrote.

Uses the guest, image and helpers of test_real_guest.py and Cinder as
test_volumes.py speaks it; skips (or fails under
NOVA_TEST_REQUIRE_SERVICES=1) as those do.
"""

import os
import time
import xml.etree.ElementTree as ET

import pytest

from tests.functional import block_storage
from tests.functional import guest_image
from tests.functional import libvirtd
from tests.functional import test_real_guest as real
from tests.functional import test_real_guest_rbd
from tests.functional import test_volumes

GiB = 1 << 30
VERSION = test_volumes.VERSION
# Fixtures shared with test_real_guest.py and test_volumes.py.
guest = real.guest
image = real.image
volumes = test_volumes.volumes


@pytest.fixture(scope='module')
def dep(guest, ceph_cinder):
    d = block_storage.deployment_on(ceph_cinder.cinder,
                                    compute_hosts=('compute1', 'compute2'))
    d.pool = ceph_cinder.cinder.pool
    with test_real_guest_rbd.serving_on(ceph_cinder.ceph, d=d):
        yield d


def _serial(volume_id):
    """The serial a guest sees of a volume: virtio-blk keeps 20 bytes of
    the id libvirt gives."""
    return volume_id[:20]


def _wait_volume_line(dep, server_id, dev, what):
    """The VOLUME line of `dev` starting with `what` the guest's last
    boot printed, once it did."""
    deadline = time.monotonic() + real.BOOT_TIMEOUT
    output = ''
    while time.monotonic() < deadline:
        output = real._console(dep, server_id)
        for line_dev, text in guest_image.volume_report(output):
            if line_dev == dev and text.startswith(what):
                return text
        time.sleep(0.2)
    raise AssertionError('no "VOLUME dev=%s %s" on the console of %s; it '
                         'ends with:\n%s\n%s' % (dev, what, server_id,
                                                 output[-3000:], dep.logs()))


def _network_disks(server_id, inactive=False):
    """{target: (rbd image, secret uuid, serial)} of the domain's network
    disks, live or (inactive) as it is defined."""
    args = ['dumpxml', 'instance-%s' % server_id]
    if inactive:
        args.insert(1, '--inactive')
    proc = libvirtd.virsh(*args)
    assert proc.returncode == 0, proc.stderr
    return {d.find('target').get('dev'): (
        d.find('source').get('name'), d.find('auth/secret').get('uuid'),
        d.findtext('serial'))
        for d in ET.fromstring(proc.stdout).findall('./devices/disk')
        if d.get('type') == 'network'}


def _blocks(server_id):
    """The live domain's (target, source) block devices."""
    proc = libvirtd.virsh('domblklist', 'instance-%s' % server_id)
    assert proc.returncode == 0, proc.stderr
    return [tuple(line.split()) for line in proc.stdout.splitlines()[2:]
            if line.strip()]


def _rbd_head(dep, volume_id, length=200):
    """The first bytes of a volume's RBD image as qemu-io reads them."""
    out = test_volumes._qemu_io(dep.ceph, '%s/volume-%s' % (dep.pool,
                                                            volume_id),
                                'read -v 0 %d' % length)
    data = bytearray()
    for line in out.splitlines():
        # "00000000:  4e 4f 56 41 ...  NOVA...": the hex bytes, up to the
        # two spaces before the text.
        if len(line) > 10 and line[8] == ':':
            data += bytes.fromhex(line[10:].split('  ')[0])
    return bytes(data).rstrip(b'\0').decode()


def _attachment_hosts(volumes, volume_id):
    volume = volumes.get(volume_id)
    assert volume['status'] == 'in-use', volume
    return [(a['server_id'], a['host_name']) for a in volume['attachments']]


def _evacuate(dep, server_id, source):
    """Force the dead source's service down, evacuate (2.14, the
    scheduler picks the host); the server as it ends."""
    resp = dep.request('PUT', '/v2.1/os-services/force-down',
                       headers={'X-OpenStack-Nova-API-Version': '2.11'},
                       json={'host': source, 'binary': 'nova-compute',
                             'forced_down': True})
    assert resp.status_code == 200, resp.text
    resp = dep.request('POST', '/v2.1/servers/%s/action' % server_id,
                       headers={'X-OpenStack-Nova-API-Version': '2.14'},
                       json={'evacuate': {}})
    assert resp.status_code == 200, resp.text
    deadline = time.monotonic() + real.BOOT_TIMEOUT
    while time.monotonic() < deadline:
        server = dep.request('GET', '/v2.1/servers/%s' % server_id,
                             headers=VERSION).json()['server']
        if server['status'] != 'REBUILD' and \
                server['OS-EXT-SRV-ATTR:host'] != source:
            return server
        time.sleep(0.2)
    raise AssertionError('evacuation of %s did not end: %s\n%s' % (
        server_id, server, dep.logs()))


def test_a_real_guest_on_volumes_boots_attaches_evacuates_detaches(
        dep, image, volumes, capsys):
    disk, kernel, _ramdisk = image
    source, target = dep.compute_hosts
    figures = {}

    # -- boot from a new volume made from the guest image -----------------
    start = time.monotonic()
    server = real._create(
        dep, '', availability_zone='nova:%s' % source,
        block_device_mapping_v2=[{
            'source_type': 'image', 'destination_type': 'volume',
            'uuid': disk['id'], 'boot_index': 0, 'volume_size': 1,
            'delete_on_termination': True}])
    figures['API -> ACTIVE'] = time.monotonic() - start
    server_id = server['id']
    boot_id = real._wait_boot(dep, server_id, set())
    figures['API -> guest booted'] = time.monotonic() - start
    [root] = [v['id'] for v in
              dep.request('GET', '/v2.1/servers/%s' % server_id,
                          headers=VERSION).json()['server'][
                  'os-extended-volumes:volumes_attached']]
    assert _attachment_hosts(volumes, root) == [(server_id, source)]
    # Its first disk is the volume, over librbd with the host's secret;
    # the kernel and initramfs come from the image's properties; no local
    # root disk.
    assert _network_disks(server_id) == {
        'vda': ('%s/volume-%s' % (dep.pool, root), dep.secret_uuid, root)}
    xml = libvirtd.virsh('dumpxml', 'instance-%s' % server_id).stdout
    assert '<kernel>%s</kernel>' % os.path.join(
        dep.instances_path, '_base', kernel['id']) in xml
    assert not os.path.exists(os.path.join(dep.instances_path, server_id,
                                           'disk'))
    # The guest reads it: 1 GiB, the volume's id as serial; blank (the
    # image is), so the guest marks it.
    assert _wait_volume_line(dep, server_id, 'vda', 'serial=') == \
        'serial=%s sectors=%d' % (_serial(root), GiB // 512)
    root_mark = '%s serial=%s boot_id=%s' % (guest_image.VOLUME_MARK,
                                             _serial(root), boot_id)
    assert _wait_volume_line(dep, server_id, 'vda', 'wrote=') == \
        'wrote=' + root_mark

    # -- attach a blank data volume to the running guest ------------------
    data = volumes.create(name='data')['id']
    start = time.monotonic()
    resp = dep.request(
        'POST', '/v2.1/servers/%s/os-volume_attachments' % server_id,
        headers=VERSION, json={'volumeAttachment': {'volumeId': data}})
    figures['attach API answer'] = time.monotonic() - start
    assert resp.status_code == 200, resp.text
    assert resp.json()['volumeAttachment']['device'] == '/dev/vdb'
    assert _wait_volume_line(dep, server_id, 'vdb', 'serial=') == \
        'serial=%s sectors=%d' % (_serial(data), GiB // 512)
    figures['attach -> guest sees vdb'] = time.monotonic() - start
    data_mark = '%s serial=%s boot_id=%s' % (guest_image.VOLUME_MARK,
                                             _serial(data), boot_id)
    assert _wait_volume_line(dep, server_id, 'vdb', 'wrote=') == \
        'wrote=' + data_mark
    assert _attachment_hosts(volumes, data) == [(server_id, source)]
    # Live and in the definition, so a restart of the guest keeps it.
    for inactive in (False, True):
        assert _network_disks(server_id, inactive)['vdb'] == (
            '%s/volume-%s' % (dep.pool, data), dep.secret_uuid, data)

    # -- the source host dies; evacuate to the other ----------------------
    dep.kill(source)
    # Its libvirt goes with it: nothing of the guest is left to find.
    libvirtd.virsh('destroy', 'instance-%s' % server_id)
    undefined = libvirtd.virsh('undefine', 'instance-%s' % server_id)
    assert undefined.returncode == 0, undefined.stderr
    start = time.monotonic()
    server = _evacuate(dep, server_id, source)
    figures['evacuate -> ACTIVE'] = time.monotonic() - start
    assert server['status'] == 'ACTIVE', server
    assert server['OS-EXT-SRV-ATTR:host'] == target
    assert sorted(v['id'] for v in
                  server['os-extended-volumes:volumes_attached']) == \
        sorted([root, data])
    assert real._domstate(server_id) == 'running'
    new_boot = real._wait_boot(dep, server_id, {boot_id})
    figures['evacuate -> guest booted'] = time.monotonic() - start
    # The new guest finds what the old one wrote, on both volumes.
    assert _wait_volume_line(dep, server_id, 'vda', 'found=') == \
        'found=' + root_mark
    assert _wait_volume_line(dep, server_id, 'vdb', 'found=') == \
        'found=' + data_mark
    assert new_boot != boot_id
    for volume_id in (root, data):
        assert _attachment_hosts(volumes, volume_id) == [(server_id,
                                                          target)]
    assert sorted(_network_disks(server_id)) == ['vda', 'vdb']

    # -- detach the data volume -------------------------------------------
    start = time.monotonic()
    resp = dep.request('DELETE', '/v2.1/servers/%s/os-volume_attachments/%s'
                       % (server_id, data), headers=VERSION)
    assert resp.status_code == 202, resp.text
    assert volumes.wait(data, 'available')['attachments'] == []
    figures['detach -> available'] = time.monotonic() - start
    assert [b[0] for b in _blocks(server_id)] == ['vda']
    assert sorted(_network_disks(server_id, inactive=True)) == ['vda']
    assert _wait_volume_line(dep, server_id, 'vdb', 'gone') == 'gone'
    # What the guest wrote is in Ceph, read without it.
    assert _rbd_head(dep, data) == data_mark

    real._delete(dep, server_id)
    volumes.wait(root, None)
    volumes.request('DELETE', '/volumes/%s' % data)
    with capsys.disabled():
        print('\nreal guest on volumes: ' + ', '.join(
            '%s %.1f s' % item for item in figures.items()))
