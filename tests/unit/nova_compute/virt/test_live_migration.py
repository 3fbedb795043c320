"""The libvirt driver's live-migration steps (live_migration.py).

Two drivers stand for the two hosts: each on a libvirt test connection
with its simulated mode switched off (as test_driver_real_host.py does),
so spawn makes real qcow2 files, and each with an instances_path of its
own (nothing shared) unless a test shares it. The migration itself, which
the test driver cannot do, runs against a fake domain recording what
libvirt was asked; tests/functional/test_live_migration_hosts.py does it
for real.
"""

import os
import subprocess
import threading
import uuid
import xml.etree.ElementTree as ET

import libvirt
import pytest

from common import exception
from common.conf import CONF
from nova_compute.virt import driver as driver_base
from nova_compute.virt.libvirt import driver as libvirt_driver
from nova_compute.virt.libvirt import live_migration as lm
from tests.host_conf import HostConf
from tests.unit.nova_compute.virt.test_driver_real_host import (
    make_instance)


@pytest.fixture
def conf(tmp_path):
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('host', 'node-%s' % uuid.uuid4().hex[:8])
    CONF.set_override('virt_type', 'qemu', group='libvirt')
    yield CONF
    CONF.reset()


def _driver(path, name, **libvirt_opts):
    drv = libvirt_driver.LibvirtDriver(HostConf(path, **libvirt_opts))
    drv.init_host(name)
    drv.host.is_test = False
    return drv


@pytest.fixture
def hosts(conf, tmp_path):
    src = _driver(str(tmp_path / 'a'), 'src',
                  live_migration_inbound_addr='192.0.2.1')
    dst = _driver(str(tmp_path / 'b'), 'dst',
                  live_migration_inbound_addr='192.0.2.2')
    yield src, dst
    src.cleanup_host()
    dst.cleanup_host()


@pytest.fixture
def image(tmp_path):
    store = tmp_path / 'store'
    store.mkdir()
    disk = store / 'disk.qcow2'
    subprocess.run(['qemu-img', 'create', '-f', 'qcow2', str(disk), '64M'],
                   check=True, capture_output=True)
    return {'id': 'img-1', 'name': 'disk', 'disk_format': 'qcow2',
            'size': disk.stat().st_size, 'min_disk': 0, 'properties': {},
            'location': str(disk)}


@pytest.fixture
def running(hosts, image):
    src, _dst = hosts
    instance = make_instance(ephemeral_gb=1)
    src.spawn(instance, image, [])
    return instance


def _checked(hosts, instance, block_migration='auto'):
    src, dst = hosts
    data = dst.live_migration_steps().check_destination(instance,
                                                        block_migration)
    try:
        return src.live_migration_steps().check_source(instance, data)
    finally:
        dst.live_migration_steps().cleanup_destination_check(data)


def test_the_test_driver_refuses_every_step(conf, tmp_path):
    drv = libvirt_driver.LibvirtDriver(HostConf(str(tmp_path / 'a')))
    drv.init_host('h')
    steps = drv.live_migration_steps()
    instance = make_instance()
    for call in (lambda: steps.check_destination(instance),
                 lambda: steps.check_source(instance, {}),
                 lambda: steps.pre_live_migration(instance, {}, [], {}),
                 lambda: steps.migrate(instance, {})):
        with pytest.raises(exception.MigrationPreCheckError) as err:
            call()
        assert 'test driver' in err.value.message
        assert err.value.code == 400


def test_a_driver_without_migration_says_so():
    class Bare:
        pass
    with pytest.raises(exception.MigrationPreCheckError) as err:
        driver_base.ComputeDriver.live_migration_steps(Bare())
    assert 'Bare driver cannot live-migrate' in err.value.message


def test_auto_is_a_block_migration_between_unshared_paths(hosts, running):
    data = _checked(hosts, running)
    assert data['block_migration'] is True
    assert data['is_shared_instance_path'] is False
    assert data['dst_inbound_addr'] == '192.0.2.2'
    assert data['src_instance_dir'].endswith(running['uuid'])
    targets = {d['target']: d for d in data['disks']}
    assert set(targets) == {'vda', 'vdb'}
    assert targets['vda']['backing'] and not targets['vdb']['backing']
    assert targets['vda']['virtual_size'] == 1024 ** 3
    # The destination's marker is gone once the check is over.
    assert not [n for n in os.listdir(hosts[1]._conf.instances_path)
                if n.startswith(lm.MARKER_PREFIX)]


