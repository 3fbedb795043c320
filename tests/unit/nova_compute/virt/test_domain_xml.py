"""Domain XML for the test driver and for kvm/qemu hosts."""

import uuid
import xml.etree.ElementTree as ET

import libvirt
import pytest

from common import exception
from nova_compute.virt.libvirt import domain_xml
from nova_compute.virt.libvirt import host as host_mod

NS = {'nova': domain_xml.NOVA_NS}
NETWORK = [{'address': '10.0.0.5', 'mac': 'fa:16:3e:00:00:05',
            'bridge': 'br100', 'network': 'private'},
           {'address': '10.0.1.5', 'mac': 'fa:16:3e:00:01:05',
            'bridge': 'br101', 'network': 'other'}]


def make_instance(**fields):
    instance = {'uuid': str(uuid.uuid4()), 'display_name': 'vm', 'vcpus': 2,
                'memory_mb': 2048, 'root_gb': 10, 'ephemeral_gb': 0,
                'image_ref': 'img-1'}
    instance.update(fields)
    return instance


def host_xml(virt_type='kvm', **kwargs):
    instance = kwargs.pop('instance', None) or make_instance()
    disks = kwargs.pop('disks', None) or [
        domain_xml.DiskSpec('/inst/%s/disk' % instance['uuid'], 'qcow2',
                            'virtio')]
    xml = domain_xml.host_domain_xml(
        instance, virt_type, disks, '/inst/%s/console.log' % instance['uuid'],
        kwargs.pop('network_info', NETWORK), **kwargs)
    return instance, ET.fromstring(xml)


def test_simulated_domain():
    instance = make_instance()
    root = ET.fromstring(domain_xml.simulated_domain_xml(instance))
    assert root.get('type') == 'test'
    assert root.findtext('name') == 'instance-%s' % instance['uuid']
    assert root.findtext('uuid') == instance['uuid']
    assert root.find('memory').get('unit') == 'MiB'
    assert root.findtext('memory') == '2048'
    assert root.findtext('vcpu') == '2'
    assert root.findtext('os/type') == 'hvm'
    assert root.find('devices') is None


def test_kvm_domain():
    instance, root = host_xml('kvm')
    assert root.get('type') == 'kvm'
    assert root.findtext('name') == 'instance-%s' % instance['uuid']
    assert root.findtext('memory') == '2048'
    assert root.find('memory').get('unit') == 'MiB'
    assert root.findtext('vcpu') == '2'
    assert root.find('cpu').get('mode') == 'host-model'
    assert root.find('features/acpi') is not None
    assert root.findtext('on_poweroff') == 'destroy'
    assert root.findtext('on_reboot') == 'restart'
    assert root.find('os/boot').get('dev') == 'hd'
    assert root.find('os/kernel') is None


def test_qemu_domain_has_no_host_model_cpu():
    _instance, root = host_xml('qemu')
    assert root.get('type') == 'qemu'
    assert root.find('cpu') is None


def test_disk_serial_and_interfaces():
    instance, root = host_xml('kvm')
    inst_dir = '/inst/%s' % instance['uuid']
    disk = root.find('devices/disk')
    assert disk.get('type') == 'file'
    assert disk.find('driver').get('type') == 'qcow2'
    assert disk.find('source').get('file') == inst_dir + '/disk'
    assert disk.find('target').attrib == {'dev': 'vda', 'bus': 'virtio'}
    serial = root.find('devices/serial')
    assert serial.get('type') == 'file'
    assert serial.find('source').get('path') == inst_dir + '/console.log'
    console = root.find('devices/console')
    assert console.find('target').get('type') == 'serial'
    nics = root.findall('devices/interface')
    assert [n.get('type') for n in nics] == ['bridge', 'bridge']
    assert [n.find('source').get('bridge') for n in nics] == \
        ['br100', 'br101']
    assert [n.find('mac').get('address') for n in nics] == \
        ['fa:16:3e:00:00:05', 'fa:16:3e:00:01:05']
    assert {n.find('model').get('type') for n in nics} == {'virtio'}


def test_direct_kernel_boot():
    _instance, root = host_xml('kvm', kernel='/base/k', ramdisk='/base/r')
    assert root.findtext('os/kernel') == '/base/k'
    assert root.findtext('os/initrd') == '/base/r'
    assert 'root=/dev/vda' in root.findtext('os/cmdline')
    assert root.find('os/boot') is None


def test_kernel_without_ramdisk_and_custom_cmdline():
    _instance, root = host_xml('qemu', kernel='/base/k', cmdline='ro quiet')
    assert root.find('os/initrd') is None
    assert root.findtext('os/cmdline') == 'ro quiet'


