"""The libvirt Host: the generated test node and the connection it opens."""

import json
import os
import shutil
import uuid
import xml.etree.ElementTree as ET

import pytest

from common import exception
from common.conf import CONF
from nova_compute.virt.libvirt import driver as libvirt_driver
from nova_compute.virt.libvirt import host as host_mod


@pytest.fixture
def conf(tmp_path):
    """CONF with state under tmp_path and a host name of this test's own."""
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('instances_path', str(tmp_path / 'instances'))
    CONF.set_override('host', 'node-%s' % uuid.uuid4().hex[:8])
    yield CONF
    # Drops every override, those the tests add included.
    CONF.reset()


@pytest.fixture
def driver(conf):
    drv = libvirt_driver.LibvirtDriver(conf)
    yield drv
    drv.cleanup_host()


def _size(conf, vcpus=8, memory_mb=16384, local_gb=0):
    conf.set_override('test_node_vcpus', vcpus, group='libvirt')
    conf.set_override('test_node_memory_mb', memory_mb, group='libvirt')
    conf.set_override('test_node_local_gb', local_gb, group='libvirt')


def test_node_file_written_under_state_path(conf, driver, tmp_path):
    _size(conf)
    driver.init_host(conf.host)
    path = tmp_path / 'libvirt' / ('test-node-%s.xml' % conf.host)
    node = ET.parse(path).getroot()
    assert node.tag == 'node'
    assert node.findtext('cpu/active') == '8'
    assert node.findtext('cpu/cores') == '8'
    assert node.findtext('memory') == str(16384 * 1024)


def test_resources_match_chosen_node_size(conf, driver):
    _size(conf, vcpus=8, memory_mb=16384, local_gb=100)
    driver.init_host(conf.host)
    res = driver.get_available_resource()
    assert res['vcpus'] == 8
    assert res['memory_mb'] == 16384
    assert res['local_gb'] == 100
    assert res['hypervisor_type'] == 'test'
    assert isinstance(res['hypervisor_version'], int)
    assert res['hypervisor_hostname'] == conf.host
    cpu = json.loads(res['cpu_info'])
    assert cpu['topology'] == {'sockets': 1, 'cores': 8, 'threads': 1}
    assert cpu['arch'] and cpu['model']


def test_zero_sizes_use_this_machine(conf, driver):
    _size(conf, vcpus=0, memory_mb=0, local_gb=0)
    driver.init_host(conf.host)
    res = driver.get_available_resource()
    assert res['vcpus'] == os.cpu_count()
    assert res['memory_mb'] == host_mod.host_memory_kib() // 1024
    total = shutil.disk_usage(conf.instances_path).total
    assert res['local_gb'] == total // 1024 ** 3


def test_explicit_test_uri_is_used_as_written(conf, driver, tmp_path):
    conf.set_override('connection_uri', 'test:///default', group='libvirt')
    driver.init_host(conf.host)
    assert driver.host.is_test
    assert not (tmp_path / 'libvirt').exists()
    assert driver.get_available_resource()['hypervisor_type'] == 'test'


def test_empty_uri_means_qemu_system(conf):
    conf.set_override('connection_uri', '', group='libvirt')
    host = host_mod.Host(conf, conf.host)
    assert host.configured_uri == 'qemu:///system'
    assert not host.is_test


def test_unreachable_uri_raises_hypervisor_error(conf, tmp_path):
    conf.set_override('connection_uri', 'test://%s/missing.xml' % tmp_path,
                      group='libvirt')
    host = host_mod.Host(conf, conf.host)
    with pytest.raises(exception.HypervisorError):
        host.get_connection()


def test_closed_connection_is_reopened(conf):
    host = host_mod.Host(conf, conf.host)
    first = host.get_connection()
    assert host.get_connection() is first
    first.close()
    second = host.get_connection()
    assert second is not first
    assert second.isAlive() == 1
    host.close()


def test_lookup_of_unknown_uuid_is_none(conf):
    host = host_mod.Host(conf, conf.host)
    assert host.lookup(str(uuid.uuid4())) is None
    host.close()


def test_node_xml_shape():
    node = ET.fromstring(host_mod.make_test_node_xml(4, 2048))
    cpu = node.find('cpu')
    assert [child.tag for child in cpu] == [
        'mhz', 'model', 'active', 'nodes', 'sockets', 'cores', 'threads']
    assert cpu.findtext('active') == '4'
    assert node.findtext('memory') == '2048'