def test_auto_on_a_shared_instance_path_is_not_block(conf, tmp_path,
                                                     image):
    shared = str(tmp_path / 'shared')
    src = _driver(shared, 'src')
    dst = _driver(shared, 'dst')
    instance = make_instance()
    src.spawn(instance, image, [])
    data = _checked((src, dst), instance)
    assert data['block_migration'] is False
    assert data['is_shared_instance_path'] is True
    with pytest.raises(exception.MigrationPreCheckError) as err:
        _checked((src, dst), instance, block_migration=True)
    assert 'cannot block migrate' in err.value.message


def test_without_block_migration_unshared_hosts_are_refused(hosts, running):
    with pytest.raises(exception.MigrationPreCheckError) as err:
        _checked(hosts, running, block_migration=False)
    assert 'needs shared storage' in err.value.message


def test_source_checks(hosts, running, monkeypatch):
    src, dst = hosts
    steps = src.live_migration_steps()
    base = dst.live_migration_steps().check_destination(running)
    cases = [({'dst_virt_type': 'kvm'}, 'virt_type kvm on the destination'),
             ({'dst_hypervisor_version': 1}, 'older hypervisor'),
             ({'disk_available_mb': 10}, 'has 10 MB of disk free')]
    for change, message in cases:
        with pytest.raises(exception.MigrationPreCheckError) as err:
            steps.check_source(running, dict(base, **change))
        assert message in err.value.message
    with pytest.raises(exception.MigrationPreCheckError) as err:
        steps.check_source(dict(running, block_device_mappings=[
            {'volume_id': 'v-1'}]), base)
    assert 'volumes' in err.value.message
    src.power_off(running)
    with pytest.raises(exception.MigrationPreCheckError) as err:
        steps.check_source(running, base)
    assert 'is not running' in err.value.message


def test_destination_refuses_an_instance_it_has(hosts, running):
    src, _dst = hosts
    with pytest.raises(exception.MigrationPreCheckError) as err:
        src.live_migration_steps().check_destination(running)
    assert 'already has a domain' in err.value.message


def test_pre_live_migration_makes_empty_disks_of_the_same_size(hosts,
                                                               running,
                                                               image):
    src, dst = hosts
    data = _checked(hosts, running)
    data = dst.live_migration_steps().pre_live_migration(
        running, image, [], data)
    inst_dir = os.path.join(dst._conf.instances_path, running['uuid'])
    assert data['dst_paths'] == {data['src_instance_dir']: inst_dir}
    for name, size in (('disk', 1024 ** 3), ('disk.local', 1024 ** 3)):
        info = lm.qemu_img.info(os.path.join(inst_dir, name))
        assert info['virtual-size'] == size
    root = lm.qemu_img.info(os.path.join(inst_dir, 'disk'))
    # Over the destination's own copy of the base image.
    assert root['backing-filename'].startswith(dst._conf.instances_path)
    assert os.path.exists(os.path.join(inst_dir, 'console.log'))
    # The domain XML the destination gets points at its own files.
    xml = lm.destination_xml(
        src.host.lookup(running['uuid']).XMLDesc(0), data['dst_paths'])
    # File sources only: a TCP serial port's source names no file.
    paths = [s.get('file') or s.get('path')
             for s in ET.fromstring(xml).iter('source')
             if s.get('file') or s.get('path')]
    assert paths and all(p.startswith(inst_dir) for p in paths)


