"""Rescue, unrescue and crash dumps on the real libvirt test driver:
states reported, the files rescue keeps and removes, failures undone,
and recovery after a restart."""

import os
import uuid
import xml.etree.ElementTree as ET

import libvirt
import pytest

from common import exception
from common import states
from common.conf import CONF
from nova_compute import rescue
from nova_compute.virt.libvirt import domain_xml
from nova_compute.virt.libvirt import rescue as libvirt_rescue


class FakeConductor:

    def __init__(self):
        self.done = []
        self.task_state = states.RESCUING

    def instance_get(self, ctxt, uuid):
        # The task the instance is in: the one the last call expects.
        return {'uuid': uuid, 'host': 'h1', 'task_state': self.task_state}

    def instance_task_done(self, ctxt, uuid, values=None,
                           expected_task_state=None, failed=False,
                           message=None, details=None, host=None):
        self.done.append((expected_task_state, values, failed, message))


def _instance(vm_state=states.ACTIVE, task_state=states.RESCUING):
    return {'uuid': str(uuid.uuid4()), 'display_name': 'vm', 'vcpus': 1,
            'memory_mb': 128, 'root_gb': 1, 'ephemeral_gb': 0,
            'image_ref': 'img-1', 'host': 'h1', 'node': 'h1',
            'vm_state': vm_state, 'task_state': task_state}


def _files(instance):
    inst_dir = os.path.join(CONF.instances_path, instance['uuid'])
    return sorted(f for f in os.listdir(inst_dir)
                  if f in (libvirt_rescue.RESCUE_DISK,
                           libvirt_rescue.SAVED_XML))


def _console(driver, instance):
    return driver.get_console_output(instance)


@pytest.fixture
def spawned(driver):
    instance = _instance()
    driver.spawn(instance, {}, [])
    return instance


def test_rescue_then_unrescue_reports_states_and_cleans_up(driver, spawned):
    conductor = FakeConductor()
    rescuer = rescue.Rescuer('h1', driver, conductor)
    rescuer.rescue(None, spawned, {'id': 'rescue-img'})
    assert conductor.done == [(states.RESCUING,
                               {'vm_state': states.RESCUED,
                                'power_state': states.RUNNING}, False, None)]
    assert _files(spawned) == ['disk.rescue', 'unrescue.xml']
    assert driver.is_rescued(spawned)
    dom = driver.host.lookup(spawned['uuid'])
    assert libvirt_rescue.is_rescue_xml(dom.XMLDesc(0))
    assert 'booting from disk.rescue (image rescue-img)' in \
        _console(driver, spawned)

    conductor.task_state = states.UNRESCUING
    rescuer.unrescue(None, dict(spawned, vm_state=states.RESCUED,
                                task_state=states.UNRESCUING))
    assert conductor.done[1] == (states.UNRESCUING,
                                 {'vm_state': states.ACTIVE,
                                  'power_state': states.RUNNING}, False, None)
    assert _files(spawned) == []
    assert not driver.is_rescued(spawned)
    dom = driver.host.lookup(spawned['uuid'])
    assert not libvirt_rescue.is_rescue_xml(dom.XMLDesc(0))
    assert 'Unrescue: booting from the root disk' in \
        _console(driver, spawned)


def test_a_stopped_server_rescued_runs_and_comes_back_active(driver,
                                                             spawned):
    driver.power_off(spawned)
    conductor = FakeConductor()
    rescuer = rescue.Rescuer('h1', driver, conductor)
    rescuer.rescue(None, dict(spawned, vm_state=states.STOPPED),
                   {'id': 'img-1'})
    assert conductor.done[0][1] == {'vm_state': states.RESCUED,
                                    'power_state': states.RUNNING}
    conductor.task_state = states.UNRESCUING
    rescuer.unrescue(None, spawned)
    assert conductor.done[1][1]['vm_state'] == states.ACTIVE
    assert driver.get_power_state(spawned) == states.RUNNING


def test_a_failed_rescue_restores_the_guest_and_its_old_state(
        driver, spawned, monkeypatch):
    driver.power_off(spawned)
    stopped = dict(spawned, vm_state=states.STOPPED)
    real_boot = driver._simulated_boot
    calls = []

    def boot_then_fail(instance):
        calls.append(1)
        real_boot(instance)
        if len(calls) == 1:
            raise exception.HypervisorError(reason='rescue boot broke')
    monkeypatch.setattr(driver, '_simulated_boot', boot_then_fail)
    conductor = FakeConductor()
    rescue.Rescuer('h1', driver, conductor).rescue(None, stopped,
                                                   {'id': 'img-1'})
    [(task, values, failed, message)] = conductor.done
    assert (task, failed) == (states.RESCUING, True)
    assert values == {'vm_state': states.STOPPED,
                      'power_state': states.SHUTDOWN}
    assert 'rescue boot broke' in message
    # The guest's own definition is back; no rescue file is left.
    assert _files(spawned) == []
    dom = driver.host.lookup(spawned['uuid'])
    assert not libvirt_rescue.is_rescue_xml(dom.XMLDesc(0))


def test_a_failed_unrescue_leaves_it_rescued_with_a_fault(driver, spawned,
                                                          monkeypatch):
    conductor = FakeConductor()
    rescuer = rescue.Rescuer('h1', driver, conductor)
    rescuer.rescue(None, spawned, {'id': 'img-1'})

    def fail(instance):
        raise exception.HypervisorError(reason='cannot')
    monkeypatch.setattr(driver, 'unrescue', fail)
    conductor.task_state = states.UNRESCUING
    rescuer.unrescue(None, dict(spawned, vm_state=states.RESCUED))
    task, values, failed, message = conductor.done[1]
    assert (task, failed) == (states.UNRESCUING, True)
    assert values == {'power_state': states.RUNNING}
    assert 'cannot' in message


