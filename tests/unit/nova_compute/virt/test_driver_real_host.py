"""LibvirtDriver's real-host path: disks, kernel lookup, console, cleanup.

There is no libvirtd here, so the driver talks to the test driver (which
accepts kvm/qemu definitions) with its simulated mode switched off: every
file is real and made by a real qemu-img.
"""

import json
import os
import subprocess
import uuid
import xml.etree.ElementTree as ET

import jsonschema
import libvirt
import pytest

from common import exception
from common import states
from common.conf import CONF
from nova_compute.virt.libvirt import driver as libvirt_driver
from tests.schemas import servers as server_schemas


@pytest.fixture
def conf(tmp_path):
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('instances_path', str(tmp_path / 'instances'))
    CONF.set_override('host', 'node-%s' % uuid.uuid4().hex[:8])
    CONF.set_override('virt_type', 'qemu', group='libvirt')
    yield CONF
    CONF.reset()


@pytest.fixture
def driver(conf):
    drv = libvirt_driver.LibvirtDriver(conf)
    drv.init_host(conf.host)
    # What a qemu:// URI would give: real guests on a test connection.
    drv.host.is_test = False
    yield drv
    drv.cleanup_host()


@pytest.fixture
def images(tmp_path):
    """A local image store: a qcow2 disk, a kernel and a ramdisk."""
    store = tmp_path / 'store'
    store.mkdir()
    disk = store / 'cirros.qcow2'
    subprocess.run(['qemu-img', 'create', '-f', 'qcow2', str(disk), '64M'],
                   check=True, capture_output=True)
    (store / 'vmlinuz').write_bytes(b'kernel')
    (store / 'initrd').write_bytes(b'ramdisk')
    return {
        'disk': {'id': 'img-1', 'name': 'cirros', 'disk_format': 'qcow2',
                 'size': disk.stat().st_size, 'min_disk': 0,
                 'properties': {}, 'location': str(disk)},
        'kernel-1': {'id': 'kernel-1', 'location': str(store / 'vmlinuz')},
        'ramdisk-1': {'id': 'ramdisk-1', 'location': str(store / 'initrd')},
    }


NETWORK = [{'address': '10.0.0.5', 'mac': 'fa:16:3e:00:00:05',
            'bridge': 'br100', 'network': 'private'}]


def make_instance(**fields):
    instance = {'uuid': str(uuid.uuid4()), 'display_name': 'vm', 'vcpus': 1,
                'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0,
                'image_ref': 'img-1', 'host': 'h', 'node': 'h'}
    instance.update(fields)
    return instance