def test_destination_xml_moves_kernel_initrd_and_logs():
    xml = ('<domain><os><kernel>/a/_base/k</kernel><initrd>/a/_base/r'
           '</initrd></os><devices><disk type="file"><source file='
           '"/a/u/disk"/></disk><serial type="file"><source path='
           '"/a/u/console.log"/></serial><disk type="file"><source file='
           '"/elsewhere/x"/></disk></devices></domain>')
    out = ET.fromstring(lm.destination_xml(xml, {
        '/a/u': '/b/u', '/a/_base/k': '/b/_base/k2',
        '/a/_base/r': '/b/_base/r2'}))
    assert out.findtext('os/kernel') == '/b/_base/k2'
    assert out.findtext('os/initrd') == '/b/_base/r2'
    assert [s.get('file') or s.get('path') for s in out.iter('source')] == \
        ['/b/u/disk', '/b/u/console.log', '/elsewhere/x']
    assert lm.destination_xml(xml, {}) == xml


def test_destination_xml_moves_a_tcp_serial_ports_log():
    xml = ('<domain><devices><serial type="tcp"><source mode="bind" '
           'host="127.0.0.1" service="10001"/><log file="/a/u/console.log" '
           'append="on"/></serial></devices></domain>')
    out = ET.fromstring(lm.destination_xml(xml, {'/a/u': '/b/u'}))
    assert out.find('devices/serial/log').get('file') == '/b/u/console.log'
    assert out.find('devices/serial/source').get('service') == '10001'


class FakeDomain:
    """What migrate() asks of a domain; migrateToURI3 runs until
    `release` is set, or fails with `error`."""

    def __init__(self, error=None, hold=False):
        self.calls = []
        self.error = error
        self.release = threading.Event()
        if not hold:
            self.release.set()
        self.started = threading.Event()
        self.state_now = libvirt.VIR_DOMAIN_RUNNING

    def XMLDesc(self, flags=0):
        return ('<domain><devices><disk type="file"><source file='
                '"/src/u/disk"/></disk></devices></domain>')

    def UUIDString(self):
        return 'u'

    def info(self):
        return [1, 256 * 1024, 256 * 1024, 1, 0]

    def isActive(self):
        return True

    def state(self):
        return [self.state_now, 0]

    def migrateToURI3(self, uri, params, flags):
        self.calls.append(('migrate', uri, params, flags))
        self.started.set()
        self.release.wait(10)
        if self.error is not None:
            raise self.error

    def jobStats(self, flags=0):
        return {'type': libvirt.VIR_DOMAIN_JOB_UNBOUNDED,
                'data_total': 200, 'data_remaining': 50, 'downtime': 12}

    def abortJob(self):
        self.calls.append(('abortJob',))
        self.error = _libvirt_error('operation aborted: migration out')
        self.release.set()

    def suspend(self):
        self.calls.append(('suspend',))
        self.state_now = libvirt.VIR_DOMAIN_PAUSED

    def resume(self):
        self.calls.append(('resume',))
        self.state_now = libvirt.VIR_DOMAIN_RUNNING

    def migrateStartPostCopy(self, flags=0):
        self.calls.append(('postcopy',))
        self.release.set()


def _libvirt_error(message):
    err = libvirt.libvirtError(message)
    err.err = (libvirt.VIR_ERR_OPERATION_ABORTED, 0, message, 2, '', '',
               '', 0, 0)
    return err


def _migrate_data(block=True):
    return {'block_migration': block, 'dst_inbound_addr': '192.0.2.2',
            'dst_paths': {'/src/u': '/dst/u'},
            'disks': [{'target': 'vda', 'readonly': False},
                      {'target': 'hdd', 'readonly': True}]}


def _steps(conf, tmp_path, dom, monkeypatch, **opts):
    drv = _driver(str(tmp_path / 'a'), 'src', **opts)
    monkeypatch.setattr(drv, '_domain', lambda instance: dom)
    monkeypatch.setattr(drv.host, 'lookup', lambda uuid: dom)
    monkeypatch.setattr(lm, 'MONITOR_INTERVAL', 0.01)
    return drv.live_migration_steps()


