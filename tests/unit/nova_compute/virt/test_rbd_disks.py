"""rbd_disks.py on a fake Ceph: names, import, reuse, removal, errors,
and what libvirt is told (monitors, key)."""

import subprocess
import uuid

import pytest

from common import exception
from nova_compute.virt.libvirt import rbd_disks
from tests.unit.nova_compute.virt import fake_ceph

GiB = 1 << 30


@pytest.fixture
def ceph(tmp_path):
    keyring = tmp_path / 'keyring'
    keyring.write_text('[client.openstack]\n')
    return fake_ceph.FakeCeph(keyring=str(keyring))


@pytest.fixture
def disks(ceph):
    return rbd_disks.RbdDisks('vms', '/etc/ceph/test.conf', 'openstack',
                              run=ceph)


@pytest.fixture
def image(tmp_path):
    path = tmp_path / 'base.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(path),
                    '64M'], check=True)
    return str(path), 'qcow2', 64 << 20


def _commands(ceph):
    """'tool verb' of each command run, its client options left out."""
    return ['%s %s' % (c[0], fake_ceph.strip_client_args(c[1:])[0])
            for c in ceph.calls]


def test_disk_names_are_the_uuid_and_refuse_anything_else():
    uid = str(uuid.uuid4())
    assert rbd_disks.disk_name(uid) == uid + '_disk'
    assert rbd_disks.disk_name(uid, rbd_disks.EPHEMERAL) == \
        uid + '_disk.local'
    for bad in ('', '..', 'x', None, uid + '/x'):
        with pytest.raises(exception.Invalid):
            rbd_disks.disk_name(bad)


def test_a_bad_pool_is_refused():
    for bad in ('', 'a/b', 'a@snap'):
        with pytest.raises(exception.Invalid):
            rbd_disks.RbdDisks(bad)


def test_root_is_imported_and_grown_to_the_flavor_and_ephemeral_blank(
        ceph, disks, image):
    uid = str(uuid.uuid4())
    names, made = disks.make_instance_disks(uid, 1, 2, lambda: image)
    assert names == made == [uid + '_disk', uid + '_disk.local']
    assert ceph.images == {'vms/%s_disk' % uid: GiB,
                           'vms/%s_disk.local' % uid: 2 * GiB}
    convert = [c for c in ceph.calls if c[:2] == ['qemu-img', 'convert']][0]
    # Imported under .part, as the user, through the conf given.
    assert convert[-1] == ('rbd:vms/%s_disk.part:id=openstack:'
                           'conf=/etc/ceph/test.conf' % uid)
    assert ceph.ceph_calls('rename')[0][-2:] == [
        'vms/%s_disk.part' % uid, 'vms/%s_disk' % uid]
    assert disks.instance_images(uid) == names


def test_root_gb_0_keeps_the_images_own_size(ceph, disks, image):
    uid = str(uuid.uuid4())
    disks.make_instance_disks(uid, 0, 0, lambda: image)
    assert ceph.images == {'vms/%s_disk' % uid: 64 << 20}
    # The image's size is known: no resize, nor a question to Ceph.
    assert _commands(ceph) == ['rbd info', 'qemu-img convert', 'rbd rename']


def test_a_part_left_by_a_killed_compute_is_replaced(ceph, disks, image):
    uid = str(uuid.uuid4())
    ceph.images['vms/%s_disk.part' % uid] = 12345
    disks.make_instance_disks(uid, 1, 0, lambda: image)
    assert ceph.images == {'vms/%s_disk' % uid: GiB}
    assert _commands(ceph) == ['rbd info', 'qemu-img convert', 'rbd rm',
                               'qemu-img convert', 'qemu-img resize',
                               'rbd rename']


def test_an_existing_root_disk_is_kept_and_the_image_not_fetched(
        ceph, disks):
    uid = str(uuid.uuid4())
    ceph.images['vms/%s_disk' % uid] = 5 * GiB

    def fetch():
        raise AssertionError('an evacuated disk needs no image')
    names, made = disks.make_instance_disks(uid, 1, 1, fetch)
    assert names == [uid + '_disk', uid + '_disk.local']
    assert made == [uid + '_disk.local']
    assert ceph.images['vms/%s_disk' % uid] == 5 * GiB


