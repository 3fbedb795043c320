"""A libvirt test-driver host of 4 vCPUs and 4 GB, named 'h1', per test;
and serving(), a compute manager behind a real RPC server."""

import contextlib

import oslo_messaging
import pytest

from common import rpc

from common.conf import CONF
from nova_compute import rpcapi
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


@contextlib.contextmanager
def serving(manager, host='h1'):
    """`manager` answering compute RPC for `host` on a fake:// transport
    (one of its own unless the process has one)."""
    owned = rpc.TRANSPORT is None
    rpc.init(CONF, url='fake://')
    server = rpc.get_server(
        oslo_messaging.Target(topic=rpcapi.ComputeAPI.TOPIC, server=host),
        [manager])
    server.start()
    try:
        yield manager
    finally:
        server.stop()
        server.wait()
        if owned:
            rpc.cleanup()
