"""Cinder volumes as libvirt disks: the connector this host gives Cinder,
and the <disk> element for the connection_info Cinder answers with.

Only RBD (Ceph) is spoken: the guest's QEMU opens the image itself over
the network (no host block device), authenticating with a ceph secret
libvirt holds. [libvirt] rbd_user and rbd_secret_uuid, when set, win
over what Cinder sends, as in Nova: the compute host's own key, not the
volume service's.
"""

import platform
import xml.etree.ElementTree as ET

from common import exception

# The ceph client key libvirt keeps under rbd_secret_uuid.
SECRET_USAGE = 'ceph'


def connector(host, ip):
    """What Cinder needs to know of this host to connect a volume to it
    (os-brick's connector properties, for RBD's needs)."""
    return {'host': host, 'ip': ip, 'initiator': None, 'multipath': False,
            'enforce_multipath': False, 'platform': platform.machine(),
            'os_type': 'linux', 'do_local_attach': False}


def disk_element(connection_info, dev, bus='virtio', serial=None,
                 rbd_user=None, rbd_secret_uuid=None):
    """The <disk> of a volume at target `dev` on `bus`; `serial` (the
    volume id) lets the guest find it under /dev/disk/by-id."""
    kind = (connection_info or {}).get('driver_volume_type')
    if kind != 'rbd':
        raise exception.Invalid(reason='volumes of type %r cannot be '
                                       'attached here: only rbd' % kind)
    data = connection_info.get('data') or {}
    name = data.get('name')
    if not name or '/' not in name:
        raise exception.Invalid(reason='rbd connection info names no '
                                       'pool/image: %r' % name)
    disk = ET.Element('disk', type='network', device='disk')
    ET.SubElement(disk, 'driver', name='qemu', type='raw', cache='none',
                  discard='unmap')
    source = ET.SubElement(disk, 'source', protocol='rbd', name=name)
    hosts, ports = data.get('hosts') or [], data.get('ports') or []
    for host, port in zip(hosts, ports):
        ET.SubElement(source, 'host', name=str(host), port=str(port))
    user = rbd_user or data.get('auth_username')
    secret = rbd_secret_uuid or data.get('secret_uuid')
    if data.get('auth_enabled', True) and user and secret:
        auth = ET.SubElement(disk, 'auth', username=user)
        ET.SubElement(auth, 'secret', type=SECRET_USAGE, uuid=secret)
    ET.SubElement(disk, 'target', dev=dev, bus=bus)
    if serial:
        ET.SubElement(disk, 'serial').text = str(serial)
    return disk


def disk_xml(*args, **kwargs):
    return ET.tostring(disk_element(*args, **kwargs), encoding='unicode')


def secret_xml(secret_uuid, user):
    """A private, persistent libvirt secret for a ceph client's key (its
    value is set apart, with secretSetValue)."""
    secret = ET.Element('secret', ephemeral='no', private='yes')
    ET.SubElement(secret, 'uuid').text = secret_uuid
    usage = ET.SubElement(secret, 'usage', type=SECRET_USAGE)
    ET.SubElement(usage, 'name').text = 'client.%s secret' % user
    return ET.tostring(secret, encoding='unicode')
