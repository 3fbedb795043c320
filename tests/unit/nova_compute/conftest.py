"""A libvirt test-driver host of 4 vCPUs and 4 GB, named 'h1', per test."""

import pytest

from common.conf import CONF
from nova_compute.virt import loader as virt_loader


@pytest.fixture
def driver(tmp_path):
    CONF.set_override('state_path', str(tmp_path))
    CONF.set_override('instances_path', str(tmp_path / 'instances'))
    CONF.set_override('test_node_vcpus', 4, 'libvirt')
    CONF.set_override('test_node_memory_mb', 4096, 'libvirt')
    CONF.set_override('test_node_local_gb', 10, 'libvirt')
    CONF.set_override('shutdown_timeout', 0)
    drv = virt_loader.load_driver(CONF)
    drv.init_host('h1')
    yield drv
    drv.cleanup_host()
