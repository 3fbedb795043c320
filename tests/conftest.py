"""Shared pytest setup: every test starts from the default configuration."""

import pytest

from common.conf import CONF


@pytest.fixture(autouse=True)
def _reset_conf():
    yield
    CONF.reset()


# With pytest-xdist (`make test` runs `-n 2 --dist loadgroup`), each module
# runs whole on one worker, so its module-scoped deployment starts once.
# These modules share what the machine has only one of (its libvirtd and
# the guests on it, network namespaces with fixed addresses, the session's
# Ceph and Cinder), so they run on one worker, one after another.
HOST_BOUND_MODULES = frozenset((
    'test_cinder_client.py', 'test_cinder_fixture.py',
    'test_consoles_real_guest.py', 'test_dashboard_volumes.py',
    'test_guest_image.py', 'test_live_migration_hosts.py',
    'test_rbd_disks.py', 'test_real_guest.py', 'test_real_guest_rbd.py',
    'test_real_guest_server_ops.py', 'test_real_guest_snapshot.py',
    'test_real_guest_volumes.py', 'test_volumes.py'))


def pytest_collection_modifyitems(config, items):
    for item in items:
        module = item.nodeid.split('::', 1)[0]
        group = 'host-bound' if module.rsplit('/', 1)[-1] in \
            HOST_BOUND_MODULES else module
        item.add_marker(pytest.mark.xdist_group(group))