def test_migrate_is_peer_to_peer_with_the_destination_paths(
        conf, tmp_path, monkeypatch):
    dom = FakeDomain()
    steps = _steps(conf, tmp_path, dom, monkeypatch,
                   live_migration_bandwidth=5)
    result = steps.migrate({'uuid': 'u'}, _migrate_data())
    (_, uri, params, flags), = dom.calls
    assert uri == 'qemu+tcp://192.0.2.2/system'
    assert flags == (libvirt.VIR_MIGRATE_LIVE | libvirt.VIR_MIGRATE_PEER2PEER
                     | libvirt.VIR_MIGRATE_PERSIST_DEST |
                     libvirt.VIR_MIGRATE_UNDEFINE_SOURCE |
                     libvirt.VIR_MIGRATE_NON_SHARED_INC)
    assert params[libvirt.VIR_MIGRATE_PARAM_URI] == 'tcp://192.0.2.2'
    assert params[libvirt.VIR_MIGRATE_PARAM_BANDWIDTH] == 5
    # Only the writable disks are copied.
    assert params[libvirt.VIR_MIGRATE_PARAM_MIGRATE_DISKS] == ['vda']
    assert '/dst/u/disk' in params[libvirt.VIR_MIGRATE_PARAM_DEST_XML]
    assert params[libvirt.VIR_MIGRATE_PARAM_PERSIST_XML] == \
        params[libvirt.VIR_MIGRATE_PARAM_DEST_XML]
    assert result['post_copy'] is False and result['paused'] is False
    assert not steps.running({'uuid': 'u'})


def test_shared_storage_migration_copies_no_disk(conf, tmp_path,
                                                 monkeypatch):
    dom = FakeDomain()
    steps = _steps(conf, tmp_path, dom, monkeypatch,
                   live_migration_scheme='ssh',
                   live_migration_permit_post_copy=True)
    steps.migrate({'uuid': 'u'}, _migrate_data(block=False))
    (_, uri, params, flags), = dom.calls
    assert uri == 'qemu+ssh://192.0.2.2/system'
    assert not flags & libvirt.VIR_MIGRATE_NON_SHARED_INC
    assert flags & libvirt.VIR_MIGRATE_POSTCOPY
    assert libvirt.VIR_MIGRATE_PARAM_MIGRATE_DISKS not in params
    assert libvirt.VIR_MIGRATE_PARAM_BANDWIDTH not in params


def test_live_migration_uri_wins(conf, tmp_path, monkeypatch):
    steps = _steps(conf, tmp_path, FakeDomain(), monkeypatch,
                   live_migration_uri='qemu+tls://%s.example/system')
    assert steps.dest_uri('dst') == 'qemu+tls://dst.example/system'
    assert steps.dest_uri('fd00::2') == 'qemu+tls://fd00::2.example/system'
    plain = _steps(conf, tmp_path, FakeDomain(), monkeypatch)
    assert plain.dest_uri('fd00::2') == 'qemu+tcp://[fd00::2]/system'


def _in_background(steps, data, progress=None):
    outcome = {}

    def run():
        try:
            outcome['result'] = steps.migrate({'uuid': 'u'}, data, progress)
        except Exception as err:
            outcome['error'] = err
    worker = threading.Thread(target=run)
    worker.start()
    return worker, outcome


def test_abort_stops_the_migration_and_says_so(conf, tmp_path, monkeypatch):
    dom = FakeDomain(hold=True)
    steps = _steps(conf, tmp_path, dom, monkeypatch)
    seen = []
    worker, outcome = _in_background(steps, _migrate_data(),
                                     lambda pct, stats: seen.append(pct))
    assert dom.started.wait(5)
    for _ in range(500):
        if seen:
            break
        threading.Event().wait(0.01)
    assert steps.running({'uuid': 'u'})
    steps.abort({'uuid': 'u'})
    worker.join(10)
    assert isinstance(outcome['error'], exception.LiveMigrationAborted)
    assert 'aborted on request' in outcome['error'].message
    assert ('abortJob',) in dom.calls
    assert seen and seen[0] == 75
    # Nothing runs now: a second abort is refused.
    with pytest.raises(exception.InvalidMigrationState) as err:
        steps.abort({'uuid': 'u'})
    assert 'Cannot abort' in err.value.message


def test_a_failed_migration_is_a_hypervisor_error(conf, tmp_path,
                                                  monkeypatch):
    dom = FakeDomain(error=_libvirt_error('unable to connect to server'))
    steps = _steps(conf, tmp_path, dom, monkeypatch)
    with pytest.raises(exception.HypervisorError) as err:
        steps.migrate({'uuid': 'u'}, _migrate_data())
    assert 'unable to connect to server' in err.value.message


