"""configdrive.py: the images it writes, read back (pycdlib for the ISO,
mtools for vfat), the options that pick them, and how it fails."""

import base64
import io
import json
import os
import shutil
import subprocess
import uuid

import pycdlib
import pytest

from common import exception
from common.conf import CONF
from nova_compute.virt import configdrive

USER_DATA = b'#!/bin/sh\necho first line\n\xff\x00 binary tail\n'
KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKey test@host'
NETWORK = [{'address': '10.0.0.5', 'mac': 'fa:16:3e:00:00:05',
            'bridge': 'br100', 'network': 'private'}]


@pytest.fixture(autouse=True)
def conf():
    yield CONF
    CONF.reset()


def make_instance(**fields):
    instance = {'id': 42, 'uuid': str(uuid.uuid4()), 'display_name': 'vm',
                'hostname': 'vm-1', 'project_id': 'p1',
                'availability_zone': 'nova', 'key_name': 'k1',
                'key_data': KEY, 'key_type': 'ssh',
                'user_data': base64.b64encode(USER_DATA).decode(),
                'metadata': {'role': 'web'}, 'flavor': {'name': 'm1.tiny'},
                'image_ref': 'a1b2c3d4-0000-0000-0000-000000000000',
                'config_drive': True, 'fixed_ips': []}
    instance.update(fields)
    return instance


def read_iso(path):
    """(volume label, {Rock Ridge path: bytes}, Joliet paths)."""
    iso = pycdlib.PyCdlib()
    iso.open(path)
    try:
        assert iso.has_rock_ridge() and iso.has_joliet()
        label = iso.pvd.volume_identifier.decode().strip()
        files = {}
        for root, _dirs, names in iso.walk(rr_path='/'):
            for name in names:
                rr_path = os.path.join(root, name)
                out = io.BytesIO()
                iso.get_file_from_iso_fp(out, rr_path=rr_path)
                files[rr_path.lstrip('/')] = out.getvalue()
        joliet = {os.path.join(root, name).lstrip('/')
                  for root, _dirs, names in iso.walk(joliet_path='/')
                  for name in names}
    finally:
        iso.close()
    return label, files, joliet


def mtools(*argv):
    return subprocess.run(argv, check=True, capture_output=True,
                          env=dict(os.environ, MTOOLS_SKIP_CHECK='1')).stdout


def read_vfat(path, names):
    """(volume label, {path: bytes} of `names`, every path on it)."""
    listing = mtools('mdir', '-/', '-b', '-i', path, '::/').decode()
    found = {line.split('::/', 1)[1] for line in listing.split()
             if '::/' in line}
    files = {name: mtools('mtype', '-i', path, '::/' + name)
             for name in names}
    label = mtools('mlabel', '-s', '-i', path, '::').decode()
    return label.split('is', 1)[1].strip(), files, found


def test_iso_holds_every_file_of_the_trees_labelled_config_2(tmp_path):
    instance = make_instance()
    path = configdrive.build(instance, NETWORK, str(tmp_path))
    assert path == str(tmp_path / 'disk.config')
    label, files, joliet = read_iso(path)
    assert label == 'config-2'
    # Every metadata version's files, by their real (long, lower case)
    # names in both Rock Ridge and Joliet.
    assert 'openstack/latest/meta_data.json' in files
    assert 'openstack/2012-08-10/user_data' in files
    assert 'openstack/2015-10-15/network_data.json' in files
    assert 'ec2/latest/meta-data.json' in files
    assert set(files) == joliet
    assert not any(name.endswith('/password') for name in files)
    meta = json.loads(files['openstack/latest/meta_data.json'])
    assert meta['uuid'] == instance['uuid']
    assert meta['hostname'] == 'vm-1'
    assert meta['public_keys'] == {'k1': KEY}
    assert meta['meta'] == {'role': 'web'}
    assert files['openstack/latest/user_data'] == USER_DATA
    assert files['ec2/latest/user-data'] == USER_DATA
    network = json.loads(files['openstack/latest/network_data.json'])
    assert network['networks'][0]['ip_address'] == '10.0.0.5'
    assert network['links'][0]['ethernet_mac_address'] == \
        'fa:16:3e:00:00:05'
    ec2 = json.loads(files['ec2/latest/meta-data.json'])
    assert ec2['instance-id'] == 'i-0000002a'
    assert ec2['local-ipv4'] == '10.0.0.5'


def test_iso_of_an_instance_without_user_data_has_none(tmp_path):
    instance = make_instance(user_data=None, key_data=None)
    _label, files, _joliet = read_iso(
        configdrive.build(instance, NETWORK, str(tmp_path)))
    assert not any('user' in name for name in files)
    meta = json.loads(files['openstack/latest/meta_data.json'])
    assert meta['public_keys'] == {} and meta['keys'] == []


def test_the_instances_own_fixed_ips_come_before_the_builds(tmp_path):
    instance = make_instance(fixed_ips=[{'address': '10.0.0.9',
                                         'mac': 'fa:16:3e:00:00:09'}])
    _label, files, _joliet = read_iso(
        configdrive.build(instance, NETWORK, str(tmp_path)))
    network = json.loads(files['openstack/latest/network_data.json'])
    assert [n['ip_address'] for n in network['networks']] == ['10.0.0.9']


def test_xorriso_writes_the_iso_when_mkisofs_cmd_is_missing(
        tmp_path, conf):
    conf.set_override('mkisofs_cmd', 'no-such-mkisofs')
    assert configdrive.mkisofs_command('no-such-mkisofs') == \
        ['xorriso', '-as', 'mkisofs']
    label, files, _joliet = read_iso(
        configdrive.build(make_instance(), NETWORK, str(tmp_path)))
    assert label == 'config-2'
    assert files['openstack/latest/user_data'] == USER_DATA


