"""The metadata trees a guest reads (common/instance_metadata.py)."""

import base64
import json

import pytest

from common import exception
from common import instance_metadata
from common.conf import CONF

UUID = '6c5b6f4a-3f7e-4f0a-9f31-1c2d3e4f5a6b'
IMAGE = '0123abcd-aaaa-bbbb-cccc-000000000000'
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB demo@host'


def _instance(**overrides):
    inst = {
        'uuid': UUID, 'id': 42, 'display_name': 'web 1', 'hostname': 'web-1',
        'launch_index': 2, 'availability_zone': 'zone-a',
        'metadata': {'role': 'web'}, 'key_name': 'demo', 'key_data': KEY,
        'key_type': 'ssh',
        'user_data': base64.b64encode(b'#!/bin/sh\necho hi\n').decode(),
        'project_id': 'proj', 'flavor': {'name': 'm1.tiny'},
        'image_ref': IMAGE, 'reservation_id': 'r-0001', 'ephemeral_gb': 0,
        'fixed_ips': [{'address': '10.0.0.5', 'mac': 'fa:16:3e:00:00:05'}],
        'password': None}
    inst.update(overrides)
    return inst


@pytest.fixture
def metadata():
    return instance_metadata.InstanceMetadata(_instance())


def _json(value):
    return json.loads(value)


def test_meta_data_says_who_the_guest_is(metadata):
    meta = _json(metadata.lookup('/openstack/latest/meta_data.json'))
    assert meta['uuid'] == UUID and meta['name'] == 'web 1'
    assert meta['hostname'] == 'web-1' and meta['launch_index'] == 2
    assert meta['availability_zone'] == 'zone-a'
    assert meta['project_id'] == 'proj' and meta['meta'] == {'role': 'web'}
    assert meta['public_keys'] == {'demo': KEY}
    assert meta['keys'] == [{'name': 'demo', 'type': 'ssh', 'data': KEY}]
    assert meta['devices'] == []
    assert len(base64.b64decode(meta['random_seed'])) == 512


def test_tagged_volumes_are_its_devices():
    bdms = [{'destination_type': 'volume', 'volume_id': 'v-1', 'tag': 'db',
             'device_name': 'vdb', 'disk_bus': 'virtio'},
            {'destination_type': 'volume', 'volume_id': 'v-2', 'tag': None,
             'device_name': 'vdc'},
            {'destination_type': 'local', 'volume_id': None, 'tag': 'x'}]
    meta = _json(instance_metadata.InstanceMetadata(_instance(
        block_device_mappings=bdms)).lookup(
            '/openstack/latest/meta_data.json'))
    assert meta['devices'] == [{'type': 'disk', 'bus': 'virtio',
                                'serial': 'v-1', 'path': '/dev/vdb',
                                'tags': ['db']}]


def test_older_versions_carry_only_their_keys(metadata):
    old = _json(metadata.lookup('/openstack/2012-08-10/meta_data.json'))
    assert 'keys' not in old and 'random_seed' not in old
    assert old['public_keys'] == {'demo': KEY}
    assert metadata.lookup('/openstack/2012-08-10').split('\n') == [
        'meta_data.json', 'user_data']
    assert 'network_data.json' in metadata.lookup('/openstack/latest/')


def test_user_data_is_the_decoded_bytes(metadata):
    assert metadata.lookup('/openstack/latest/user_data') == \
        b'#!/bin/sh\necho hi\n'
    assert metadata.lookup('/2009-04-04/user-data') == b'#!/bin/sh\necho hi\n'


def test_without_user_data_there_is_no_such_file():
    metadata = instance_metadata.InstanceMetadata(_instance(user_data=None))
    assert 'user_data' not in metadata.lookup('/openstack/latest')
    with pytest.raises(exception.MetadataNotFound):
        metadata.lookup('/openstack/latest/user_data')
    with pytest.raises(exception.MetadataNotFound):
        metadata.lookup('/latest/user-data')


def test_network_data_gives_the_fixed_ip_gateway_and_dns(metadata):
    CONF.set_override('dns_servers', ['192.0.2.53'], 'network')
    try:
        net = _json(metadata.lookup('/openstack/latest/network_data.json'))
    finally:
        CONF.clear_override('dns_servers', 'network')
    [link] = net['links']
    assert link['ethernet_mac_address'] == 'fa:16:3e:00:00:05'
    [network] = net['networks']
    assert network['ip_address'] == '10.0.0.5'
    assert network['netmask'] == '255.255.255.0'
    assert network['link'] == link['id']
    assert network['routes'] == [{'network': '0.0.0.0', 'netmask': '0.0.0.0',
                                  'gateway': '10.0.0.1'}]
    assert net['services'] == [{'type': 'dns', 'address': '192.0.2.53'}]


