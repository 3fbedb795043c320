"""The server operations of issue 21 on a real guest (QEMU TCG, libvirtd).

    python bench/real_guest_ops.py [--rounds 5]

Two nova-computes on the one qemu:///system (test_real_guest.py's
deployment; allow_resize_to_same_host) boot the busybox guest of
guest_image.py. One request at a time, each timed from the API request
until the server settled (task_state None) in the state named, or the
image is active:

- boot (the baseline, same run): POST /servers -> ACTIVE, and -> the
  guest's boot marker on its console (kernel and /init under TCG);
- resize (flavors guest.tiny 256 MB <-> guest.big 512 MB) -> VERIFY_RESIZE;
  confirmResize -> ACTIVE; a second resize, then revertResize -> ACTIVE;
- migrate (to the other compute) -> VERIFY_RESIZE, then confirmed;
- createImage -> image active; createBackup (rotation 1) -> image active;
- shelve (offloaded at once) -> SHELVED_OFFLOADED; unshelve -> ACTIVE;
- rescue -> RESCUE; unrescue -> ACTIVE.

Needs root, libvirtd, qemu-system-x86, RabbitMQ and PostgreSQL. Prints
p50 and the slowest of each in seconds.
"""

import argparse
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from tests.functional import deployment as deployment_mod  # noqa: E402
from tests.functional import guest_image  # noqa: E402
from tests.functional import libvirtd  # noqa: E402
from tests.functional import test_real_guest as real  # noqa: E402


def _timed(func):
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def _image_active(dep, image_id):
    while True:
        got = dep.request('GET', '/image/v2/images/%s' % image_id).json()
        if got['status'] == 'active':
            return
        assert got['status'] in ('queued', 'saving'), got
        time.sleep(0.05)


def _act(dep, server_id, body, expect, status):
    def run():
        resp = real._action(dep, server_id, body)
        assert resp.status_code == expect, resp.text
        real._settle(dep, server_id, status, timeout=180)
    return run


def _snapshot(dep, server_id, body):
    def run():
        resp = real._action(dep, server_id, body)
        assert resp.status_code == 202, resp.text
        image_id = resp.headers['Location'].rsplit('/', 1)[1]
        _image_active(dep, image_id)
        real._settle(dep, server_id, 'ACTIVE')
        run.images.append(image_id)
    run.images = []
    return run


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--rounds', type=int, default=5)
    args = parser.parse_args()
    libvirtd.ensure_running()
    guest = guest_image.build()
    conf = '[DEFAULT]\nallow_resize_to_same_host = True\n'
    # Two computes on the one libvirtd: migrate needs another host
    # (libvirt does not migrate to its own host), resize takes either.
    two = deployment_mod.Deployment('postgresql',
                                    compute_hosts=('compute1', 'compute2'))
    with real.serving(libvirt_conf=conf, d=two) as dep:
        kernel = real._import(dep, guest.kernel, 'guest-kernel')
        ramdisk = real._import(dep, guest.ramdisk, 'guest-ramdisk')
        disk = real._import(dep, guest.disk, 'guest-disk',
                            kernel_id=kernel['id'],
                            ramdisk_id=ramdisk['id'],
                            os_command_line=guest_image.CMDLINE)
        for name, ram in (('guest.tiny', 256), ('guest.big', 512)):
            resp = dep.request('POST', '/v2.1/flavors', json={'flavor': {
                'name': name, 'id': name.replace('.', '-'), 'ram': ram,
                'vcpus': 1, 'disk': 1}})
            assert resp.status_code == 200, resp.text
        times = {}

        def note(name, seconds):
            times.setdefault(name, []).append(seconds)

        servers = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            server_id = real._create(dep, disk['id'])['id']
            note('boot -> ACTIVE (baseline)', time.perf_counter() - start)
            real._wait_boot(dep, server_id, set())
            note('boot -> guest marker', time.perf_counter() - start)
            servers.append(server_id)
        for server_id in servers[1:]:
            real._delete(dep, server_id)
        server_id = servers[0]
        flavors = ['guest-big', 'guest-tiny']
        for n in range(args.rounds):
            note('resize', _timed(_act(dep, server_id, {'resize': {
                'flavorRef': flavors[n % 2]}}, 202, 'VERIFY_RESIZE')))
            note('confirmResize', _timed(_act(
                dep, server_id, {'confirmResize': None}, 204, 'ACTIVE')))
            real._action(dep, server_id, {'resize': {
                'flavorRef': flavors[(n + 1) % 2]}})
            real._settle(dep, server_id, 'VERIFY_RESIZE', timeout=180)
            note('revertResize', _timed(_act(
                dep, server_id, {'revertResize': None}, 202, 'ACTIVE')))
            note('migrate', _timed(_act(dep, server_id, {'migrate': None},
                                        202, 'VERIFY_RESIZE')))
            _act(dep, server_id, {'confirmResize': None}, 204, 'ACTIVE')()
            snap = _snapshot(dep, server_id, {'createImage': {
                'name': 'bench-snap-%d' % n}})
            note('createImage', _timed(snap))
            backup = _snapshot(dep, server_id, {'createBackup': {
                'name': 'bench-bk-%d' % n, 'backup_type': 'daily',
                'rotation': 1}})
            note('createBackup', _timed(backup))
            note('shelve (+offload)', _timed(_act(
                dep, server_id, {'shelve': None}, 202,
                'SHELVED_OFFLOADED')))
            note('unshelve', _timed(_act(dep, server_id, {'unshelve': None},
                                         202, 'ACTIVE')))
            note('rescue', _timed(_act(dep, server_id, {'rescue': None},
                                       200, 'RESCUE')))
            note('unrescue', _timed(_act(dep, server_id, {'unrescue': None},
                                         202, 'ACTIVE')))
            for image_id in snap.images:
                dep.request('DELETE', '/image/v2/images/%s' % image_id)
        real._delete(dep, server_id)
        for name, values in times.items():
            print('%-28s p50 %6.2f s  max %6.2f s  (n=%d)' % (
                name, statistics.median(values), max(values), len(values)))


if __name__ == '__main__':
    main()
