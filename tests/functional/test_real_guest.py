"""A real guest under QEMU (TCG), through the REST API and qemu:///system.

One nova-compute with `[libvirt] connection_uri = qemu:///system` and
`virt_type = qemu` boots the guest of guest_image.py (Debian's kernel and a
busybox initramfs, direct kernel boot from kernel_id/ramdisk_id image
properties) with a config drive attached, reads its serial console through
os-getConsoleOutput, then stops (ACPI), starts, reboots (soft and hard)
and deletes it, asking libvirt (virsh) for the domain's state after each
step.

Every boot prints "NOVA-LITE-GUEST-BOOTED boot_id=<uuid>", a fresh uuid per
boot, so a boot is recognised whether the console log was truncated or
appended to.

The compute attaches <instance dir>/disk.config as an IDE CD-ROM; the
guest's /init mounts it and prints "CONFIG-DRIVE uuid=<server id>" and
"CONFIG-DRIVE user_data=<its first line>" (or "CONFIG-DRIVE no user_data"),
which the tests read back through the API. A second server boots with user
data, and a rebuild with new user data (2.57) gives its guest a new drive.

Needs root, libvirtd (started by tests/functional/libvirtd.py if it is not
running), qemu-system-x86, busybox-static, a Debian kernel package (fetched
by apt-get download), RabbitMQ and PostgreSQL. A missing piece skips the
test, or fails it under NOVA_TEST_REQUIRE_SERVICES=1.
"""

import base64
import contextlib
import json
import os
import re
import time
import uuid
import xml.etree.ElementTree as ET

import pytest

from tests.functional import deployment as deployment_mod
from tests.functional import guest_image
from tests.functional import libvirtd

BOOT_TIMEOUT = 60
BOOT_LINE = re.compile(re.escape(guest_image.MARKER) +
                       r' boot_id=([0-9a-f-]{36})')


@pytest.fixture(scope='module')
def guest():
    try:
        started = libvirtd.ensure_running()
    except libvirtd.Unavailable as err:
        libvirtd.unavailable('libvirtd: %s' % err)
    if started:
        print('started (and left running): %s' % ', '.join(started))
    try:
        return guest_image.build()
    except guest_image.Unavailable as err:
        libvirtd.unavailable(str(err))


@contextlib.contextmanager
def serving(libvirt_conf='', d=None):
    """A running deployment on libvirtd, with these [libvirt] lines too:
    `d` (a Deployment not started; by default one of one compute) with
    all its computes on the one libvirtd; stopped after, with what its
    guests left."""
    if d is None:
        d = deployment_mod.Deployment('postgresql',
                                      compute_hosts=('compute1',))
    instances_path = libvirtd.work_dir(d.run_id)
    d.instances_path = instances_path
    d.extra_conf += (
        '[DEFAULT]\n'
        'instances_path = %s\n'
        # The guest powers off on ACPI in about a second; this only bounds
        # a stop if it ever does not.
        'shutdown_timeout = 10\n'
        # Fast enough for the test to see a drift corrected.
        'sync_power_state_interval = 2\n'
        '[libvirt]\n'
        'connection_uri = %s\n'
        'virt_type = qemu\n' % (instances_path, libvirtd.URI)) + libvirt_conf
    d.servers = []
    try:
        d.start()
        yield d
    finally:
        d.stop()
        libvirtd.remove_leftovers(d.servers, instances_path)


@pytest.fixture(scope='module')
def dep(guest):
    with serving() as d:
        yield d


@pytest.fixture(scope='module')
def image(dep, guest):
    """The guest's disk image (booting its kernel and initramfs) and the
    flavor guest-tiny; returns (image, kernel, ramdisk) as imported."""
    kernel = _import(dep, guest.kernel, 'guest-kernel')
    ramdisk = _import(dep, guest.ramdisk, 'guest-ramdisk')
    disk = _import(dep, guest.disk, 'guest-disk',
                   kernel_id=kernel['id'], ramdisk_id=ramdisk['id'],
                   os_command_line=guest_image.CMDLINE)
    resp = dep.request('POST', '/v2.1/flavors', json={'flavor': {
        'name': 'guest.tiny', 'id': 'guest-tiny', 'ram': 256, 'vcpus': 1,
        'disk': 1}})
    assert resp.status_code == 200, resp.text
    return disk, kernel, ramdisk


def _import(dep, path, name, **properties):
    args = ['image', 'import', '--name', name]
    for key, value in properties.items():
        args += ['--property', '%s=%s' % (key, value)]
    return json.loads(dep.manage(*(args + [path])))


def _action(dep, server_id, body):
    return dep.request('POST', '/v2.1/servers/%s/action' % server_id,
                       json=body)


