"""Cinder's RBD connection_info as a libvirt network disk, the connector
this host gives Cinder, and the ceph secret's XML."""

import xml.etree.ElementTree as ET

import pytest

from common import exception
from nova_compute.virt.libvirt import volume

VOLUME = '5b3f1a2c-7d8e-4f90-a1b2-c3d4e5f60718'
SECRET = 'b2c3d4e5-f607-4182-93a4-b5c6d7e8f901'
RBD = {'driver_volume_type': 'rbd', 'data': {
    'name': 'volumes/volume-%s' % VOLUME, 'hosts': ['127.0.0.1', '::1'],
    'ports': ['6789', '6790'], 'auth_enabled': True,
    'auth_username': 'cinder', 'secret_type': 'ceph',
    'secret_uuid': 'from-cinder', 'discard': True}}


def test_rbd_volume_is_a_network_disk_with_its_monitors():
    disk = volume.disk_element(RBD, 'vdb', serial=VOLUME)
    assert disk.get('type') == 'network' and disk.get('device') == 'disk'
    source = disk.find('source')
    assert source.attrib == {'protocol': 'rbd',
                             'name': 'volumes/volume-%s' % VOLUME}
    assert [h.attrib for h in source.findall('host')] == [
        {'name': '127.0.0.1', 'port': '6789'}, {'name': '::1', 'port': '6790'}]
    assert disk.find('target').attrib == {'dev': 'vdb', 'bus': 'virtio'}
    assert disk.find('serial').text == VOLUME
    assert disk.find('driver').get('type') == 'raw'
    auth = disk.find('auth')
    assert auth.get('username') == 'cinder'
    assert auth.find('secret').attrib == {'type': 'ceph',
                                          'uuid': 'from-cinder'}


def test_the_hosts_own_rbd_user_and_secret_win():
    disk = volume.disk_element(RBD, 'vdc', bus='scsi', rbd_user='nova',
                               rbd_secret_uuid=SECRET)
    assert disk.find('auth').get('username') == 'nova'
    assert disk.find('auth/secret').get('uuid') == SECRET
    assert disk.find('target').get('bus') == 'scsi'


def test_no_auth_when_ceph_has_none():
    info = {'driver_volume_type': 'rbd',
            'data': dict(RBD['data'], auth_enabled=False)}
    assert volume.disk_element(info, 'vdb').find('auth') is None


@pytest.mark.parametrize('info', [
    {'driver_volume_type': 'iscsi', 'data': {}}, {}, None,
    {'driver_volume_type': 'rbd', 'data': {'name': 'no-pool'}},
    {'driver_volume_type': 'rbd', 'data': {}}])
def test_what_cannot_be_attached_is_refused_clearly(info):
    with pytest.raises(exception.Invalid):
        volume.disk_element(info, 'vdb')


def test_disk_xml_is_text_libvirt_takes():
    text = volume.disk_xml(RBD, 'vdb', serial=VOLUME)
    assert ET.fromstring(text).find('source').get('protocol') == 'rbd'


def test_connector_names_this_host():
    conn = volume.connector('compute1', '192.0.2.10')
    assert conn['host'] == 'compute1' and conn['ip'] == '192.0.2.10'
    assert conn['multipath'] is False and conn['do_local_attach'] is False


def test_secret_xml_is_private_and_for_the_ceph_user():
    secret = ET.fromstring(volume.secret_xml(SECRET, 'nova'))
    assert secret.attrib == {'ephemeral': 'no', 'private': 'yes'}
    assert secret.find('uuid').text == SECRET
    assert secret.find('usage').get('type') == 'ceph'
    assert secret.find('usage/name').text == 'client.nova secret'
