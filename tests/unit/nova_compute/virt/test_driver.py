"""LibvirtDriver on libvirt's in-process test driver: instance lifecycle."""

import os
import threading
import time
import uuid
import xml.etree.ElementTree as ET

import jsonschema
import libvirt
import pytest

from common import exception
from common import states
from common.conf import CONF
from nova_compute.virt import driver as virt_driver
from nova_compute.virt import loader as virt_loader
from nova_compute.virt.libvirt import domain_xml
from nova_compute.virt.libvirt import driver as libvirt_driver
from tests.schemas import servers as server_schemas


@pytest.fixture
def conf(tmp_path):
    """CONF with state under tmp_path, a host of its own and a sized node."""
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('instances_path', str(tmp_path / 'instances'))
    CONF.set_override('host', 'node-%s' % uuid.uuid4().hex[:8])
    CONF.set_override('test_node_vcpus', 8, group='libvirt')
    CONF.set_override('test_node_memory_mb', 16384, group='libvirt')
    yield CONF
    CONF.reset()


@pytest.fixture
def driver(conf):
    drv = virt_loader.load_driver(conf)
    drv.init_host(conf.host)
    yield drv
    drv.cleanup_host()


def make_instance(**fields):
    instance = {'uuid': str(uuid.uuid4()), 'display_name': 'vm', 'vcpus': 1,
                'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0,
                'image_ref': 'img-1', 'host': 'h', 'node': 'h'}
    instance.update(fields)
    return instance


IMAGE = {'id': 'img-1', 'name': 'cirros', 'disk_format': 'qcow2', 'size': 1,
         'min_disk': 0, 'properties': {}, 'location': None}
NETWORK = [{'address': '10.0.0.5', 'mac': 'fa:16:3e:00:00:05',
            'bridge': 'br100', 'network': 'private'}]


def test_load_driver_gives_libvirt_driver(conf):
    drv = virt_loader.load_driver(conf)
    assert isinstance(drv, libvirt_driver.LibvirtDriver)
    assert isinstance(drv, virt_driver.ComputeDriver)


def test_spawn_run_list_destroy(driver, conf):
    instance = make_instance()
    inst_dir = os.path.join(conf.instances_path, instance['uuid'])
    driver.spawn(instance, IMAGE, NETWORK)
    assert driver.wait_for_running(instance, 5) == states.RUNNING
    assert driver.get_power_state(instance) == states.RUNNING
    assert driver.list_instance_uuids() == [instance['uuid']]
    assert os.path.isdir(inst_dir)

    driver.destroy(instance)
    assert driver.get_power_state(instance) == states.NOSTATE
    assert driver.list_instance_uuids() == []
    assert not os.path.exists(inst_dir)


def test_a_simulated_guest_gets_its_config_drive_file_only(driver, conf):
    # The drive is written as on a real host (tests read it as a guest
    # would), but a test domain has no devices to attach it to.
    instance = make_instance(id=7, config_drive=True, hostname='vm')
    driver.spawn(instance, IMAGE, NETWORK)
    inst_dir = os.path.join(conf.instances_path, instance['uuid'])
    assert sorted(os.listdir(inst_dir)) == ['console.log', 'disk.config']
    xml = ET.fromstring(driver.host.lookup(instance['uuid']).XMLDesc())
    assert xml.find('devices/disk') is None
    standard = driver.get_instance_diagnostics(instance)
    assert standard['config_drive'] is True
    driver.destroy(instance)
    assert not os.path.exists(inst_dir)


def test_a_config_drive_that_cannot_be_built_fails_the_spawn_cleanly(
        driver, conf):
    conf.set_override('mkisofs_cmd', '/bin/false')
    instance = make_instance(id=7, config_drive=True)
    with pytest.raises(exception.ConfigDriveBuildFailed,
                       match='false exited with 1'):
        driver.spawn(instance, IMAGE, NETWORK)
    assert driver.list_instance_uuids() == []
    assert not os.path.exists(os.path.join(conf.instances_path,
                                           instance['uuid']))


def test_fifty_spawns_are_all_listed(driver):
    # Spawn speed is bench/boot.py's to measure: a timed assertion here
    # failed on a loaded machine.
    instances = [make_instance() for _ in range(50)]
    for instance in instances:
        driver.spawn(instance, IMAGE, NETWORK)
    assert sorted(driver.list_instance_uuids()) == \
        sorted(i['uuid'] for i in instances)