def _settle(dep, server_id, status, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        server = dep.request('GET', '/v2.1/servers/%s' % server_id).json(
            )['server']
        if server['status'] == status and \
                server['OS-EXT-STS:task_state'] is None:
            return server
        if server['status'] == 'ERROR':
            break
        time.sleep(0.1)
    raise AssertionError('%s never settled in %s: %s\n%s' % (
        server_id, status, server, dep.logs()))


def _console(dep, server_id):
    resp = _action(dep, server_id, {'os-getConsoleOutput': {'length': 50}})
    assert resp.status_code == 200, resp.text
    return resp.json()['output']


def _wait_boot(dep, server_id, seen):
    """The boot id of a boot not in `seen`, once its marker is on the
    console; adds it to `seen`."""
    deadline = time.monotonic() + BOOT_TIMEOUT
    output = ''
    while time.monotonic() < deadline:
        output = _console(dep, server_id)
        fresh = [b for b in BOOT_LINE.findall(output) if b not in seen]
        if fresh:
            seen.add(fresh[-1])
            return fresh[-1]
        time.sleep(0.25)
    raise AssertionError('no new %s on the console of %s in %ss; it ends '
                         'with:\n%s\n%s' % (guest_image.MARKER, server_id,
                                            BOOT_TIMEOUT, output[-3000:],
                                            dep.logs()))


def _wait_config_drive(dep, server_id):
    """What the guest's last boot printed about its config drive."""
    deadline = time.monotonic() + BOOT_TIMEOUT
    output = ''
    while time.monotonic() < deadline:
        output = _console(dep, server_id)
        report = guest_image.config_drive_report(output)
        if report is not None:
            return report
        time.sleep(0.25)
    raise AssertionError('no CONFIG-DRIVE report on the console of %s in '
                         '%ss; it ends with:\n%s\n%s' % (
                             server_id, BOOT_TIMEOUT, output[-3000:],
                             dep.logs()))


def _domstate(server_id):
    proc = libvirtd.virsh('domstate', 'instance-%s' % server_id)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def _create(dep, image_id, **extra):
    """Boot a server of the guest image; return it once ACTIVE."""
    body = {'name': 'real-guest', 'flavorRef': 'guest-tiny',
            'imageRef': image_id, 'networks': 'none'}
    body.update(extra)
    resp = dep.request('POST', '/v2.1/servers', json={'server': body})
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    dep.servers.append(server_id)
    server = dep.wait_for_server(server_id, timeout=BOOT_TIMEOUT)
    assert server['status'] == 'ACTIVE', server
    assert _domstate(server_id) == 'running'
    return server


def _delete(dep, server_id):
    resp = dep.request('DELETE', '/v2.1/servers/%s' % server_id)
    assert resp.status_code == 204, resp.text
    dep.wait_gone(server_id, timeout=60)
    proc = libvirtd.virsh('domstate', 'instance-%s' % server_id)
    assert proc.returncode != 0, proc.stdout
    assert 'failed to get domain' in proc.stderr, proc.stderr


def test_real_guest_lifecycle(dep, image):
    image, kernel, ramdisk = image
    server = _create(dep, image['id'], config_drive=True)
    server_id = server['id']

    # The domain is a TCG guest booting the cached kernel and initramfs.
    xml = libvirtd.virsh('dumpxml', 'instance-%s' % server_id).stdout
    base = os.path.join(dep.instances_path, '_base')
    assert "<domain type='qemu'" in xml
    assert '<kernel>%s</kernel>' % os.path.join(base, kernel['id']) in xml
    assert '<initrd>%s</initrd>' % os.path.join(base, ramdisk['id']) in xml
    assert '<cmdline>%s</cmdline>' % guest_image.CMDLINE in xml
    inst_dir = os.path.join(dep.instances_path, server_id)
    assert os.path.isfile(os.path.join(inst_dir, 'disk'))
    # Its config drive, a read-only IDE CD-ROM QEMU accepted.
    assert server['config_drive'] == 'True'
    blocks = libvirtd.virsh('domblklist', '--details',
                            'instance-%s' % server_id).stdout.split()
    assert ['file', 'cdrom', 'hdd', os.path.join(
        inst_dir, 'disk.config')] == blocks[blocks.index('cdrom') - 1:
                                            blocks.index('cdrom') + 3]

    boots = set()
    _wait_boot(dep, server_id, boots)
    # The guest found the drive, and no user data on it.
    assert _wait_config_drive(dep, server_id) == [
        'device=/dev/sr0 type=iso9660 label=config-2',
        'uuid=%s' % server_id, 'no user_data']

    # Stop: the ACPI power button reaches the guest, which powers off.
    assert _action(dep, server_id, {'os-stop': None}).status_code == 202
    server = _settle(dep, server_id, 'SHUTOFF')
    assert server['OS-EXT-STS:power_state'] == 4
    assert _domstate(server_id) == 'shut off'
    assert 'acpid: PWRF/00000080' in _console(dep, server_id)

    assert _action(dep, server_id, {'os-start': None}).status_code == 202
    server = _settle(dep, server_id, 'ACTIVE')
    assert server['OS-EXT-STS:power_state'] == 1
    assert _domstate(server_id) == 'running'
    _wait_boot(dep, server_id, boots)

    for kind in ('SOFT', 'HARD'):
        resp = _action(dep, server_id, {'reboot': {'type': kind}})
        assert resp.status_code == 202, resp.text
        _settle(dep, server_id, 'ACTIVE')
        _wait_boot(dep, server_id, boots)
        assert _domstate(server_id) == 'running'
    assert len(boots) == 4

    # Someone kills the domain behind the system's back: the power-state
    # sync notices and the server becomes SHUTOFF.
    libvirtd.virsh('destroy', 'instance-%s' % server_id)
    server = _settle(dep, server_id, 'SHUTOFF', timeout=30)
    assert server['OS-EXT-STS:power_state'] == 4
    assert _domstate(server_id) == 'shut off'

    _delete(dep, server_id)
    assert not os.path.exists(inst_dir)


def _user_data():
    """User data whose first line is unique to this run: a shell comment,
    so the script stays harmless whoever runs it."""
    first = '# nova-lite-user-data %s' % uuid.uuid4().hex
    script = first + '\necho "user data ran"\n'
    return first, base64.b64encode(script.encode()).decode()


def _config_drive_device(server_id):
    """(source file, target bus, read-only?) of the domain's CD-ROM."""
    xml = libvirtd.virsh('dumpxml', 'instance-%s' % server_id).stdout
    cdroms = ET.fromstring(xml).findall("./devices/disk[@device='cdrom']")
    assert len(cdroms) == 1, xml
    cdrom = cdroms[0]
    return (cdrom.find('source').get('file'), cdrom.find('target').get('bus'),
            cdrom.find('readonly') is not None)


def test_real_guest_reads_its_config_drive(dep, image):
    image = image[0]
    first, user_data = _user_data()
    server = _create(dep, image['id'], config_drive=True,
                     user_data=user_data)
    server_id = server['id']
    assert server['config_drive'] == 'True', server
    inst_dir = os.path.join(dep.instances_path, server_id)
    drive = os.path.join(inst_dir, 'disk.config')
    assert os.path.isfile(drive)
    assert _config_drive_device(server_id) == (drive, 'ide', True)

    # The guest mounts the ISO labelled config-2 as /dev/sr0 and prints what
    # it holds; the test reads it back through os-getConsoleOutput.
    assert _wait_config_drive(dep, server_id) == [
        'device=/dev/sr0 type=iso9660 label=config-2',
        'uuid=%s' % server_id, 'user_data=%s' % first]

    # A rebuild with new user data (2.57) gives the guest a new drive.
    boots = set(BOOT_LINE.findall(_console(dep, server_id)))
    first, user_data = _user_data()
    resp = dep.request(
        'POST', '/v2.1/servers/%s/action' % server_id,
        headers={'X-OpenStack-Nova-API-Version': '2.57'},
        json={'rebuild': {'imageRef': image['id'], 'user_data': user_data}})
    assert resp.status_code == 202, resp.text
    _settle(dep, server_id, 'ACTIVE', timeout=BOOT_TIMEOUT)
    _wait_boot(dep, server_id, boots)
    assert _wait_config_drive(dep, server_id) == [
        'device=/dev/sr0 type=iso9660 label=config-2',
        'uuid=%s' % server_id, 'user_data=%s' % first]

    _delete(dep, server_id)
    assert not os.path.exists(inst_dir)


def _disks(server_id):
    """(target, source file) of the domain's disks, as virsh lists them."""
    out = libvirtd.virsh('domblklist', 'instance-%s' % server_id).stdout
    return [tuple(line.split()) for line in out.splitlines()[2:]
            if line.strip()]


def test_real_guest_rescue_boots_the_rescue_disk_first(dep, image):
    image = image[0]
    server_id = _create(dep, image['id'])['id']
    inst_dir = os.path.join(dep.instances_path, server_id)
    boots = set()
    _wait_boot(dep, server_id, boots)
    assert _disks(server_id) == [('vda', os.path.join(inst_dir, 'disk'))]

    started = time.monotonic()
    resp = _action(dep, server_id, {'rescue': {'adminPass': 'rescue-me'}})
    assert resp.status_code == 200, resp.text
    server = _settle(dep, server_id, 'RESCUE')
    rescued = time.monotonic() - started
    assert server['OS-EXT-STS:power_state'] == 1
    # The guest booted again, from the rescue disk; its own disk second.
    _wait_boot(dep, server_id, boots)
    assert _disks(server_id) == [
        ('vda', os.path.join(inst_dir, 'disk.rescue')),
        ('vdb', os.path.join(inst_dir, 'disk'))]
    assert _domstate(server_id) == 'running'

    started = time.monotonic()
    assert _action(dep, server_id, {'unrescue': None}).status_code == 202
    _settle(dep, server_id, 'ACTIVE')
    print('real guest: rescue %.2f s, unrescue %.2f s (request to settled)'
          % (rescued, time.monotonic() - started))
    _wait_boot(dep, server_id, boots)
    assert _disks(server_id) == [('vda', os.path.join(inst_dir, 'disk'))]
    assert not os.path.exists(os.path.join(inst_dir, 'disk.rescue'))
    assert len(boots) == 3
    _delete(dep, server_id)
