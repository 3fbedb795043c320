"""LibvirtDriver with [libvirt] images_type = rbd, on a fake Ceph: the
disks a spawn makes (simulated and real guests), what destroy removes
and keeps, and an evacuation that keeps the root disk."""

import base64
import os
import subprocess
import uuid
import xml.etree.ElementTree as ET

import pytest

from common import exception
from common import states
from common.conf import CONF
from nova_compute import rebuild
from nova_compute.virt.libvirt import domain_xml
from nova_compute.virt.libvirt import driver as libvirt_driver
from tests.unit.nova_compute import test_rebuild
from tests.unit.nova_compute.virt import fake_ceph

GiB = 1 << 30
SECRET = '6b7e3c0a-3f8f-4f57-9d7b-8c1f9a0e7d21'


@pytest.fixture
def ceph(tmp_path, monkeypatch):
    keyring = tmp_path / 'keyring'
    keyring.write_text('[client.openstack]\n')
    cluster = fake_ceph.FakeCeph(keyring=str(keyring))
    monkeypatch.setattr(subprocess, 'run', cluster)
    return cluster


@pytest.fixture
def conf(tmp_path, ceph):
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('instances_path', str(tmp_path / 'instances'))
    CONF.set_override('host', 'node-%s' % uuid.uuid4().hex[:8])
    CONF.set_override('virt_type', 'qemu', group='libvirt')
    CONF.set_override('shutdown_timeout', 0)
    CONF.set_override('images_type', 'rbd', group='libvirt')
    CONF.set_override('images_rbd_pool', 'vms', group='libvirt')
    CONF.set_override('images_rbd_ceph_conf', '/etc/ceph/test.conf',
                      group='libvirt')
    CONF.set_override('rbd_user', 'openstack', group='libvirt')
    yield CONF
    CONF.reset()


@pytest.fixture
def image(tmp_path):
    path = tmp_path / 'cirros.qcow2'
    subprocess.run(['qemu-img', 'create', '-q', '-f', 'qcow2', str(path),
                    '64M'], check=True)
    return {'id': 'img-1', 'name': 'cirros', 'disk_format': 'qcow2',
            'size': path.stat().st_size, 'min_disk': 0, 'properties': {},
            'location': str(path)}


def _driver(conf, real):
    drv = libvirt_driver.LibvirtDriver(conf)
    drv.init_host(conf.host)
    # The test connection, driven as a qemu:// host would be.
    drv.host.is_test = not real
    return drv


@pytest.fixture
def simulated(conf):
    drv = _driver(conf, real=False)
    yield drv
    drv.cleanup_host()


class FakeSecret:

    def __init__(self, xml):
        self.xml = xml
        self.value = None

    def setValue(self, value, flags=0):
        self.value = value


@pytest.fixture
def real(conf):
    drv = _driver(conf, real=True)
    # libvirt's test driver keeps no secrets: record what is defined.
    conn = drv.host.get_connection()
    conn.secrets = []

    def define(xml, flags=0):
        conn.secrets.append(FakeSecret(xml))
        return conn.secrets[-1]
    conn.secretDefineXML = define
    yield drv
    drv.cleanup_host()


def _instance(**fields):
    instance = {'uuid': str(uuid.uuid4()), 'display_name': 'vm', 'vcpus': 1,
                'memory_mb': 128, 'root_gb': 1, 'ephemeral_gb': 0,
                'image_ref': 'img-1', 'host': 'h', 'node': 'h',
                'vm_state': states.ACTIVE, 'task_state': None}
    instance.update(fields)
    return instance


def _imports(ceph):
    return [c for c in ceph.calls if c[:2] == ['qemu-img', 'convert']]


def test_a_simulated_guest_gets_its_disks_in_ceph(simulated, ceph, image):
    instance = _instance(ephemeral_gb=2)
    uid = instance['uuid']
    simulated.spawn(instance, image, [])
    assert simulated.get_power_state(instance) == states.RUNNING
    assert ceph.images == {'vms/%s_disk' % uid: GiB,
                           'vms/%s_disk.local' % uid: 2 * GiB}
    simulated.destroy(instance)
    assert ceph.images == {}
    assert simulated.get_power_state(instance) == states.NOSTATE


def test_a_server_booted_from_a_volume_gets_no_rbd_root_disk(
        simulated, ceph):
    instance = _instance(ephemeral_gb=1, image_ref='')
    boot_volume = {'boot_index': 0, 'device_name': 'vda',
                   'volume_id': str(uuid.uuid4()),
                   'connection_info': {'driver_volume_type': 'rbd', 'data': {
                       'name': 'volumes/volume-x'}}}
    simulated.spawn(instance, {}, [], [boot_volume])
    assert ceph.images == {'vms/%s_disk.local' % instance['uuid']: GiB}
    assert not _imports(ceph)
    simulated.destroy(instance)
    assert ceph.images == {}


def test_qcow2_hosts_never_call_ceph(simulated, ceph, image):
    CONF.set_override('images_type', 'qcow2', group='libvirt')
    instance = _instance()
    simulated.spawn(instance, image, [])
    simulated.destroy(instance)
    assert ceph.calls == []


