"""Rescue, unrescue and NMI injection for the libvirt driver (a mixin of
LibvirtDriver).

Rescue keeps the guest's own definition in <instance dir>/unrescue.xml,
then redefines the domain to boot from disk.rescue (an overlay of the
rescue image, first disk) with the original root disk second; unrescue
defines the kept definition again and removes both files. A rescue run
again (a compute restarted mid-way) keeps the first copy it made: the
definition it holds is always the guest's own, never a rescue one.

A test-driver domain has no disks: disk.rescue is an empty file there,
the domain's metadata marks it rescued, and the simulated console says
which disk booted, as a real guest's console would.
"""

import os
import xml.etree.ElementTree as ET

import libvirt

from common import exception
from nova_compute.virt.libvirt import domain_xml
from nova_compute.virt.libvirt import host as host_mod

RESCUE_DISK = 'disk.rescue'
SAVED_XML = 'unrescue.xml'
_NOVA_RESCUE = '{%s}rescue' % domain_xml.NOVA_NS


def _move_up(devices, bus):
    """Move every disk on `bus` one device name up (vda -> vdb...), so
    the first name is free for the rescue disk."""
    prefix = domain_xml.DISK_BUSES[bus]
    disks = [d for d in devices.findall('disk')
             if d.get('device') != 'cdrom' and d.find('target') is not None
             and d.find('target').get('dev', '').startswith(prefix)]
    for disk in disks:
        target = disk.find('target')
        dev = target.get('dev')
        target.set('dev', dev[:-1] + chr(ord(dev[-1]) + 1))
        for boot in disk.findall('boot'):
            disk.remove(boot)


def rescue_xml(original, rescue_disk, disk_bus, kernel=None, ramdisk=None,
               cmdline=None):
    """The domain XML that boots `rescue_disk` (qcow2) first, from the
    guest's own `original`: its disks move one name up (root vda becomes
    vdb). With `kernel` the guest boots it directly (root on the rescue
    disk); without, from the first disk."""
    domain = ET.fromstring(original)
    devices = domain.find('devices')
    prefix = domain_xml.DISK_BUSES[disk_bus]
    _move_up(devices, disk_bus)
    disk = ET.Element('disk', type='file', device='disk')
    ET.SubElement(disk, 'driver', name='qemu', type='qcow2')
    ET.SubElement(disk, 'source', file=rescue_disk)
    ET.SubElement(disk, 'target', dev=prefix + 'a', bus=disk_bus)
    first = devices.find('disk')
    index = list(devices).index(first) if first is not None else 0
    devices.insert(index, disk)
    os_el = domain.find('os')
    for tag in ('kernel', 'initrd', 'cmdline', 'boot'):
        for element in os_el.findall(tag):
            os_el.remove(element)
    if kernel:
        ET.SubElement(os_el, 'kernel').text = kernel
        if ramdisk:
            ET.SubElement(os_el, 'initrd').text = ramdisk
        ET.SubElement(os_el, 'cmdline').text = \
            cmdline or domain_xml.default_cmdline(disk_bus)
    else:
        # The firmware's first boot device, whatever the PCI order of
        # the disks (the kept ones keep their addresses).
        ET.SubElement(disk, 'boot', order='1')
    _mark(domain)
    return ET.tostring(domain, encoding='unicode')


def simulated_rescue_xml(original):
    """A test-driver domain's rescue definition: its own, marked."""
    domain = ET.fromstring(original)
    _mark(domain)
    return ET.tostring(domain, encoding='unicode')


def _mark(domain):
    meta = domain.find('metadata')
    instance = meta.find('{%s}instance' % domain_xml.NOVA_NS) \
        if meta is not None else None
    if instance is not None and instance.find(_NOVA_RESCUE) is None:
        ET.SubElement(instance, _NOVA_RESCUE).text = RESCUE_DISK


def is_rescue_xml(xml):
    return _NOVA_RESCUE in xml or 'nova:rescue' in xml


def root_disk_bus(original):
    """The bus of the guest's first disk (its root), virtio if none."""
    for disk in ET.fromstring(original).iter('disk'):
        target = disk.find('target')
        if disk.get('device') == 'disk' and target is not None:
            return target.get('bus') or 'virtio'
    return 'virtio'