def backing_of(path):
    out = subprocess.run(['qemu-img', 'info', '--output=json', '-U', path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def domain_root(driver, instance):
    return ET.fromstring(driver.host.lookup(instance['uuid']).XMLDesc())


def test_spawn_makes_overlay_and_qemu_guest(driver, conf, images):
    instance = make_instance(root_gb=2)
    driver.spawn(instance, images['disk'], NETWORK)
    assert driver.get_power_state(instance) == states.RUNNING
    inst_dir = os.path.join(conf.instances_path, instance['uuid'])
    base = os.path.join(conf.instances_path, '_base', 'img-1')
    info = backing_of(os.path.join(inst_dir, 'disk'))
    assert info['backing-filename'] == base
    assert info['virtual-size'] == 2 * 1024 ** 3

    root = domain_root(driver, instance)
    assert root.get('type') == 'qemu'
    assert root.find('cpu') is None
    assert root.find('devices/disk/source').get('file') == \
        os.path.join(inst_dir, 'disk')
    # The serial port is a TCP server for the console proxy; its output
    # still goes to console.log (docs/consoles.md).
    serial = root.find('devices/serial')
    assert serial.get('type') == 'tcp'
    assert serial.find('log').get('file') == \
        os.path.join(inst_dir, 'console.log')
    nic = root.find('devices/interface')
    assert nic.find('source').get('bridge') == 'br100'
    assert nic.find('mac').get('address') == 'fa:16:3e:00:00:05'


def test_ephemeral_disk_is_attached(driver, conf, images):
    instance = make_instance(ephemeral_gb=1)
    driver.spawn(instance, images['disk'], NETWORK)
    local = os.path.join(conf.instances_path, instance['uuid'], 'disk.local')
    assert backing_of(local)['virtual-size'] == 1024 ** 3
    sources = [d.find('source').get('file')
               for d in domain_root(driver, instance).iter('disk')]
    assert sources[1] == local


def test_destroy_removes_instance_dir_but_keeps_base(driver, conf, images):
    instance = make_instance()
    driver.spawn(instance, images['disk'], NETWORK)
    driver.destroy(instance)
    assert driver.get_power_state(instance) == states.NOSTATE
    assert not os.path.exists(os.path.join(conf.instances_path,
                                           instance['uuid']))
    assert os.path.isfile(os.path.join(conf.instances_path, '_base',
                                       'img-1'))


def test_kernel_and_ramdisk_via_image_locator(driver, conf, images):
    driver.image_locator = images.__getitem__
    image = dict(images['disk'], properties={'kernel_id': 'kernel-1',
                                             'ramdisk_id': 'ramdisk-1'})
    instance = make_instance()
    driver.spawn(instance, image, NETWORK)
    base_dir = os.path.join(conf.instances_path, '_base')
    root = domain_root(driver, instance)
    assert root.findtext('os/kernel') == os.path.join(base_dir, 'kernel-1')
    assert root.findtext('os/initrd') == os.path.join(base_dir, 'ramdisk-1')
    assert 'root=/dev/vda' in root.findtext('os/cmdline')


def test_kernel_without_locator_is_unacceptable(driver, conf, images):
    image = dict(images['disk'], properties={'kernel_id': 'kernel-1'})
    instance = make_instance()
    with pytest.raises(exception.ImageUnacceptable):
        driver.spawn(instance, image, NETWORK)
    # The failed spawn leaves nothing behind.
    assert driver.get_power_state(instance) == states.NOSTATE
    assert not os.path.exists(os.path.join(conf.instances_path,
                                           instance['uuid']))


def test_unknown_kernel_is_unacceptable(driver, images):
    driver.image_locator = images.__getitem__
    image = dict(images['disk'], properties={'kernel_id': 'nope'})
    with pytest.raises(exception.ImageUnacceptable):
        driver.spawn(make_instance(), image, NETWORK)


def test_bad_image_is_unacceptable_and_cleaned_up(driver, conf, images):
    image = dict(images['disk'], id='img-2', disk_format='raw')
    instance = make_instance()
    with pytest.raises(exception.ImageUnacceptable):
        driver.spawn(instance, image, NETWORK)
    assert driver.list_instance_uuids() == []


def test_unreachable_image_fails_spawn_and_is_cleaned_up(driver, conf,
                                                         images):
    # Not on this host, and no image API answers: nothing is left behind.
    conf.set_override('api_servers', ['http://127.0.0.1:9'], 'glance')
    conf.set_override('num_retries', 0, 'glance')
    image = dict(images['disk'], id='img-3', location='/nonexistent')
    with pytest.raises(exception.ImageDownloadFailed):
        driver.spawn(make_instance(), image, NETWORK)
    assert driver.list_instance_uuids() == []
    assert os.listdir(os.path.join(conf.instances_path, '_base')) == \
        ['.img-3.lock']


def test_unsupported_hw_properties_are_unacceptable(driver, images):
    for props in ({'hw_disk_bus': 'floppy'}, {'hw_vif_model': 'bogus'}):
        image = dict(images['disk'], properties=props)
        with pytest.raises(exception.ImageUnacceptable):
            driver.spawn(make_instance(), image, NETWORK)


def test_console_output_reads_log_tail(driver, conf, images):
    instance = make_instance()
    driver.spawn(instance, images['disk'], NETWORK)
    assert driver.get_console_output(instance) == ''
    log = os.path.join(conf.instances_path, instance['uuid'], 'console.log')
    with open(log, 'wb') as f:
        f.write(b'x' * libvirt_driver.CONSOLE_MAX_BYTES + b'login: ')
    output = driver.get_console_output(instance)
    assert len(output) == libvirt_driver.CONSOLE_MAX_BYTES
    assert output.endswith('login: ')


def test_diagnostics_of_a_real_guest_count_its_disks_and_nics(
        driver, images):
    instance = make_instance(ephemeral_gb=1)
    driver.spawn(instance, images['disk'], NETWORK)
    standard = driver.get_instance_diagnostics(instance)
    jsonschema.validate(standard, server_schemas.diagnostics())
    assert standard['hypervisor'] == 'qemu'
    # The root disk and disk.local; the one NIC with its MAC.
    assert (standard['num_disks'], standard['num_nics']) == (2, 1)
    assert standard['nic_details'][0]['mac_address'] == 'fa:16:3e:00:00:05'
    assert standard['uptime'] is None  # never launched (no launched_at)
    legacy = driver.get_diagnostics(instance)
    assert legacy['memory'] == 512 * 1024
    assert {'vda_read', 'vda_write_req', 'vdb_errors', 'cpu0_time',
            'memory-actual'} <= set(legacy)
    # NIC counters by the guest's device name.
    [nic] = [k[:-3] for k in legacy if k.endswith('_rx')]
    assert {nic + '_tx', nic + '_rx_drop'} <= set(legacy)


@pytest.mark.parametrize('fmt,device,dev,bus', [
    ('iso9660', 'cdrom', 'hdd', 'ide'),
    ('vfat', 'disk', 'vdb', 'virtio'),
])
def test_config_drive_is_written_and_attached(driver, conf, images, fmt,
                                              device, dev, bus):
    conf.set_override('config_drive_format', fmt)
    instance = make_instance(id=1, config_drive=True, hostname='vm')
    driver.spawn(instance, images['disk'], NETWORK)
    drive = os.path.join(conf.instances_path, instance['uuid'],
                         'disk.config')
    assert os.path.isfile(drive)
    [attached] = [d for d in domain_root(driver, instance).iter('disk')
                  if d.find('source').get('file') == drive]
    assert attached.get('device') == device
    assert (attached.find('target').get('dev'),
            attached.find('target').get('bus')) == (dev, bus)
    assert (attached.find('readonly') is not None) == (device == 'cdrom')


def test_no_config_drive_unless_asked_or_forced(driver, conf, images):
    plain = make_instance(id=1, config_drive=False)
    driver.spawn(plain, images['disk'], NETWORK)
    assert len(list(domain_root(driver, plain).iter('disk'))) == 1
    assert not os.path.exists(os.path.join(
        conf.instances_path, plain['uuid'], 'disk.config'))
    conf.set_override('force_config_drive', True)
    forced = make_instance(id=2, config_drive=False)
    driver.spawn(forced, images['disk'], NETWORK)
    assert [d.get('device') for d in domain_root(driver, forced).iter(
        'disk')] == ['disk', 'cdrom']


class UnpluggingDomain:
    """A running domain whose guest lets go of a detached disk only after
    `polls` more looks at its live XML (a real guest's PCI hot-unplug);
    `release` False: never."""

    def __init__(self, polls=2, release=True):
        self.polls, self.release = polls, release
        self.detached = []

    def isActive(self):
        return True

    def detachDeviceFlags(self, xml, flags):
        self.detached.append((ET.fromstring(xml).find('target').get('dev'),
                              flags))

    def XMLDesc(self, flags=0):
        plugged = not self.detached or not self.release or self.polls > 0
        self.polls -= 1
        disks = ['vda'] + (['vdb'] if plugged else [])
        return '<domain><devices>%s</devices></domain>' % ''.join(
            "<disk type='network'><target dev='%s'/></disk>" % d
            for d in disks)


RBD_BDM = {'volume_id': 'vol-1', 'device_name': 'vdb',
           'connection_info': {'driver_volume_type': 'rbd',
                               'data': {'name': 'volumes/volume-vol-1'}}}


def test_a_live_detach_returns_once_the_guest_let_go(driver, monkeypatch):
    dom = UnpluggingDomain(polls=2)
    monkeypatch.setattr(driver.host, 'lookup', lambda uuid: dom)
    driver.detach_volume(make_instance(), RBD_BDM)
    # From the live domain and its definition, asked once; then waited
    # for until the live XML had no vdb.
    assert dom.detached == [('vdb', libvirt.VIR_DOMAIN_AFFECT_CONFIG |
                             libvirt.VIR_DOMAIN_AFFECT_LIVE)]
    assert dom.polls == -1


def test_a_guest_that_keeps_the_disk_fails_the_detach(driver, monkeypatch):
    dom = UnpluggingDomain(release=False)
    monkeypatch.setattr(driver.host, 'lookup', lambda uuid: dom)
    monkeypatch.setattr(libvirt_driver, 'DETACH_TIMEOUT', 0.3)
    instance = make_instance()
    # The volume stays attached in Cinder: the caller deletes the
    # attachment only after this returns.
    with pytest.raises(exception.HypervisorError,
                       match='did not release disk vdb in 0.3s'):
        driver.detach_volume(instance, RBD_BDM)