def test_concurrent_spawns_share_one_connection(driver):
    instances = [make_instance() for _ in range(80)]
    errors = []

    def spawn_some(chunk):
        for instance in chunk:
            try:
                driver.spawn(instance, IMAGE, NETWORK)
            except Exception as err:  # reported below
                errors.append(err)

    threads = [threading.Thread(target=spawn_some, args=(instances[n::8],))
               for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(driver.list_instance_uuids()) == \
        sorted(i['uuid'] for i in instances)


def test_domain_is_named_and_tagged(driver):
    instance = make_instance(display_name='web-1', vcpus=2, memory_mb=1024)
    driver.spawn(instance, IMAGE, NETWORK)
    dom = driver.host.lookup(instance['uuid'])
    assert dom.name() == 'instance-%s' % instance['uuid']
    assert dom.UUIDString() == instance['uuid']
    root = ET.fromstring(dom.XMLDesc())
    assert root.get('type') == 'test'
    assert root.findtext('vcpu') == '2'
    ns = {'nova': domain_xml.NOVA_NS}
    meta = root.find('metadata/nova:instance', ns)
    assert meta.findtext('nova:uuid', namespaces=ns) == instance['uuid']
    assert meta.findtext('nova:name', namespaces=ns) == 'web-1'
    assert meta.findtext('nova:flavor/nova:memory_mb', namespaces=ns) == \
        '1024'


def test_a_name_with_control_characters_still_builds(driver):
    # Found by the API fuzzer: "a\x0bb" made libvirt refuse the domain
    # ("PCDATA invalid Char value 11"); such names may be stored already.
    instance = make_instance(display_name='a\x0bb\x00c\ufffed')
    driver.spawn(instance, IMAGE, NETWORK)
    root = ET.fromstring(driver.host.lookup(instance['uuid']).XMLDesc())
    ns = {'nova': domain_xml.NOVA_NS}
    assert root.findtext('metadata/nova:instance/nova:name',
                         namespaces=ns) == 'a\ufffdb\ufffdc\ufffdd'


def test_destroy_missing_domain_is_noop(driver):
    instance = make_instance()
    driver.destroy(instance)
    driver.destroy(instance)
    assert driver.get_power_state(instance) == states.NOSTATE


def test_destroy_twice_after_spawn(driver):
    instance = make_instance()
    driver.spawn(instance, IMAGE, NETWORK)
    driver.destroy(instance)
    driver.destroy(instance)


def test_foreign_domains_are_not_listed(driver):
    conn = driver.host.get_connection()
    conn.defineXML("<domain type='test'><name>not-ours</name>"
                   "<memory>1024</memory><os><type>hvm</type></os></domain>")
    instance = make_instance()
    driver.spawn(instance, IMAGE, NETWORK)
    assert len(conn.listAllDomains()) == 2
    assert driver.list_instance_uuids() == [instance['uuid']]


def test_builtin_test_domain_is_not_listed(conf):
    conf.set_override('connection_uri', 'test:///default', group='libvirt')
    drv = virt_loader.load_driver(conf)
    drv.init_host(conf.host)
    try:
        names = [d.name() for d in drv.host.get_connection().listAllDomains()]
        assert 'test' in names
        assert drv.list_instance_uuids() == []
    finally:
        drv.cleanup_host()


def test_spawn_of_existing_domain_fails_and_keeps_it(driver):
    instance = make_instance()
    driver.spawn(instance, IMAGE, NETWORK)
    with pytest.raises(exception.HypervisorError):
        driver.spawn(instance, IMAGE, NETWORK)
    assert driver.get_power_state(instance) == states.RUNNING


def test_wait_for_running_times_out_on_missing_instance(driver):
    start = time.monotonic()
    assert driver.wait_for_running(make_instance(), 0.1) == states.NOSTATE
    assert time.monotonic() - start >= 0.1


def test_power_off_on_and_reboot(driver):
    instance = make_instance()
    driver.spawn(instance, IMAGE, NETWORK)
    driver.power_off(instance)
    assert driver.get_power_state(instance) == states.SHUTDOWN
    driver.power_off(instance)  # already off: nothing to do
    driver.power_on(instance)
    assert driver.get_power_state(instance) == states.RUNNING
    driver.power_off(instance, timeout=2)  # graceful
    assert driver.get_power_state(instance) == states.SHUTDOWN
    driver.power_on(instance)
    driver.reboot(instance)
    assert driver.get_power_state(instance) == states.RUNNING
    driver.reboot(instance, reboot_type='HARD')
    assert driver.get_power_state(instance) == states.RUNNING


def test_reboot_of_stopped_instance_starts_it(driver):
    instance = make_instance()
    driver.spawn(instance, IMAGE, NETWORK)
    driver.power_off(instance)
    driver.reboot(instance)
    assert driver.get_power_state(instance) == states.RUNNING


def test_power_ops_on_missing_instance_raise_not_found(driver):
    instance = make_instance()
    for op in (driver.power_off, driver.power_on, driver.reboot):
        with pytest.raises(exception.InstanceNotFound):
            op(instance)


def test_paused_domain_maps_to_paused(driver):
    instance = make_instance()
    driver.spawn(instance, IMAGE, NETWORK)
    driver.host.lookup(instance['uuid']).suspend()
    assert driver.get_power_state(instance) == states.PAUSED_POWER


def test_power_state_mapping_is_complete():
    mapping = libvirt_driver.POWER_STATES
    assert mapping[libvirt.VIR_DOMAIN_NOSTATE] == states.NOSTATE
    assert mapping[libvirt.VIR_DOMAIN_RUNNING] == states.RUNNING
    assert mapping[libvirt.VIR_DOMAIN_BLOCKED] == states.RUNNING
    assert mapping[libvirt.VIR_DOMAIN_PAUSED] == states.PAUSED_POWER
    assert mapping[libvirt.VIR_DOMAIN_SHUTDOWN] == states.SHUTDOWN
    assert mapping[libvirt.VIR_DOMAIN_SHUTOFF] == states.SHUTDOWN
    assert mapping[libvirt.VIR_DOMAIN_CRASHED] == states.CRASHED
    assert mapping[libvirt.VIR_DOMAIN_PMSUSPENDED] == states.SUSPENDED_POWER


def test_a_simulated_guest_writes_a_boot_log_at_each_boot(driver, conf):
    instance = make_instance(hostname='web-1', display_name='web 1')
    driver.spawn(instance, IMAGE, NETWORK)
    first = driver.get_console_output(instance)
    lines = first.splitlines()
    assert 'simulated guest' in lines[0] and conf.host in lines[0]
    assert 'Booting instance-%s (web 1)' % instance['uuid'] in lines[1]
    assert lines[2].endswith('1 vCPU, 512 MiB RAM, image img-1')
    assert lines[-1] == 'web-1 login: '
    # The file a real guest's serial console writes.
    path = os.path.join(conf.instances_path, instance['uuid'],
                        'console.log')
    with open(path) as f:
        assert f.read() == first
    driver.reboot(instance, 'HARD')
    assert driver.get_console_output(instance).count(' login: ') == 2
    driver.power_off(instance)
    driver.power_on(instance)
    # Each boot adds its lines; a start of a running guest adds none.
    driver.power_on(instance)
    assert driver.get_console_output(instance).count(' login: ') == 3
    driver.destroy(instance)
    assert not os.path.exists(path)


def test_boot_log_lines_carry_no_control_characters(driver):
    instance = make_instance(display_name='bad\nname\x1b[0m',
                             hostname=None)
    driver.spawn(instance, IMAGE, NETWORK)
    lines = driver.get_console_output(instance).splitlines()
    assert '(bad?name?[0m)' in lines[1]
    assert lines[-1] == 'localhost login: '


def test_bad_uuid_is_refused_before_touching_files(driver, conf):
    os.makedirs(conf.instances_path, exist_ok=True)
    for bad in ('', '..', '_base', '../x'):
        with pytest.raises(exception.Invalid):
            driver.destroy(make_instance(uuid=bad))
    assert os.path.isdir(conf.instances_path)


def test_state_survives_while_driver_lives(driver):
    # The test driver's domains live in the connection: many calls on one
    # driver must keep seeing them.
    instance = make_instance()
    driver.spawn(instance, IMAGE, NETWORK)
    for _ in range(5):
        driver.get_available_resource()
    assert driver.list_instance_uuids() == [instance['uuid']]


def test_methods_work_without_init_host(conf):
    drv = virt_loader.load_driver(conf)
    try:
        assert drv.list_instance_uuids() == []
        assert drv.get_available_resource()['hypervisor_hostname'] == \
            conf.host
    finally:
        drv.cleanup_host()


def test_diagnostics_of_a_simulated_guest_in_both_shapes(driver):
    instance = make_instance(vcpus=2, launched_at='2026-01-01T00:00:00+00:00')
    driver.spawn(instance, IMAGE, NETWORK)
    standard = driver.get_instance_diagnostics(instance)
    jsonschema.validate(standard, server_schemas.diagnostics())
    assert standard['state'] == 'running'
    assert (standard['driver'], standard['hypervisor']) == ('libvirt',
                                                            'test')
    assert standard['memory_details'] == {'maximum': 512, 'used': 512}
    assert standard['num_cpus'] == 2
    assert [c['id'] for c in standard['cpu_details']] == [0, 1]
    # No devices on a test domain.
    assert (standard['num_disks'], standard['num_nics']) == (0, 0)
    assert standard['uptime'] > 0 and standard['config_drive'] is False
    legacy = driver.get_diagnostics(instance)
    assert set(legacy) == {'cpu0_time', 'cpu1_time', 'memory'}
    assert legacy['memory'] == 512 * 1024
    driver.power_off(instance)
    stopped = driver.get_instance_diagnostics(instance)
    assert stopped['state'] == 'shutdown' and stopped['cpu_details'] == []
    driver.destroy(instance)
    with pytest.raises(exception.InstanceNotFound):
        driver.get_instance_diagnostics(instance)