class RescueMixin:
    """Needs what LibvirtDriver has: host, _domain, _instance_dir,
    _image_cache, _boot_files, _stop_hard, _undefine, _simulated_boot,
    _console_log."""

    def rescue(self, instance, image):
        """Boot the instance from a rescue disk made from `image`."""
        uuid = instance['uuid']
        inst_dir = self._instance_dir(uuid)
        saved = os.path.join(inst_dir, SAVED_XML)
        dom = self._domain(instance)
        if os.path.exists(saved):
            with open(saved, encoding='utf-8') as f:
                original = f.read()
        else:
            with self.host.errors('Reading the definition of %s' % uuid):
                original = dom.XMLDesc(libvirt.VIR_DOMAIN_XML_INACTIVE)
            if is_rescue_xml(original):
                raise exception.HypervisorError(
                    reason='%s is rescued already but its own definition '
                           'is lost' % uuid)
            _write(saved, original)
        disk = os.path.join(inst_dir, RESCUE_DISK)
        if self.host.is_test:
            open(disk, 'wb').close()
            xml = simulated_rescue_xml(original)
        else:
            if os.path.exists(disk):
                os.unlink(disk)
            self._image_cache.create_overlay(
                image, disk, int(instance.get('root_gb') or 0))
            kernel, ramdisk = self._boot_files(image)
            props = image.get('properties') or {}
            bus = props.get('hw_disk_bus') or root_disk_bus(original)
            if bus not in domain_xml.DISK_BUSES:
                bus = 'virtio'
            xml = rescue_xml(original, disk, bus, kernel, ramdisk,
                             props.get('os_command_line'))
        self._replace_domain(instance, dom, xml)
        self._rescue_console(instance, 'Rescue: booting from %s (image %s);'
                             ' the root disk is attached second'
                             % (RESCUE_DISK, image.get('id') or '-'))

    def unrescue(self, instance):
        """Boot the guest's own definition again; the rescue files go.
        Without a kept definition (never rescued, or done already) the
        domain there is the guest's own and is only started."""
        uuid = instance['uuid']
        inst_dir = self._instance_dir(uuid)
        saved = os.path.join(inst_dir, SAVED_XML)
        dom = self.host.lookup(uuid)
        if os.path.exists(saved):
            with open(saved, encoding='utf-8') as f:
                original = f.read()
            self._replace_domain(instance, dom, original)
            os.unlink(saved)
            self._rescue_console(instance, 'Unrescue: booting from the '
                                 'root disk')
        elif dom is None:
            raise exception.InstanceNotFound(instance_id=uuid)
        else:
            with self.host.errors('Starting %s' % uuid):
                if not dom.isActive():
                    dom.create()
        try:
            os.unlink(os.path.join(inst_dir, RESCUE_DISK))
        except FileNotFoundError:
            pass

    def is_rescued(self, instance):
        """Whether the domain there runs a rescue definition."""
        return os.path.exists(os.path.join(
            self._instance_dir(instance['uuid']), SAVED_XML))

    def _replace_domain(self, instance, dom, xml):
        uuid = instance['uuid']
        if dom is not None:
            self._stop_hard(dom)
            self._undefine(dom)
        with self.host.errors('Defining domain for %s' % uuid):
            dom = self.host.get_connection().defineXML(xml)
        with self.host.errors('Starting domain for %s' % uuid):
            dom.create()
        self._simulated_boot(instance)

    def _rescue_console(self, instance, line):
        if self.host.is_test:
            _append(self._console_log(instance), line)

    def inject_nmi(self, instance):
        """A non-maskable interrupt: a guest kernel set up for it panics
        and dumps (kdump). InstanceNotReady unless the guest runs;
        TriggerCrashDumpNotSupported where the hypervisor cannot."""
        uuid = instance['uuid']
        dom = self._domain(instance)
        try:
            if not dom.isActive():
                raise exception.InstanceNotReady(instance_id=uuid)
            dom.injectNMI(0)
        except libvirt.libvirtError as err:
            code = err.get_error_code()
            if code == libvirt.VIR_ERR_NO_SUPPORT:
                raise exception.TriggerCrashDumpNotSupported()
            if code == libvirt.VIR_ERR_OPERATION_INVALID:
                raise exception.InstanceNotReady(instance_id=uuid)
            if code == libvirt.VIR_ERR_NO_DOMAIN:
                raise exception.InstanceNotFound(instance_id=uuid)
            raise host_mod.hypervisor_error(err, 'Injecting an NMI')
        # The test driver takes the NMI and nothing runs to answer it:
        # its console says it came, as a real kernel's would.
        self._rescue_console(instance, 'NMI received: crash dump '
                             'triggered (simulated guest)')


def _write(path, text):
    tmp = path + '.tmp'
    with open(tmp, 'w', encoding='utf-8') as f:
        f.write(text)
    os.replace(tmp, path)


def _append(path, line):
    try:
        with open(path, 'a', encoding='utf-8') as f:
            f.write(line + '\n')
    except OSError:
        pass
