"""The test guest finds its config drive, booted straight through libvirt.

No nova daemon takes part: each test defines a transient QEMU (TCG) domain
on qemu:///system with the kernel and initramfs of guest_image.py, a blank
virtio root disk as the compute gives every server, and a config drive made
here by hand (an ISO 9660 image labelled config-2 on the IDE bus, where the
guest's ata_piix and sr_mod make it /dev/sr0, or a vfat disk labelled
config-2 on virtio), and reads what /init printed from the serial log.
This proves the guest side of the config drive on its own, so a failing
test_real_guest points at the compute, not at the guest.

Needs root, libvirtd (started by tests/functional/libvirtd.py if it is not
running), qemu-system-x86, busybox-static, genisoimage or xorriso (mkfs.vfat
and mcopy for the vfat case), and a Debian kernel package.
"""

import json
import os
import shutil
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET

import pytest

from tests.functional import guest_image
from tests.functional import libvirtd

BOOT_TIMEOUT = 90


@pytest.fixture(scope='module')
def guest():
    try:
        libvirtd.ensure_running()
    except libvirtd.Unavailable as err:
        libvirtd.unavailable('libvirtd: %s' % err)
    try:
        return guest_image.build()
    except guest_image.Unavailable as err:
        libvirtd.unavailable(str(err))


@pytest.fixture
def workdir(guest):
    path = libvirtd.work_dir('guest-image-%s' % uuid.uuid4().hex[:12])
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _config_tree(root, meta_data, user_data):
    """openstack/latest/{meta_data.json,user_data} and an ec2 tree, as a
    config drive holds them; meta_data is the file's text."""
    latest = os.path.join(root, 'openstack', 'latest')
    os.makedirs(latest)
    os.makedirs(os.path.join(root, 'ec2', 'latest'))
    with open(os.path.join(latest, 'meta_data.json'), 'w') as f:
        f.write(meta_data)
    with open(os.path.join(latest, 'user_data'), 'wb') as f:
        f.write(user_data)
    with open(os.path.join(root, 'ec2', 'latest', 'meta-data.json'),
              'w') as f:
        json.dump({'instance-id': 'i-00000001'}, f)
    return root


def _iso(tree, path):
    if shutil.which('genisoimage'):
        cmd = ['genisoimage']
    elif shutil.which('xorriso'):
        cmd = ['xorriso', '-as', 'mkisofs']
    else:
        libvirtd.unavailable('neither genisoimage nor xorriso is installed')
    subprocess.run(cmd + ['-quiet', '-o', path, '-V', 'config-2', '-J',
                          '-r', tree], check=True, capture_output=True)
    return path


def _vfat(tree, path):
    if not (shutil.which('mkfs.vfat') and shutil.which('mcopy')):
        libvirtd.unavailable('mkfs.vfat or mcopy is missing (packages '
                             'dosfstools, mtools)')
    subprocess.run(['mkfs.vfat', '-C', '-n', 'config-2', path, '16384'],
                   check=True, capture_output=True)
    subprocess.run(['mcopy', '-s', '-i', path] +
                   [os.path.join(tree, n) for n in sorted(os.listdir(tree))] +
                   ['::/'], check=True, capture_output=True)
    return path


def _disk(devices, path, fmt, device, dev, bus):
    disk = ET.SubElement(devices, 'disk', type='file', device=device)
    ET.SubElement(disk, 'driver', name='qemu', type=fmt)
    ET.SubElement(disk, 'source', file=path)
    ET.SubElement(disk, 'target', dev=dev, bus=bus)
    if device == 'cdrom' or fmt == 'raw':
        ET.SubElement(disk, 'readonly')