def test_destroy_keeping_disks_leaves_them_for_the_evacuated_instance(
        simulated, ceph, image):
    instance = _instance()
    simulated.spawn(instance, image, [])
    simulated.destroy(instance, destroy_disks=False)
    assert list(ceph.images) == ['vms/%s_disk' % instance['uuid']]
    assert simulated.get_power_state(instance) == states.NOSTATE


def test_a_failed_spawn_removes_only_the_disks_it_made(
        simulated, ceph, image, monkeypatch):
    instance = _instance(ephemeral_gb=1)
    uid = instance['uuid']
    ceph.images['vms/%s_disk' % uid] = 3 * GiB  # left by an evacuation

    def broken(inst):
        raise exception.HypervisorError(reason='no domain for you')
    monkeypatch.setattr(domain_xml, 'simulated_domain_xml', broken)
    with pytest.raises(exception.HypervisorError):
        simulated.spawn(instance, image, [])
    assert ceph.images == {'vms/%s_disk' % uid: 3 * GiB}


@pytest.mark.parametrize('evacuate', [True, False])
def test_evacuate_reuses_the_root_disk_and_rebuild_makes_a_fresh_one(
        conf, ceph, image, evacuate):
    instance = _instance(task_state=states.REBUILDING)
    uid = instance['uuid']
    source = _driver(conf, real=False)
    source.spawn(instance, image, [])
    ceph.images['vms/%s_disk' % uid] = 7 * GiB  # the guest's, grown
    if evacuate:
        # The source host is dead: the rebuild runs on another host.
        target = libvirt_driver.LibvirtDriver(conf)
        target.init_host('other-host')
    else:
        target = source
    conductor = test_rebuild.FakeConductor()
    conductor.instance = instance
    before = len(_imports(ceph))
    rebuild.Rebuilder('h2', target, conductor).rebuild(
        None, instance, image, evacuate=evacuate)
    assert [failed for _values, failed in conductor.done] == [False]
    assert target.get_power_state(instance) == states.RUNNING
    if evacuate:
        assert ceph.images == {'vms/%s_disk' % uid: 7 * GiB}
        assert len(_imports(ceph)) == before
    else:
        assert ceph.images == {'vms/%s_disk' % uid: GiB}
        assert len(_imports(ceph)) == before + 1
    target.cleanup_host()
    source.cleanup_host()


def test_a_real_guest_boots_from_network_rbd_disks(real, ceph, image):
    CONF.set_override('rbd_secret_uuid', SECRET, group='libvirt')
    instance = _instance(ephemeral_gb=1)
    uid = instance['uuid']
    real.spawn(instance, image, [])
    dom = real.host.lookup(uid)
    disks = ET.fromstring(dom.XMLDesc(0)).findall('./devices/disk')
    assert [(d.get('type'), d.find('source').get('protocol'),
             d.find('source').get('name'), d.find('target').get('dev'))
            for d in disks] == [
        ('network', 'rbd', 'vms/%s_disk' % uid, 'vda'),
        ('network', 'rbd', 'vms/%s_disk.local' % uid, 'vdb')]
    root = disks[0]
    assert [(h.get('name'), h.get('port'))
            for h in root.findall('./source/host')] == [
        ('192.0.2.1', '6789'), ('192.0.2.2', '6790')]
    assert root.find('auth').get('username') == 'openstack'
    assert root.find('auth/secret').get('uuid') == SECRET
    assert root.find('driver').get('type') == 'raw'
    # No qcow2 overlay was made: the disks are in Ceph.
    assert not os.path.exists(os.path.join(real._instance_dir(uid), 'disk'))
    [secret] = real.host.get_connection().secrets
    assert ET.fromstring(secret.xml).findtext('uuid') == SECRET
    assert ET.fromstring(secret.xml).findtext('usage/name') == \
        'client.openstack secret'
    # libvirt holds the key's bytes, not its base64.
    assert secret.value == base64.b64decode(fake_ceph.KEY)
    real.destroy(instance)
    assert ceph.images == {}


def test_the_ceph_secret_is_defined_once_per_process(real, ceph, image):
    CONF.set_override('rbd_secret_uuid', SECRET, group='libvirt')
    for _ in range(2):
        real.spawn(_instance(), image, [])
    keyring_reads = [c for c in ceph.calls if c[0] == 'ceph-authtool']
    assert len(keyring_reads) == 1
    assert len(real.host.get_connection().secrets) == 1


def test_a_real_guest_without_a_secret_has_no_auth(real, ceph, image):
    instance = _instance()
    real.spawn(instance, image, [])
    root = ET.fromstring(real.host.lookup(instance['uuid']).XMLDesc(0)).find(
        './devices/disk')
    assert root.get('type') == 'network'
    assert root.find('auth') is None


def test_a_key_that_cannot_be_found_fails_the_spawn_clearly(
        real, ceph, image):
    CONF.set_override('rbd_secret_uuid', SECRET, group='libvirt')
    CONF.set_override('rbd_user', 'nobody', group='libvirt')
    instance = _instance()
    with pytest.raises(exception.HypervisorError) as raised:
        real.spawn(instance, image, [])
    assert 'no keyring holds the key of client.nobody' in \
        raised.value.message
    assert ceph.images == {}
    assert real.host.lookup(instance['uuid']) is None