def test_mkisofs_cmd_names_the_command_used(tmp_path, conf):
    mkisofs = shutil.which('mkisofs') or shutil.which('genisoimage')
    conf.set_override('mkisofs_cmd', mkisofs)
    assert configdrive.mkisofs_command(mkisofs) == [mkisofs]
    label, _files, _joliet = read_iso(
        configdrive.build(make_instance(), NETWORK, str(tmp_path)))
    assert label == 'config-2'


def test_vfat_drive_is_64_mib_labelled_config_2(tmp_path, conf):
    conf.set_override('config_drive_format', 'vfat')
    instance = make_instance()
    path = configdrive.build(instance, NETWORK, str(tmp_path))
    assert os.path.getsize(path) == 64 * 1024 * 1024
    names = ['openstack/latest/meta_data.json', 'openstack/latest/user_data',
             'ec2/latest/meta-data.json']
    label, files, found = read_vfat(path, names)
    assert label == 'config-2'
    assert json.loads(files[names[0]])['uuid'] == instance['uuid']
    assert files[names[1]] == USER_DATA
    assert json.loads(files[names[2]])['hostname'] == 'vm-1'
    assert 'openstack/2012-08-10/meta_data.json' in found
    assert 'openstack/2020-10-14/network_data.json' in found
    blkid = subprocess.run(['blkid', '-o', 'export', path],
                           capture_output=True, text=True).stdout
    if blkid:
        # What cloud-init's probe sees (blkid may be missing here).
        assert 'LABEL=config-2' in blkid and 'TYPE=vfat' in blkid


def test_config_drive_format_takes_only_iso9660_or_vfat(conf):
    with pytest.raises(ValueError):
        conf.set_override('config_drive_format', 'ntfs')
    assert conf.config_drive_format == 'iso9660'
    assert conf.mkisofs_cmd == 'genisoimage'
    assert conf.force_config_drive is False


@pytest.mark.parametrize('asked,forced,required,recorded', [
    (True, False, True, {}),
    (False, False, False, {}),
    (None, False, False, {}),
    # Forced by this host: stored, so the API shows it.
    (False, True, True, {'config_drive': True}),
    (True, True, True, {}),
])
def test_a_drive_is_asked_for_or_forced(conf, asked, forced, required,
                                        recorded):
    conf.set_override('force_config_drive', forced)
    instance = {'config_drive': asked}
    assert configdrive.required(instance) is required
    assert configdrive.recorded(instance) == recorded


def test_a_failing_tool_is_a_clear_error_and_leaves_nothing(tmp_path, conf):
    conf.set_override('mkisofs_cmd', shutil.which('false'))
    with pytest.raises(exception.ConfigDriveBuildFailed) as raised:
        configdrive.build(make_instance(), NETWORK, str(tmp_path))
    assert raised.value.message == \
        'Could not build the config drive: false exited with 1: no message'
    assert os.listdir(tmp_path) == []


def test_no_iso_tool_at_all_is_a_clear_error(tmp_path, conf, monkeypatch):
    monkeypatch.setattr(configdrive.shutil, 'which', lambda *a, **k: None)
    conf.set_override('mkisofs_cmd', 'mkisofs-here')
    with pytest.raises(exception.ConfigDriveBuildFailed,
                       match='neither mkisofs-here nor xorriso is '
                             'installed'):
        configdrive.build(make_instance(), NETWORK, str(tmp_path))
    conf.set_override('config_drive_format', 'vfat')
    with pytest.raises(exception.ConfigDriveBuildFailed,
                       match=r'needs mkfs.vfat \(dosfstools\) and mcopy'):
        configdrive.build(make_instance(), NETWORK, str(tmp_path))
    assert os.listdir(tmp_path) == []


def test_contents_past_the_limit_are_refused_before_any_tool_runs(
        tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(configdrive, '_run', ran.append)
    monkeypatch.setattr(configdrive, 'MAX_CONTENT_BYTES', 4096)
    # 1 KiB of user data, once per metadata version and twice for EC2.
    instance = make_instance(user_data=base64.b64encode(
        b'x' * 1024).decode())
    with pytest.raises(exception.ConfigDriveBuildFailed,
                       match='more than the 4096 allowed'):
        configdrive.build(instance, NETWORK, str(tmp_path))
    assert ran == [] and os.listdir(tmp_path) == []


def test_a_new_drive_replaces_the_old_whole_or_not_at_all(tmp_path, conf):
    first = configdrive.build(make_instance(), NETWORK, str(tmp_path))
    with open(first, 'rb') as f:
        old = f.read()
    # A failed rebuild of the drive leaves the old one as it was.
    conf.set_override('mkisofs_cmd', shutil.which('false'))
    with pytest.raises(exception.ConfigDriveBuildFailed):
        configdrive.build(make_instance(user_data=None), NETWORK,
                          str(tmp_path))
    with open(first, 'rb') as f:
        assert f.read() == old
    conf.clear_override('mkisofs_cmd')
    new_data = base64.b64encode(b'#cloud-config\n').decode()
    configdrive.build(make_instance(user_data=new_data), NETWORK,
                      str(tmp_path))
    _label, files, _joliet = read_iso(first)
    assert files['openstack/latest/user_data'] == b'#cloud-config\n'
    # No temporary file or directory stays behind.
    assert os.listdir(tmp_path) == ['disk.config']