def test_an_error_after_the_domain_left_is_a_success(conf, tmp_path,
                                                     monkeypatch):
    # libvirt's UNDEFINE_SOURCE ran (the guest is on the destination) and
    # the call still failed, e.g. the connection dropped at the end.
    dom = FakeDomain(error=_libvirt_error('connection reset'))
    steps = _steps(conf, tmp_path, dom, monkeypatch)
    monkeypatch.setattr(steps._driver.host, 'lookup', lambda uuid: None)
    assert steps.migrate({'uuid': 'u'}, _migrate_data())['paused'] is False


def test_force_complete_pauses_without_post_copy(conf, tmp_path,
                                                 monkeypatch):
    dom = FakeDomain(hold=True)
    steps = _steps(conf, tmp_path, dom, monkeypatch)
    worker, outcome = _in_background(steps, _migrate_data())
    assert dom.started.wait(5)
    steps.force_complete({'uuid': 'u'})
    steps.force_complete({'uuid': 'u'})   # once paused, nothing more
    dom.release.set()
    worker.join(10)
    assert dom.calls.count(('suspend',)) == 1
    assert outcome['result']['paused'] is True


def test_force_complete_switches_to_post_copy_when_permitted(
        conf, tmp_path, monkeypatch):
    dom = FakeDomain(hold=True)
    steps = _steps(conf, tmp_path, dom, monkeypatch,
                   live_migration_permit_post_copy=True)
    worker, outcome = _in_background(steps, _migrate_data())
    assert dom.started.wait(5)
    steps.force_complete({'uuid': 'u'})
    with pytest.raises(exception.InvalidMigrationState) as err:
        steps.abort({'uuid': 'u'})
    assert 'post-copy' in err.value.message
    worker.join(10)
    assert ('postcopy',) in dom.calls and ('suspend',) not in dom.calls
    assert outcome['result']['post_copy'] is True


def test_a_failure_after_a_forced_pause_resumes_the_guest(
        conf, tmp_path, monkeypatch):
    dom = FakeDomain(hold=True, error=_libvirt_error('lost connection'))
    steps = _steps(conf, tmp_path, dom, monkeypatch)
    worker, outcome = _in_background(steps, _migrate_data())
    assert dom.started.wait(5)
    steps.force_complete({'uuid': 'u'})
    dom.release.set()
    worker.join(10)
    assert isinstance(outcome['error'], exception.HypervisorError)
    assert dom.calls[-1] == ('resume',)


@pytest.mark.parametrize('action,expected', [('abort', 'abortJob'),
                                             ('force_complete', 'suspend')])
def test_past_the_completion_timeout(conf, tmp_path, monkeypatch, action,
                                     expected):
    dom = FakeDomain(hold=True)
    steps = _steps(conf, tmp_path, dom, monkeypatch,
                   live_migration_timeout_action=action)
    monkeypatch.setattr(steps, '_timeout', lambda dom, data: 0.05)
    worker, outcome = _in_background(steps, _migrate_data())
    for _ in range(500):
        if (expected,) in dom.calls:
            break
        threading.Event().wait(0.01)
    dom.release.set()
    worker.join(10)
    assert (expected,) in dom.calls
    if action == 'abort':
        assert 'completion timeout' in outcome['error'].message
    else:
        assert outcome['result']['paused'] is True


def test_completion_timeout_scales_with_what_is_copied(conf, tmp_path,
                                                       monkeypatch):
    steps = _steps(conf, tmp_path, FakeDomain(), monkeypatch,
                   live_migration_completion_timeout=800)
    dom = FakeDomain()
    assert steps._timeout(dom, {}) == 200   # 800 s/GiB, 256 MiB
    # A block migration copies its writable disks too.
    data = dict(_migrate_data(), disks=[
        {'target': 'vda', 'readonly': False, 'virtual_size': 1024 ** 3},
        {'target': 'hdd', 'readonly': True, 'virtual_size': 1024 ** 3}])
    assert steps._timeout(dom, data) == 1000
    none = _steps(conf, tmp_path, dom, monkeypatch,
                  live_migration_completion_timeout=0)
    assert none._timeout(dom, data) is None


