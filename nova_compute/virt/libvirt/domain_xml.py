"""Builds the libvirt domain XML of an instance, simulated or real."""

import collections
import re
import xml.etree.ElementTree as ET

from common import exception
from nova_compute.virt.libvirt import volume

# Our own namespace for the <metadata> block: its presence is what marks a
# domain as one of ours (list_instance_uuids skips all others).
NOVA_NS = 'http://nova-lite.invalid/instance/1'
ET.register_namespace('nova', NOVA_NS)

# Guest device name prefix per disk bus.
DISK_BUSES = {'virtio': 'vd', 'scsi': 'sd', 'sata': 'sd', 'ide': 'hd'}
VIF_MODELS = ('virtio', 'e1000', 'e1000e', 'rtl8139', 'ne2k_pci', 'pcnet')

# A disk to attach: file path, its format (qcow2/raw), the guest bus, and
# the device it is to the guest ('disk', or 'cdrom': read-only); or, with
# `rbd` (connection info as Cinder gives a volume's), an RBD image QEMU
# opens over the network (path None).
DiskSpec = collections.namedtuple('DiskSpec', 'path fmt bus device rbd',
                                  defaults=('disk', None))
# Where an ISO config drive goes: the secondary IDE channel's second unit,
# which the root and ephemeral disks (hda, hdb when their bus is ide)
# never reach; every x86 machine type libvirt defaults to has IDE.
CDROM_BUS = 'ide'
CDROM_DEV = 'hdd'
# What XML 1.0 cannot carry at all (ElementTree writes it, and libvirt
# then refuses the whole domain).
_NOT_XML = re.compile('[^\t\n\r\x20-\ud7ff\ue000-\ufffd'
                      '\U00010000-\U0010ffff]')


def default_cmdline(disk_bus='virtio'):
    """Kernel command line for direct boot when the image gives none."""
    # Root on the first disk of that bus; messages go to the serial log as
    # well as the screen.
    return 'root=/dev/%sa console=tty0 console=ttyS0' % DISK_BUSES[disk_bus]


def domain_name(uuid):
    return 'instance-%s' % uuid


def _nova(tag):
    return '{%s}%s' % (NOVA_NS, tag)


def _sub(parent, tag, text=None, **attrib):
    element = ET.SubElement(parent, tag, attrib)
    if text is not None:
        # A user's text (the display name, stored before the API refused
        # control characters) must not make the domain undefinable.
        element.text = _NOT_XML.sub('\ufffd', str(text))
    return element


def _metadata(parent, instance):
    meta = _sub(_sub(parent, 'metadata'), _nova('instance'))
    _sub(meta, _nova('uuid'), instance['uuid'])
    _sub(meta, _nova('name'), instance.get('display_name') or '')
    flavor = _sub(meta, _nova('flavor'))
    for key in ('vcpus', 'memory_mb', 'root_gb', 'ephemeral_gb'):
        _sub(flavor, _nova(key), int(instance.get(key) or 0))
    _sub(meta, _nova('image_ref'), instance.get('image_ref') or '')


def _skeleton(instance, domain_type):
    """<domain> with the parts every guest has: identity, metadata, size."""
    domain = ET.Element('domain', type=domain_type)
    _sub(domain, 'name', domain_name(instance['uuid']))
    _sub(domain, 'uuid', instance['uuid'])
    _metadata(domain, instance)
    _sub(domain, 'memory', int(instance['memory_mb']), unit='MiB')
    _sub(domain, 'vcpu', int(instance['vcpus']))
    return domain


def simulated_domain_xml(instance):
    """A domain for libvirt's test driver: no devices, nothing on disk."""
    domain = _skeleton(instance, 'test')
    _sub(_sub(domain, 'os'), 'type', 'hvm')
    return ET.tostring(domain, encoding='unicode')


def _os(domain, kernel, ramdisk, cmdline):
    os_el = _sub(domain, 'os')
    _sub(os_el, 'type', 'hvm')
    if kernel:
        _sub(os_el, 'kernel', kernel)
        if ramdisk:
            _sub(os_el, 'initrd', ramdisk)
        _sub(os_el, 'cmdline', cmdline or default_cmdline())
    else:
        _sub(os_el, 'boot', dev='hd')


def config_drive_disk(path, fmt, disk_bus):
    """The DiskSpec of a config drive of format `fmt` (iso9660 or vfat):
    an ISO is a CD-ROM, a vfat image one more disk on the root's bus."""
    if fmt == 'iso9660':
        return DiskSpec(path, 'raw', CDROM_BUS, 'cdrom')
    return DiskSpec(path, 'raw', disk_bus)