def test_recovery_undoes_a_rescue_and_redoes_an_unrescue(driver, spawned):
    conductor = FakeConductor()
    rescuer = rescue.Rescuer('h1', driver, conductor)
    # Killed after the rescue domain was defined, before the report.
    driver.rescue(spawned, {'id': 'img-1'})
    rescuer.recover(None, spawned, 'nova-compute on h1 restarted during ')
    [(task, values, failed, message)] = conductor.done
    assert (task, failed) == (states.RESCUING, True)
    assert values['vm_state'] == states.ACTIVE
    assert message == ('nova-compute on h1 restarted during rescuing: the '
                       'rescue was undone')
    assert _files(spawned) == []
    # Killed mid-unrescue: done again.
    driver.rescue(spawned, {'id': 'img-1'})
    conductor.task_state = states.UNRESCUING
    rescuer.recover(None, dict(spawned, vm_state=states.RESCUED,
                               task_state=states.UNRESCUING), '')
    assert conductor.done[1][1:3] == ({'vm_state': states.ACTIVE,
                                       'power_state': states.RUNNING}, False)
    assert _files(spawned) == []


def test_a_rescue_run_again_keeps_the_guests_own_definition(driver,
                                                            spawned):
    driver.rescue(spawned, {'id': 'img-1'})
    driver.rescue(spawned, {'id': 'img-1'})
    with open(os.path.join(CONF.instances_path, spawned['uuid'],
                           'unrescue.xml')) as f:
        assert not libvirt_rescue.is_rescue_xml(f.read())
    driver.unrescue(spawned)
    assert not libvirt_rescue.is_rescue_xml(
        driver.host.lookup(spawned['uuid']).XMLDesc(0))


def test_crash_dump_on_the_test_driver_is_taken_and_told(driver, spawned):
    driver.inject_nmi(spawned)
    assert 'NMI received' in _console(driver, spawned)
    driver.power_off(spawned)
    with pytest.raises(exception.InstanceNotReady):
        driver.inject_nmi(spawned)


def test_crash_dump_unsupported_by_the_hypervisor_is_a_400(driver, spawned,
                                                           monkeypatch):
    err = libvirt.libvirtError('no NMI')
    monkeypatch.setattr(err, 'get_error_code',
                        lambda: libvirt.VIR_ERR_NO_SUPPORT)

    class Dom:
        def isActive(self):
            return True

        def injectNMI(self, flags):
            raise err
    monkeypatch.setattr(driver, '_domain', lambda instance: Dom())
    with pytest.raises(exception.TriggerCrashDumpNotSupported) as caught:
        driver.inject_nmi(spawned)
    assert caught.value.code == 400


def _real_xml(kernel=True):
    instance = _instance()
    disks = [domain_xml.DiskSpec('/i/disk', 'qcow2', 'virtio'),
             domain_xml.DiskSpec('/i/disk.local', 'qcow2', 'virtio'),
             domain_xml.config_drive_disk('/i/disk.config', 'iso9660',
                                          'virtio')]
    return domain_xml.host_domain_xml(
        instance, 'qemu', disks, '/i/console.log', [],
        kernel='/base/k' if kernel else None,
        ramdisk='/base/r' if kernel else None)


def _disks(xml):
    return [(d.find('source').get('file'), d.find('target').get('dev'))
            for d in ET.fromstring(xml).iter('disk')]


def test_rescue_xml_boots_the_rescue_disk_first_root_second():
    xml = libvirt_rescue.rescue_xml(_real_xml(kernel=False), '/i/disk.rescue',
                                    'virtio')
    assert _disks(xml) == [('/i/disk.rescue', 'vda'), ('/i/disk', 'vdb'),
                           ('/i/disk.local', 'vdc'),
                           ('/i/disk.config', 'hdd')]
    os_el = ET.fromstring(xml).find('os')
    assert os_el.find('kernel') is None and os_el.find('boot') is None
    [boot] = ET.fromstring(xml).findall('./devices/disk/boot')
    assert boot.get('order') == '1'
    assert ET.fromstring(xml).find('./devices/disk/source').get(
        'file') == '/i/disk.rescue'
    assert libvirt_rescue.is_rescue_xml(xml)


def test_rescue_xml_boots_the_rescue_images_kernel():
    xml = libvirt_rescue.rescue_xml(_real_xml(), '/i/disk.rescue', 'virtio',
                                    kernel='/base/k2', ramdisk='/base/r2')
    os_el = ET.fromstring(xml).find('os')
    assert os_el.find('kernel').text == '/base/k2'
    assert os_el.find('initrd').text == '/base/r2'
    assert 'root=/dev/vda' in os_el.find('cmdline').text
    assert os_el.find('boot') is None
    assert libvirt_rescue.root_disk_bus(_real_xml()) == 'virtio'


def test_a_rescue_cast_overtaken_by_recovery_does_nothing(driver, spawned):
    conductor = FakeConductor()
    conductor.task_state = None
    rescue.Rescuer('h1', driver, conductor).rescue(None, spawned,
                                                   {'id': 'img-1'})
    assert conductor.done == [] and _files(spawned) == []
    assert not driver.is_rescued(spawned)