def test_a_failed_import_leaves_nothing_and_says_why(ceph, disks, image):
    uid = str(uuid.uuid4())
    ceph.fail['convert'] = (1, 'qemu-img: error while writing: No space')
    with pytest.raises(exception.HypervisorError) as raised:
        disks.make_instance_disks(uid, 1, 0, lambda: image)
    assert raised.value.message == (
        'Hypervisor error: Importing %s into RBD image vms/%s_disk.part: '
        'qemu-img: error while writing: No space' % (image[0], uid))
    assert ceph.images == {}


def test_a_failed_ephemeral_disk_removes_the_root_made(ceph, disks, image):
    uid = str(uuid.uuid4())
    ceph.fail['create'] = (1, 'rbd: create error: (28) No space left')
    with pytest.raises(exception.HypervisorError) as raised:
        disks.make_instance_disks(uid, 1, 1, lambda: image)
    assert 'No space left' in raised.value.message
    assert ceph.images == {}


def test_remove_instance_takes_its_images_only(ceph, disks):
    uid, other = str(uuid.uuid4()), str(uuid.uuid4())
    for name in (uid + '_disk', uid + '_disk.local', uid + '_disk.part',
                 other + '_disk', 'volume-' + uid):
        ceph.images['vms/' + name] = GiB
    assert disks.remove_instance(uid) == sorted(
        [uid + '_disk', uid + '_disk.local', uid + '_disk.part'])
    assert sorted(ceph.images) == ['vms/%s_disk' % other,
                                   'vms/volume-' + uid]
    # Nothing left: nothing to do, no error.
    assert disks.remove_instance(uid) == []
    disks.remove(uid + '_disk')


def test_a_missing_pool_is_a_clear_error(ceph):
    disks = rbd_disks.RbdDisks('nopool', run=ceph)
    with pytest.raises(exception.HypervisorError) as raised:
        disks.remove_instance(str(uuid.uuid4()))
    assert raised.value.message == (
        'Hypervisor error: Listing RBD pool nopool: rbd: listing images '
        'failed: (2) No such file or directory')


def test_a_hung_or_missing_tool_is_a_clear_error():
    def hung(argv, **kwargs):
        assert kwargs['timeout'] == rbd_disks.COMMAND_TIMEOUT
        raise subprocess.TimeoutExpired(argv, kwargs['timeout'])

    def missing(argv, **kwargs):
        raise FileNotFoundError(2, 'No such file or directory')
    with pytest.raises(exception.HypervisorError) as raised:
        rbd_disks.RbdDisks('vms', run=hung).exists('x')
    assert raised.value.message == ('Hypervisor error: Reading RBD image '
                                    'vms/x: rbd did not finish in 60 s')
    with pytest.raises(exception.HypervisorError) as raised:
        rbd_disks.RbdDisks('vms', run=missing).exists('x')
    assert 'cannot run rbd' in raised.value.message


def test_default_conf_and_user_are_left_to_ceph(ceph):
    disks = rbd_disks.RbdDisks('vms', run=ceph)
    assert disks.qemu_target('a:b') == 'rbd:vms/a\\:b'
    disks.exists('x')
    assert ceph.calls[-1] == ['rbd', 'info', '--format', 'json', 'vms/x']


@pytest.mark.parametrize('mon_host, hosts, ports', [
    ('[v2:10.0.0.1:3300,v1:10.0.0.1:6789]', ['10.0.0.1'], ['6789']),
    ('10.0.0.1:6790, 10.0.0.2,mon3', ['10.0.0.1', '10.0.0.2', 'mon3'],
     ['6790', '6789', '6789']),
    ('[v2:10.0.0.1:3300]', [], []),
    ('', [], []),
])
def test_monitors_are_the_v1_addresses(mon_host, hosts, ports):
    assert rbd_disks.monitors(mon_host) == (hosts, ports)


def test_connection_info_names_the_image_monitors_and_secret(disks):
    info = disks.connection_info('u_disk', 'sec-uuid')
    assert info == {'driver_volume_type': 'rbd', 'data': {
        'name': 'vms/u_disk', 'hosts': ['192.0.2.1', '192.0.2.2'],
        'ports': ['6789', '6790'], 'auth_enabled': True,
        'auth_username': 'openstack', 'secret_uuid': 'sec-uuid'}}


def test_client_key_comes_from_the_keyring_that_holds_it(ceph, disks):
    assert disks.client_key() == fake_ceph.KEY
    other = rbd_disks.RbdDisks('vms', user='nobody', run=ceph)
    with pytest.raises(exception.HypervisorError) as raised:
        other.client_key()
    assert raised.value.message == (
        'Hypervisor error: no keyring holds the key of client.nobody '
        '(read: %s)' % ceph.keyring)
