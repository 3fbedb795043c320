"""Snapshot and shelving of a real guest under QEMU (TCG), on
qemu:///system: the running guest is paused only for the copy, the
snapshot boots (its kernel_id/ramdisk_id inherited from the source
image), and a shelved-offloaded guest boots again from its shelved image.

The deployment, guest image and helpers are test_real_guest.py's; the
same needs apply (a missing piece skips).
"""

import time

from tests.functional import libvirtd
from tests.functional import test_real_guest as real
from tests.functional.test_real_guest import dep, guest, image  # noqa: F401

V245 = {'OpenStack-API-Version': 'compute 2.45'}


def _image_active(deployment, image_id):
    deadline = time.monotonic() + real.BOOT_TIMEOUT
    while time.monotonic() < deadline:
        found = deployment.request('GET', '/image/v2/images/%s'
                                   % image_id).json()
        if found['status'] == 'active':
            return found
        time.sleep(0.2)
    raise AssertionError('image %s never active: %s\n%s' % (
        image_id, found, deployment.logs()))


def test_snapshot_boots_and_shelved_guest_comes_back(dep, image):  # noqa
    disk = image[0]
    began = time.monotonic()
    server = real._create(dep, disk['id'])
    boot = time.monotonic() - began
    seen = set()
    real._wait_boot(dep, server['id'], seen)

    began = time.monotonic()
    resp = dep.request('POST', '/v2.1/servers/%s/action' % server['id'],
                       json={'createImage': {'name': 'guest-snap'}},
                       headers=dict(V245))
    assert resp.status_code == 202, resp.text
    snap = _image_active(dep, resp.json()['image_id'])
    real._settle(dep, server['id'], 'ACTIVE')
    timings = {'boot (to ACTIVE)': boot,
               'createImage': time.monotonic() - began}
    # Paused for the copy only: it runs on, not booted again.
    assert real._domstate(server['id']) == 'running'
    assert snap['kernel_id'] == image[1]['id']
    assert snap['base_image_ref'] == disk['id']

    copy = real._create(dep, snap['id'])
    real._wait_boot(dep, copy['id'], seen)
    real._delete(dep, copy['id'])

    # Shelved and offloaded at once: the domain is gone from libvirt.
    began = time.monotonic()
    assert real._action(dep, server['id'], {'shelve': None}).status_code \
        == 202
    offloaded = real._settle(dep, server['id'], 'SHELVED_OFFLOADED')
    timings['shelve (offload at once)'] = time.monotonic() - began
    assert offloaded['OS-EXT-SRV-ATTR:host'] is None
    gone = libvirtd.virsh('domstate', 'instance-%s' % server['id'])
    assert gone.returncode != 0
    began = time.monotonic()
    assert real._action(dep, server['id'], {'unshelve': None}).status_code \
        == 202
    real._settle(dep, server['id'], 'ACTIVE')
    timings['unshelve (to ACTIVE)'] = time.monotonic() - began
    assert real._domstate(server['id']) == 'running'
    real._wait_boot(dep, server['id'], seen)
    real._delete(dep, server['id'])
    # For the notes (pytest -s): one real guest's figures.
    print(' '.join('%s %.2fs' % item for item in timings.items()))
