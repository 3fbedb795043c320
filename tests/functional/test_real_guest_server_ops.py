"""Snapshot and resize proven inside a real guest (QEMU TCG via libvirtd).

One compute on qemu:///system with nova-serialproxy beside it. What the
test types through the serial console (a websocket through the proxy to
the guest's TCP serial port) runs in the guest's /init read/eval loop
(guest_image.py), and its answer comes back on the same socket:

- createImage: the first guest writes a mark unique to this run at the
  start of its root disk (/dev/vda, synced), the server is snapshotted
  while running, a second server boots from the snapshot (its kernel and
  initramfs found through the properties the snapshot inherited) and
  reads the same mark back from its own /dev/vda.
- resize to a flavor with twice the RAM (to the same host:
  allow_resize_to_same_host): the domain is defined with the new memory
  and the guest's /proc/meminfo MemTotal grows by about as much; confirm
  keeps it. Needs what test_real_guest.py needs (it skips without).
"""

import re
import time
import uuid
import xml.etree.ElementTree as ET

import pytest

from nova_console import wsclient
from tests.functional import consoles
from tests.functional import test_real_guest as real

guest = real.guest
image = real.image
MEMTOTAL = re.compile(rb'MemTotal:\s+(\d+) kB')


@pytest.fixture(scope='module')
def dep(guest):
    conf, serial, novnc = consoles.proxy_conf()
    conf += '[DEFAULT]\nallow_resize_to_same_host = True\n'
    with real.serving(libvirt_conf=conf) as d:
        consoles.start_proxies(d, (serial, novnc))
        resp = d.request('POST', '/v2.1/flavors', json={'flavor': {
            'name': 'guest.big', 'id': 'guest-big', 'ram': 512,
            'vcpus': 1, 'disk': 1}})
        assert resp.status_code == 200, resp.text
        yield d


def _run(dep, server_id, command, done):
    """Type `command` into the guest's serial console, followed by an
    echo of a sum only the shell can compute; what came back after the
    typed line once that answer arrived."""
    answer = 'DONE-%d' % (done + 42)
    typed = '%s; echo DONE-$((%d+42))' % (command, done)
    ws = wsclient.WebSocket(consoles.console_url(dep, server_id),
                            timeout=30)
    try:
        ws.send(typed.encode() + b'\r')
        got = ws.read_until(answer.encode())
    finally:
        ws.close()
    assert answer.encode() in got, got
    # The terminal echoes the typed line first; the answer follows it.
    return got[got.index(b'+42))') + 5:]


def _mem_kib(server_id):
    xml = real.libvirtd.virsh('dumpxml', 'instance-%s' % server_id).stdout
    return int(ET.fromstring(xml).find('memory').text)


def _memtotal(dep, server_id, n):
    out = _run(dep, server_id, 'grep MemTotal /proc/meminfo', n)
    found = MEMTOTAL.findall(out)
    assert found, out
    return int(found[-1])


def _image_active(dep, image_id, timeout=120):
    deadline = time.monotonic() + timeout
    while True:
        got = dep.request('GET', '/image/v2/images/%s' % image_id).json()
        if got['status'] == 'active':
            return got
        assert got['status'] in ('queued', 'saving'), got
        assert time.monotonic() < deadline, got
        time.sleep(0.25)


def test_a_snapshot_of_a_running_guest_boots_with_its_disk(dep, image):
    image, kernel, ramdisk = image
    first = real._create(dep, image['id'])['id']
    real._wait_boot(dep, first, set())
    mark = 'SNAPSHOT-MARK-%s' % uuid.uuid4().hex
    out = _run(dep, first, "printf '%s' | dd of=/dev/vda bs=512 count=1 "
               "conv=sync,fsync 2>/dev/null && echo WROTE-OK" % mark, 1)
    assert b'WROTE-OK' in out, out

    started = time.monotonic()
    resp = real._action(dep, first, {'createImage': {
        'name': 'guest-snapshot'}})
    assert resp.status_code == 202, resp.text
    snap_id = resp.headers['Location'].rsplit('/', 1)[1] \
        if 'Location' in resp.headers else resp.json()['image_id']
    snap = _image_active(dep, snap_id)
    real._settle(dep, first, 'ACTIVE')
    print('real guest: createImage %.2f s (request to image active)' %
          (time.monotonic() - started))
    assert (snap['image_type'], snap['instance_uuid']) == ('snapshot',
                                                           first)
    # The direct kernel boot properties came along.
    assert (snap['kernel_id'], snap['ramdisk_id']) == (
        kernel['id'], ramdisk['id'])
    # The running guest was paused only for the copy.
    assert real._domstate(first) == 'running'

    second = real._create(dep, snap_id)['id']
    real._wait_boot(dep, second, set())
    out = _run(dep, second, "dd if=/dev/vda bs=512 count=1 2>/dev/null | "
               "tr -d '\\000'; echo", 2)
    assert mark.encode() in out, out
    for server_id in (second, first):
        real._delete(dep, server_id)
    assert dep.request('DELETE', '/image/v2/images/%s' %
                       snap_id).status_code == 204


def test_resize_gives_the_guest_more_memory(dep, image):
    server_id = real._create(dep, image[0]['id'])['id']
    boots = set()
    real._wait_boot(dep, server_id, boots)
    assert _mem_kib(server_id) == 256 * 1024
    before = _memtotal(dep, server_id, 3)

    started = time.monotonic()
    resp = real._action(dep, server_id, {'resize': {'flavorRef':
                                                    'guest-big'}})
    assert resp.status_code == 202, resp.text
    server = real._settle(dep, server_id, 'VERIFY_RESIZE', timeout=120)
    print('real guest: resize %.2f s (request to VERIFY_RESIZE)' %
          (time.monotonic() - started))
    assert server['flavor']['id'] == 'guest-big'
    assert real._domstate(server_id) == 'running'
    assert _mem_kib(server_id) == 512 * 1024
    real._wait_boot(dep, server_id, boots)
    after = _memtotal(dep, server_id, 4)
    print('real guest: MemTotal %d kB -> %d kB' % (before, after))
    # 256 MiB more for the guest; the kernel keeps a little of it.
    assert 200 * 1024 < after - before <= 256 * 1024, (before, after)

    assert real._action(dep, server_id, {'confirmResize': None}
                        ).status_code == 204
    real._settle(dep, server_id, 'ACTIVE')
    assert _mem_kib(server_id) == 512 * 1024
    assert _memtotal(dep, server_id, 5) == after
    real._delete(dep, server_id)