def test_cleanup_on_either_host(hosts, running, image):
    src, dst = hosts
    data = dst.live_migration_steps().pre_live_migration(
        running, image, [], _checked(hosts, running))
    dst_dir = os.path.join(dst._conf.instances_path, running['uuid'])
    assert os.path.isdir(dst_dir)
    dst.live_migration_steps().rollback_at_destination(running, data)
    assert not os.path.exists(dst_dir)
    # The source's domain would be gone after libvirt's UNDEFINE_SOURCE;
    # a running one left is an error, not something to delete.
    with pytest.raises(exception.HypervisorError):
        src.live_migration_steps().post_at_source(running, data)
    src.power_off(running)
    src.live_migration_steps().post_at_source(running, data)
    assert src.host.lookup(running['uuid']) is None
    assert not os.path.exists(data['src_instance_dir'])


def test_shared_paths_are_never_removed(hosts, running):
    src, dst = hosts
    data = {'is_shared_instance_path': True}
    dst.live_migration_steps().rollback_at_destination(running, data)
    src_dir = os.path.join(src._conf.instances_path, running['uuid'])
    src.power_off(running)
    src.live_migration_steps().post_at_source(running, data)
    assert os.path.isdir(src_dir)


def test_progress_is_the_share_of_data_copied():
    assert lm.progress({}) == 0
    assert lm.progress({'data_total': 400, 'data_remaining': 100}) == 75
    assert lm.progress({'data_total': 400, 'data_remaining': 0}) == 100


def test_a_migration_left_unwatched_is_aborted(conf, tmp_path, monkeypatch):
    dom = FakeDomain()
    jobs = [libvirt.VIR_DOMAIN_JOB_UNBOUNDED]
    dom.jobInfo = lambda: [jobs[-1]]
    real_abort = dom.abortJob

    def abort():
        real_abort()
        jobs.append(libvirt.VIR_DOMAIN_JOB_NONE)
    dom.abortJob = abort
    steps = _steps(conf, tmp_path, dom, monkeypatch)
    monkeypatch.setattr(steps._driver.host, 'lookup', lambda uuid: dom)
    assert steps.abort_unwatched({'uuid': 'u'}) is True
    assert dom.calls == [('abortJob',)]
    # Gone from here (it completed before): nothing to abort, not here.
    monkeypatch.setattr(steps._driver.host, 'lookup', lambda uuid: None)
    assert steps.abort_unwatched({'uuid': 'u'}) is False


KVM_XML = ("<domain type='kvm'><cpu mode='custom' match='exact'>"
           "<model fallback='forbid'>Skylake-Client</model>"
           "<feature policy='require' name='ss'/></cpu></domain>")


def test_only_a_kvm_guest_cpu_is_compared():
    cpu = lm.guest_cpu(KVM_XML)
    assert cpu.startswith('<cpu') and 'Skylake-Client' in cpu
    assert lm.guest_cpu(KVM_XML.replace("'kvm'", "'qemu'")) is None
    assert lm.guest_cpu("<domain type='kvm'/>") is None


@pytest.mark.parametrize('answer,refused', [
    (libvirt.VIR_CPU_COMPARE_INCOMPATIBLE, True),
    (libvirt.VIR_CPU_COMPARE_SUPERSET, False)])
def test_the_destination_refuses_a_cpu_it_cannot_run(hosts, running, image,
                                                     monkeypatch, answer,
                                                     refused):
    src, dst = hosts
    asked = []

    class Conn:
        def compareCPU(self, xml, flags):
            asked.append(xml)
            return answer
    data = dict(_checked(hosts, running), guest_cpu=lm.guest_cpu(KVM_XML))
    monkeypatch.setattr(dst.host, 'get_connection', lambda: Conn())
    steps = dst.live_migration_steps()
    if refused:
        with pytest.raises(exception.MigrationPreCheckError) as err:
            steps.pre_live_migration(running, image, [], data)
        assert "cannot run the guest's CPU" in err.value.message
    else:
        steps.pre_live_migration(running, image, [], data)
    assert asked == [lm.guest_cpu(KVM_XML)]