def _domain_xml(name, guest, workdir, console, config_drive=None):
    """A TCG domain on QEMU's i440fx machine; config_drive is (path,
    'cdrom' or 'disk')."""
    domain = ET.Element('domain', type='qemu')
    ET.SubElement(domain, 'name').text = name
    ET.SubElement(domain, 'memory', unit='MiB').text = '256'
    ET.SubElement(domain, 'vcpu').text = '1'
    os_el = ET.SubElement(domain, 'os')
    ET.SubElement(os_el, 'type', machine='pc').text = 'hvm'
    ET.SubElement(os_el, 'kernel').text = guest.kernel
    ET.SubElement(os_el, 'initrd').text = guest.ramdisk
    ET.SubElement(os_el, 'cmdline').text = guest_image.CMDLINE
    features = ET.SubElement(domain, 'features')
    ET.SubElement(features, 'acpi')
    ET.SubElement(domain, 'on_poweroff').text = 'destroy'
    devices = ET.SubElement(domain, 'devices')
    root = os.path.join(workdir, 'root.qcow2')
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', root, '64M'],
                   check=True, capture_output=True)
    _disk(devices, root, 'qcow2', 'disk', 'vda', 'virtio')
    if config_drive is not None:
        path, kind = config_drive
        if kind == 'cdrom':
            _disk(devices, path, 'raw', 'cdrom', 'hdd', 'ide')
        else:
            _disk(devices, path, 'raw', 'disk', 'vdb', 'virtio')
    for tag, target in (('serial', {'port': '0'}),
                        ('console', {'type': 'serial', 'port': '0'})):
        element = ET.SubElement(devices, tag, type='file')
        ET.SubElement(element, 'source', path=console)
        ET.SubElement(element, 'target', target)
    return ET.tostring(domain, encoding='unicode')


def _boot(guest, workdir, config_drive=None):
    """Boot a transient domain; return (its config drive report, seconds
    from start to the report). The domain is gone afterwards."""
    name = 'nova-lite-guest-image-%s' % os.path.basename(workdir)[-12:]
    console = os.path.join(workdir, 'console.log')
    xml_path = os.path.join(workdir, 'domain.xml')
    with open(xml_path, 'w') as f:
        f.write(_domain_xml(name, guest, workdir, console, config_drive))
    started = time.monotonic()
    proc = libvirtd.virsh('create', xml_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    text = ''
    try:
        while time.monotonic() - started < BOOT_TIMEOUT:
            try:
                with open(console, errors='replace') as f:
                    text = f.read()
            except FileNotFoundError:
                pass
            report = guest_image.config_drive_report(text)
            if report is not None:
                return report, time.monotonic() - started
            time.sleep(0.2)
    finally:
        libvirtd.virsh('destroy', name)
    raise AssertionError('no config drive report in %ss; the console '
                         'ends with:\n%s' % (BOOT_TIMEOUT, text[-3000:]))


# How a drive is made, attached ('cdrom' on IDE, or a virtio 'disk'), and
# the line the guest prints on finding it.
DRIVES = {
    'iso9660-on-ide': (_iso, 'cdrom',
                       'device=/dev/sr0 type=iso9660 label=config-2'),
    'vfat-on-virtio': (_vfat, 'disk',
                       'device=/dev/vdb type=vfat label=config-2'),
}


@pytest.mark.parametrize('drive', sorted(DRIVES))
def test_guest_reads_its_config_drive(guest, workdir, drive):
    make, kind, device_line = DRIVES[drive]
    server_id = str(uuid.uuid4())
    # The uuid need not come first, nor meta_data.json be one line (Nova
    # writes one); user data may end its lines with CRLF.
    meta = json.dumps({'hostname': 'guest', 'meta': {'role': 'test'},
                       'uuid': server_id}, indent=2)
    first = '#!/bin/sh nova-lite-%s' % uuid.uuid4().hex[:8]
    tree = _config_tree(os.path.join(workdir, 'tree'), meta,
                        (first + '\r\necho second line\r\n').encode())
    path = make(tree, os.path.join(workdir, 'disk.config'))

    report, seconds = _boot(guest, workdir, (path, kind))
    print('booted and read the config drive in %.1f s' % seconds)
    assert report == [device_line, 'uuid=' + server_id, 'user_data=' + first]


def test_guest_says_none_without_a_config_drive(guest, workdir):
    report, seconds = _boot(guest, workdir)
    print('booted and gave up looking in %.1f s' % seconds)
    assert report == ['none']