def test_second_disk_and_scsi_controller():
    disks = [domain_xml.DiskSpec('/d/disk', 'qcow2', 'scsi'),
             domain_xml.DiskSpec('/d/disk.local', 'qcow2', 'scsi')]
    _instance, root = host_xml('kvm', disks=disks, vif_model='e1000')
    targets = [d.find('target').get('dev') for d in root.iter('disk')]
    assert targets == ['sda', 'sdb']
    assert root.find('devices/controller').get('model') == 'virtio-scsi'
    assert root.find('devices/interface/model').get('type') == 'e1000'


@pytest.mark.parametrize('bus', ['virtio', 'ide'])
def test_an_iso_config_drive_is_a_read_only_ide_cdrom(bus):
    # On an ide root (hda, hdb) as on virtio, hdd clashes with no disk.
    disks = [domain_xml.DiskSpec('/d/disk', 'qcow2', bus),
             domain_xml.DiskSpec('/d/disk.local', 'qcow2', bus),
             domain_xml.config_drive_disk('/d/disk.config', 'iso9660', bus)]
    _instance, root = host_xml('kvm', disks=disks)
    found = root.findall('devices/disk')
    prefix = domain_xml.DISK_BUSES[bus]
    assert [(d.get('device'), d.find('target').get('dev'),
             d.find('target').get('bus')) for d in found] == [
        ('disk', prefix + 'a', bus), ('disk', prefix + 'b', bus),
        ('cdrom', 'hdd', 'ide')]
    cdrom = found[2]
    assert cdrom.find('source').get('file') == '/d/disk.config'
    assert cdrom.find('driver').get('type') == 'raw'
    assert cdrom.find('readonly') is not None
    assert found[0].find('readonly') is None


def test_a_vfat_config_drive_is_the_next_disk_on_the_roots_bus():
    disks = [domain_xml.DiskSpec('/d/disk', 'qcow2', 'scsi'),
             domain_xml.config_drive_disk('/d/disk.config', 'vfat', 'scsi')]
    _instance, root = host_xml('kvm', disks=disks)
    found = root.findall('devices/disk')
    assert [(d.get('device'), d.find('target').get('dev'),
             d.find('driver').get('type')) for d in found] == [
        ('disk', 'sda', 'qcow2'), ('disk', 'sdb', 'raw')]
    assert found[1].find('readonly') is None


def test_metadata_marks_our_domains():
    instance = make_instance(display_name='web', root_gb=20, ephemeral_gb=5)
    _instance, root = host_xml('kvm', instance=instance)
    meta = root.find('metadata/nova:instance', NS)
    assert meta.findtext('nova:uuid', namespaces=NS) == instance['uuid']
    assert meta.findtext('nova:name', namespaces=NS) == 'web'
    flavor = meta.find('nova:flavor', NS)
    assert flavor.findtext('nova:vcpus', namespaces=NS) == '2'
    assert flavor.findtext('nova:root_gb', namespaces=NS) == '20'
    assert flavor.findtext('nova:ephemeral_gb', namespaces=NS) == '5'


@pytest.mark.parametrize('kwargs', [{'vif_model': 'bogus'}])
def test_unknown_vif_model_is_invalid(kwargs):
    with pytest.raises(exception.Invalid):
        host_xml('kvm', **kwargs)


def test_unknown_virt_type_is_invalid():
    with pytest.raises(exception.Invalid):
        host_xml('xen')


def test_libvirt_accepts_host_xml(tmp_path):
    # The test driver parses full kvm definitions too: a schema check.
    node = tmp_path / 'node.xml'
    node.write_text(host_mod.make_test_node_xml(2, 4 * 1024 * 1024))
    conn = libvirt.open('test://%s' % node)
    try:
        instance = make_instance()
        xml = domain_xml.host_domain_xml(
            instance, 'kvm', [domain_xml.DiskSpec('/d/disk', 'qcow2',
                                                  'virtio'),
                              domain_xml.config_drive_disk(
                                  '/d/disk.config', 'iso9660', 'virtio')],
            '/d/console.log', NETWORK, kernel='/b/k', ramdisk='/b/r')
        dom = conn.defineXML(xml)
        assert dom.UUIDString() == instance['uuid']
        cdrom = ET.fromstring(dom.XMLDesc()).find(
            "devices/disk[@device='cdrom']")
        assert cdrom.find('target').get('dev') == 'hdd'
        assert cdrom.find('readonly') is not None
        assert dom.metadata(libvirt.VIR_DOMAIN_METADATA_ELEMENT,
                            domain_xml.NOVA_NS)
    finally:
        conn.close()
