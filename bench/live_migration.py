"""Live-migration benchmark: a real TCG guest moved back and forth between
two libvirt hosts, beside a boot baseline measured in the same run.

    python bench/live_migration.py [--runs 20] [--memory-mb 256]

The two hosts are tests/functional/netns_hosts.py's: a libvirtd each in
its own network namespace, joined by a veth pair, nothing shared, so
every migration is a block migration over qemu+tcp, peer to peer. The
guest is tests/functional/guest_image.py's. Each run goes through the
libvirt driver's steps as nova-compute does (checks on both hosts,
pre_live_migration on the destination, the migration, post on both
hosts) and is timed whole; the downtime is libvirt's own figure from the
completed job's statistics.

Baselines: a boot on the real host (spawn until libvirt reports the
domain running) and, for the test driver, a boot there; the test driver
cannot live-migrate, which the bench shows with its refusal.

Needs root, libvirtd, qemu-system-x86, busybox-static and a Debian
kernel package (see the functional tests).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(
    __file__))))

from common import exception  # noqa: E402
from common.conf import CONF  # noqa: E402
from nova_compute.virt.libvirt import driver as libvirt_driver  # noqa: E402
from tests.functional import guest_image  # noqa: E402
from tests.functional import netns_hosts  # noqa: E402
from tests.host_conf import HostConf  # noqa: E402


def p50(values):
    return statistics.median(values) if values else float('nan')


def make_driver(conf, name, images):
    drv = libvirt_driver.LibvirtDriver(conf)
    drv.image_locator = images.get
    drv.init_host(name)
    return drv


def guest_images(guest):
    kernel = {'id': 'bench-kernel', 'location': guest.kernel}
    ramdisk = {'id': 'bench-ramdisk', 'location': guest.ramdisk}
    disk = {'id': 'bench-disk', 'name': 'guest', 'disk_format': 'qcow2',
            'size': os.path.getsize(guest.disk), 'min_disk': 0,
            'location': guest.disk,
            'properties': {'kernel_id': kernel['id'],
                           'ramdisk_id': ramdisk['id'],
                           'os_command_line': guest_image.TICK_CMDLINE}}
    return disk, {i['id']: i for i in (kernel, ramdisk, disk)}


def instance(memory_mb):
    return {'uuid': str(uuid.uuid4()), 'display_name': 'bench',
            'vcpus': 1, 'memory_mb': memory_mb, 'root_gb': 1,
            'ephemeral_gb': 0, 'image_ref': 'bench-disk', 'host': 'a',
            'node': 'a'}


def boot_times(drv, image, memory_mb, runs):
    times = []
    for _ in range(runs):
        inst = instance(memory_mb)
        start = time.monotonic()
        drv.spawn(inst, image, [])
        drv.wait_for_running(inst, 60)
        times.append(time.monotonic() - start)
        drv.destroy(inst)
    return times


def migrate_once(src, dst, inst, image):
    """One migration through the driver's steps, as nova-compute runs
    them; (seconds, downtime ms, bytes copied)."""
    start = time.monotonic()
    src_steps, dst_steps = src.live_migration_steps(), \
        dst.live_migration_steps()
    data = dst_steps.check_destination(inst)
    try:
        data = src_steps.check_source(inst, data)
    finally:
        dst_steps.cleanup_destination_check(data)
    data = dst_steps.pre_live_migration(inst, image, [], data)
    src_steps.migrate(inst, data)
    src_steps.post_at_source(inst, data)
    result = dst_steps.post_at_destination(inst, data)
    return (time.monotonic() - start, result.get('downtime_ms') or 0,
            result.get('data_processed') or 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--runs', type=int, default=20)
    parser.add_argument('--memory-mb', type=int, default=256)
    args = parser.parse_args()
    CONF([], project='nova')
    guest = guest_image.build()
    image, images = guest_images(guest)
    state = tempfile.mkdtemp(prefix='bench-livemig-')
    CONF.set_override('state_path', state)

    # The test driver: a boot baseline, and its refusal to migrate.
    test_drv = make_driver(HostConf(os.path.join(state, 'test')), 'test',
                           images)
    test_boots = boot_times(test_drv, {}, args.memory_mb, args.runs)
    try:
        test_drv.live_migration_steps().check_destination(instance(64))
        refusal = 'no refusal?'
    except exception.MigrationPreCheckError as err:
        refusal = err.message
    test_drv.cleanup_host()

    root = os.path.join('/var/lib/nova-lite-test',
                        'bench-livemig-%s' % uuid.uuid4().hex[:8])
    with netns_hosts.Hosts(root) as (a, b):
        drivers = []
        for host in (a, b):
            conf = HostConf(host.instances_path, connection_uri=host.uri,
                            virt_type='qemu',
                            live_migration_inbound_addr=host.addr)
            drivers.append(make_driver(conf, host.name, images))
        boots = boot_times(drivers[0], image, args.memory_mb, args.runs)
        inst = instance(args.memory_mb)
        drivers[0].spawn(inst, image, [])
        drivers[0].wait_for_running(inst, 60)
        time.sleep(3)   # past the guest's own boot
        moves, downtimes, sizes = [], [], []
        for run in range(args.runs):
            src, dst = drivers[run % 2], drivers[(run + 1) % 2]
            seconds, downtime, size = migrate_once(src, dst, inst, image)
            moves.append(seconds)
            downtimes.append(downtime)
            sizes.append(size)
        console = drivers[args.runs % 2].get_console_output(inst)
        ticks = guest_image.ticks(console)
        drivers[args.runs % 2].destroy(inst)
        for drv in drivers:
            drv.cleanup_host()

    print('%-46s %10s' % ('operation (p50 of %d)' % args.runs, 'seconds'))
    print('%-46s %10.3f' % ('test driver: boot (spawn -> running)',
                            p50(test_boots)))
    print('%-46s %10s' % ('test driver: live migration', 'refused'))
    print('    (%s)' % refusal)
    print('%-46s %10.3f' % ('real TCG guest: boot (spawn -> running)',
                            p50(boots)))
    print('%-46s %10.3f' % ('real TCG guest: live migration (block, whole)',
                            p50(moves)))
    print('%-46s %10.3f' % ('real TCG guest: downtime (libvirt jobStats)',
                            p50(downtimes) / 1000.0))
    print('%-46s %10.1f' % ('MiB sent per migration (jobStats)',
                            p50(sizes) / 1024.0 / 1024.0))
    print('guest console after %d moves: ticks %s..%s, no reboot: %s' % (
        args.runs, ticks[0] if ticks else None,
        ticks[-1] if ticks else None,
        guest_image.MARKER not in console))


if __name__ == '__main__':
    main()
