"""Remote consoles on the compute: the domain's TCP serial port and VNC
display, the port chosen for them, the test driver's stand-ins, and the
checks made before the driver is asked (docs/consoles.md)."""

import socket
import uuid
import xml.etree.ElementTree as ET

import pytest

from common import exception
from common import states
from common.conf import CONF
from nova_compute import consoles
from nova_compute.virt.libvirt import domain_xml
from nova_compute.virt.libvirt import serial_ports
from tests.unit.nova_compute.virt import test_driver_real_host as real

INSTANCE = {'uuid': '6f4c3c2a-1b7e-4a8e-9a52-0c8d7e3f5a11',
            'display_name': 'vm', 'vcpus': 1, 'memory_mb': 256}
# The real-host path's fixtures: a test connection taking qemu domains.
conf, images = real.conf, real.images
real_driver = real.driver


def _xml(**kwargs):
    return domain_xml.host_domain_xml(
        INSTANCE, 'qemu', [domain_xml.DiskSpec('/d', 'qcow2', 'virtio')],
        '/i/console.log', [], **kwargs)


def test_a_tcp_serial_port_keeps_its_log_and_vnc_listens():
    root = ET.fromstring(_xml(serial_tcp=('10.0.0.2', 10005),
                              vnc_listen='10.0.0.2'))
    serial = root.find('devices/serial')
    assert serial.get('type') == 'tcp'
    assert serial.find('source').attrib == {
        'mode': 'bind', 'host': '10.0.0.2', 'service': '10005'}
    assert serial.find('protocol').get('type') == 'raw'
    assert serial.find('log').attrib == {'file': '/i/console.log',
                                         'append': 'on'}
    console = root.find('devices/console')
    assert console.get('type') == 'tcp'
    assert console.find('target').attrib == {'type': 'serial', 'port': '0'}
    graphics = root.find('devices/graphics')
    assert graphics.attrib == {'type': 'vnc', 'autoport': 'yes',
                               'listen': '10.0.0.2'}
    assert domain_xml.console_ports(ET.tostring(root, 'unicode')) == {
        'serial': ('10.0.0.2', 10005)}


def test_without_consoles_the_serial_port_is_the_file_as_before():
    root = ET.fromstring(_xml())
    assert root.find('devices/serial').get('type') == 'file'
    assert root.find('devices/serial/source').get('path') == \
        '/i/console.log'
    assert root.find('devices/graphics') is None
    assert domain_xml.console_ports(_xml()) == {}


def test_a_running_vnc_port_is_read_back():
    xml = ('<domain><devices><graphics type="vnc" port="5901"/>'
           '</devices></domain>')
    assert domain_xml.console_ports(xml) == {'vnc': 5901}
    assert domain_xml.console_ports(xml.replace('5901', '-1')) == {}


def test_serial_ports_skip_used_and_bound_ones():
    # Two neighbouring free ports; the first is then held.
    for _ in range(50):
        holder = socket.socket()
        holder.bind(('127.0.0.1', 0))
        taken = holder.getsockname()[1]
        if serial_ports._bindable('127.0.0.1', taken + 1):
            break
        holder.close()
    try:
        for _ in range(5):
            assert serial_ports.choose('127.0.0.1', '%d:%d' % (
                taken, taken + 1), used=()) == taken + 1
        with pytest.raises(exception.HypervisorError):
            serial_ports.choose('127.0.0.1', '%d:%d' % (taken, taken + 1),
                                used=[taken + 1])
    finally:
        holder.close()
    with pytest.raises(exception.Invalid):
        serial_ports.parse_range('9:2')


def test_a_real_guest_gets_a_serial_port_in_range_and_vnc(real_driver,
                                                          images):
    CONF.set_override('port_range', '10000:10050', 'serial_console')
    instance = real.make_instance()
    real_driver.spawn(instance, images['disk'], real.NETWORK)
    where = real_driver.get_serial_console(instance)
    assert where['host'] == '127.0.0.1'
    assert 10000 <= where['port'] <= 10050
    root = real.domain_root(real_driver, instance)
    assert root.find('devices/serial/source').get('service') == \
        str(where['port'])
    assert root.find('devices/graphics').get('type') == 'vnc'
    # A second guest never gets the first one's port.
    other = real.make_instance()
    real_driver.spawn(other, images['disk'], real.NETWORK)
    assert real_driver.get_serial_console(other)['port'] != where['port']


def test_a_real_guest_defined_without_consoles_has_none(real_driver,
                                                        images):
    CONF.set_override('enabled', False, 'serial_console')
    CONF.set_override('enabled', False, 'vnc')
    instance = real.make_instance()
    real_driver.spawn(instance, images['disk'], real.NETWORK)
    with pytest.raises(exception.ConsoleTypeUnavailable):
        real_driver.get_serial_console(instance)
    with pytest.raises(exception.ConsoleTypeUnavailable):
        real_driver.get_vnc_console(instance)


def _spawned(driver):
    instance = dict(INSTANCE, uuid=str(uuid.uuid4()), root_gb=1,
                    ephemeral_gb=0, image_ref='img', host='h1',
                    vm_state=states.ACTIVE)
    driver.spawn(instance, {'id': 'img', 'properties': {}}, [])
    return instance


def _talk(where, send=b''):
    with socket.create_connection((where['host'], where['port']),
                                  timeout=5) as sock:
        if send:
            sock.sendall(send)
        return sock.recv(100)


def test_simulated_serial_port_echoes_and_vnc_greets(driver):
    instance = _spawned(driver)
    serial = driver.get_serial_console(instance)
    assert _talk(serial, b'uname\n') == b'uname\n'
    # Asked again: the same stand-in.
    assert driver.get_serial_console(instance) == serial
    vnc = driver.get_vnc_console(instance)
    assert _talk(vnc) == b'RFB 003.008\n'
    driver.destroy(instance)
    with pytest.raises(OSError):
        _talk(serial, b'x')
    with pytest.raises(exception.InstanceNotFound):
        driver.get_serial_console(instance)


def test_compute_checks_before_asking_the_driver(driver):
    instance = _spawned(driver)
    with pytest.raises(exception.ConsoleTypeInvalid):
        consoles.serial(driver, instance, 'novnc')
    with pytest.raises(exception.ConsoleTypeInvalid):
        consoles.vnc(driver, instance, 'serial')
    with pytest.raises(exception.ConsoleTypeUnavailable):
        consoles.vnc(driver, instance, 'xvpvnc')
    with pytest.raises(exception.InstanceNotReady):
        consoles.serial(driver, dict(instance, vm_state=states.STOPPED),
                        'serial')
    CONF.set_override('enabled', False, 'serial_console')
    try:
        with pytest.raises(exception.ConsoleTypeUnavailable):
            consoles.serial(driver, instance, 'serial')
    finally:
        CONF.clear_override('enabled', 'serial_console')
    found_serial = consoles.serial(driver, instance, 'serial')
    assert found_serial['access_url_base'] == CONF.serial_console.base_url
    found = consoles.vnc(driver, instance, 'novnc')
    assert found['access_url_base'] == CONF.vnc.novncproxy_base_url
    # A resized guest waiting for its confirm, a rescued one: running.
    for vm_state in (states.RESIZED, states.RESCUED):
        assert consoles.serial(driver, dict(instance, vm_state=vm_state),
                               'serial')['port'] == found_serial['port']