def _disks(devices, disks, reserved=()):
    # `reserved`: guest devices volumes hold (vda for a boot volume), which
    # the local disks' names skip.
    used = collections.Counter()
    for disk in disks:
        prefix = DISK_BUSES.get(disk.bus)
        if prefix is None:
            raise exception.Invalid(
                reason='unsupported disk bus %r' % disk.bus)
        if disk.device == 'cdrom':
            dev = CDROM_DEV
        else:
            # vda, vdb, ... counted per prefix (scsi and sata share "sd").
            dev = prefix + chr(ord('a') + used[prefix])
            while dev in reserved:
                used[prefix] += 1
                dev = prefix + chr(ord('a') + used[prefix])
            used[prefix] += 1
        if disk.rbd:
            devices.append(volume.disk_element(disk.rbd, dev, disk.bus))
            continue
        element = _sub(devices, 'disk', type='file', device=disk.device)
        _sub(element, 'driver', name='qemu', type=disk.fmt)
        _sub(element, 'source', file=disk.path)
        _sub(element, 'target', dev=dev, bus=disk.bus)
        if disk.device == 'cdrom':
            _sub(element, 'readonly')
    if any(disk.bus == 'scsi' for disk in disks):
        _sub(devices, 'controller', type='scsi', model='virtio-scsi')


def _interfaces(devices, network_info, vif_model):
    if vif_model not in VIF_MODELS:
        raise exception.Invalid(reason='unsupported vif model %r' % vif_model)
    for vif in network_info:
        element = _sub(devices, 'interface', type='bridge')
        _sub(element, 'mac', address=vif['mac'])
        _sub(element, 'source', bridge=vif['bridge'])
        _sub(element, 'model', type=vif_model)


def _serial_console(devices, console_path, serial_tcp=None):
    # The serial port writes to a file we can read back for
    # get_console_output; <console> makes it the guest's primary console.
    # With `serial_tcp` (host, port) the port is a TCP server a console
    # proxy connects to, and <log> still copies what the guest writes to
    # the file.
    if serial_tcp is None:
        serial = _sub(devices, 'serial', type='file')
        _sub(serial, 'source', path=console_path)
    else:
        serial = _sub(devices, 'serial', type='tcp')
        _sub(serial, 'source', mode='bind', host=serial_tcp[0],
             service=str(serial_tcp[1]))
        _sub(serial, 'protocol', type='raw')
        _sub(serial, 'log', file=console_path, append='on')
    _sub(serial, 'target', port='0')
    console = _sub(devices, 'console', type=serial.get('type'))
    for child in serial:
        if child.tag != 'target':
            console.append(child)
    _sub(console, 'target', type='serial', port='0')


def _vnc(devices, listen):
    """A VNC display on `listen`, its port chosen by libvirt at start."""
    graphics = _sub(devices, 'graphics', type='vnc', autoport='yes',
                    listen=listen)
    _sub(graphics, 'listen', type='address', address=listen)


def host_domain_xml(instance, virt_type, disks, console_path, network_info,
                    kernel=None, ramdisk=None, cmdline=None,
                    vif_model='virtio', volume_disks=(), serial_tcp=None,
                    vnc_listen=None):
    """A kvm or qemu (TCG) domain with disks, bridged NICs and a serial log.

    disks: DiskSpec list, the root disk first; kernel/ramdisk: file paths for
    direct kernel boot (cmdline defaults to default_cmdline());
    volume_disks: <disk> elements of volumes (volume.disk_element), a boot
    volume first, whose target names the local disks then skip;
    serial_tcp: (host, port) the serial port listens on for a console
    proxy (its output still logged); vnc_listen: the address of a VNC
    display, if any.
    """
    if virt_type not in ('kvm', 'qemu'):
        raise exception.Invalid(reason='unsupported virt_type %r' % virt_type)
    domain = _skeleton(instance, virt_type)
    _os(domain, kernel, ramdisk, cmdline)
    features = _sub(domain, 'features')
    _sub(features, 'acpi')
    _sub(features, 'apic')
    if virt_type == 'kvm':
        # TCG cannot run the host's CPU model, so only kvm asks for it.
        _sub(domain, 'cpu', mode='host-model')
    _sub(domain, 'clock', offset='utc')
    _sub(domain, 'on_poweroff', 'destroy')
    _sub(domain, 'on_reboot', 'restart')
    _sub(domain, 'on_crash', 'destroy')
    devices = _sub(domain, 'devices')
    targets = [d.find('target').get('dev') for d in volume_disks]
    # A boot volume (vda) comes first: the firmware boots the first disk.
    devices.extend(d for d, t in zip(volume_disks, targets) if t == 'vda')
    _disks(devices, disks, reserved=set(targets))
    devices.extend(d for d, t in zip(volume_disks, targets) if t != 'vda')
    _interfaces(devices, network_info, vif_model)
    _serial_console(devices, console_path, serial_tcp)
    if vnc_listen:
        _vnc(devices, vnc_listen)
    _sub(devices, 'memballoon', model='virtio')
    return ET.tostring(domain, encoding='unicode')


def console_ports(xml):
    """What a running domain's XML says of its consoles: {'serial': (host,
    port) of a TCP serial port, 'vnc': its VNC port}, each when present
    (a VNC port of -1, not started yet, counts as absent)."""
    devices = ET.fromstring(xml).find('devices')
    found = {}
    if devices is None:
        return found
    for serial in devices.findall('serial'):
        source = serial.find('source')
        if serial.get('type') == 'tcp' and source is not None and \
                source.get('service', '').isdigit():
            found['serial'] = (source.get('host'), int(source.get('service')))
            break
    for graphics in devices.findall('graphics'):
        port = graphics.get('port', '')
        if graphics.get('type') == 'vnc' and port.isdigit():
            found['vnc'] = int(port)
            break
    return found