def test_dns_defaults_to_the_gateway(metadata):
    net = _json(metadata.lookup('/openstack/latest/network_data.json'))
    assert net['services'] == [{'type': 'dns', 'address': '10.0.0.1'}]


def test_ec2_tree(metadata):
    assert metadata.lookup('/latest/meta-data/instance-id') == 'i-0000002a'
    assert metadata.lookup('/latest/meta-data/local-ipv4') == '10.0.0.5'
    assert metadata.lookup('/latest/meta-data/ami-id') == 'ami-0123abcd'
    assert metadata.lookup('/latest/meta-data/instance-type') == 'm1.tiny'
    assert metadata.lookup(
        '/2009-04-04/meta-data/placement/availability-zone') == 'zone-a'
    assert metadata.lookup('/latest/meta-data/public-keys') == '0=demo'
    assert metadata.lookup(
        '/latest/meta-data/public-keys/0/openssh-key') == KEY
    listing = metadata.lookup('/latest/meta-data/').split('\n')
    assert 'placement/' in listing and 'hostname' in listing
    assert metadata.lookup('/latest') == 'meta-data/\nuser-data'
    assert '2009-04-04' in metadata.lookup('/').split('\n')


def test_vendor_data_comes_from_the_configured_file(tmp_path, metadata):
    path = tmp_path / 'vendor.json'
    path.write_text('{"cloud": "lite"}')
    CONF.set_override('vendordata_jsonfile_path', str(path), 'api')
    try:
        metadata = instance_metadata.InstanceMetadata(_instance())
    finally:
        CONF.clear_override('vendordata_jsonfile_path', 'api')
    assert _json(metadata.lookup('/openstack/latest/vendor_data.json')) == \
        {'cloud': 'lite'}
    assert _json(metadata.lookup('/openstack/latest/vendor_data2.json')) == \
        {'static': {'cloud': 'lite'}}


def test_a_broken_vendor_file_gives_an_empty_object(tmp_path):
    path = tmp_path / 'vendor.json'
    path.write_text('[1, 2')
    CONF.set_override('vendordata_jsonfile_path', str(path), 'api')
    try:
        metadata = instance_metadata.InstanceMetadata(_instance())
    finally:
        CONF.clear_override('vendordata_jsonfile_path', 'api')
    assert metadata.lookup('/openstack/latest/vendor_data.json') == b'{}'


@pytest.mark.parametrize('path', [
    '/openstack/1999-01-01/meta_data.json', '/openstack/latest/nothing',
    '/openstack/latest/meta_data.json/x', '/openstack/../latest/user_data',
    '/latest/meta-data/../../etc/passwd', '/1999/meta-data/',
    '/latest/meta-data/instance-id/x', '/latest/nothing',
    '/latest/meta-data/public-keys/7/openssh-key'])
def test_unknown_paths_are_not_found(metadata, path):
    with pytest.raises(exception.MetadataNotFound):
        metadata.lookup(path)


def test_the_password_is_what_the_guest_posted():
    metadata = instance_metadata.InstanceMetadata(_instance(password='s3'))
    assert metadata.lookup('/openstack/latest/password') == b's3'
    empty = instance_metadata.InstanceMetadata(_instance())
    assert empty.lookup('/openstack/2013-04-04/password') == b''


def test_config_drive_holds_every_version_but_no_password(metadata):
    files = metadata.config_drive_files()
    assert json.loads(files['openstack/latest/meta_data.json'])['uuid'] == \
        UUID
    assert files['openstack/latest/user_data'] == b'#!/bin/sh\necho hi\n'
    assert 'openstack/2012-08-10/meta_data.json' in files
    assert not any(path.endswith('/password') for path in files)
    ec2 = json.loads(files['ec2/latest/meta-data.json'])
    assert ec2['instance-id'] == 'i-0000002a'
    assert files['ec2/2009-04-04/user-data'] == b'#!/bin/sh\necho hi\n'


def test_network_info_stands_in_for_missing_fixed_ips():
    metadata = instance_metadata.InstanceMetadata(
        _instance(fixed_ips=[]),
        network_info=[{'address': '10.0.0.9', 'mac': 'fa:16:3e:00:00:09'}])
    assert metadata.lookup('/latest/meta-data/local-ipv4') == '10.0.0.9'


def test_an_x509_key_is_listed_but_not_an_ssh_key():
    metadata = instance_metadata.InstanceMetadata(
        _instance(key_type='x509', key_data='-----BEGIN CERT'))
    meta = _json(metadata.lookup('/openstack/latest/meta_data.json'))
    assert meta['public_keys'] == {}
    assert meta['keys'][0]['type'] == 'x509'
    with pytest.raises(exception.MetadataNotFound):
        metadata.lookup('/latest/meta-data/public-keys')
