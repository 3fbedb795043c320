"""Shared pytest setup: every test starts from the default configuration."""

import pytest

from common.conf import CONF


@pytest.fixture(autouse=True)
def _reset_conf():
    yield
    CONF.reset()


# With pytest-xdist (`make test` runs `-n 2`), each module runs whole on
# one worker, so its module-scoped deployment starts once. These modules
# share what the machine has only one of (its libvirtd and the guests on
# it, network namespaces with fixed addresses, the session's Ceph and
# Cinder), so they form one unit, run on one worker one after another.
HOST_BOUND_MODULES = frozenset((
    'test_cinder_client.py', 'test_cinder_fixture.py',
    'test_consoles_real_guest.py', 'test_dashboard_volumes.py',
    'test_guest_image.py', 'test_live_migration_hosts.py',
    'test_rbd_disks.py', 'test_real_guest.py', 'test_real_guest_rbd.py',
    'test_real_guest_server_ops.py', 'test_real_guest_snapshot.py',
    'test_real_guest_volumes.py', 'test_volumes.py'))
HOST_BOUND = 'host-bound'
# Started first: the longest units, so no worker waits on them at the end.
FIRST = (HOST_BOUND, 'tests/functional/test_tempest.py')


def work_unit(nodeid):
    """The unit a worker runs whole: the test's module, or HOST_BOUND."""
    module = nodeid.split('::', 1)[0]
    return HOST_BOUND if module.rsplit('/', 1)[-1] in HOST_BOUND_MODULES \
        else module


def pytest_collection_modifyitems(config, items):
    # Stable: modules keep their order otherwise.
    items.sort(key=lambda item: FIRST.index(work_unit(item.nodeid))
               if work_unit(item.nodeid) in FIRST else len(FIRST))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    # xdist's loadscope, with work_unit as the scope. (Its loadgroup mark
    # does not group under pytest 9.2, which ignores the node id it sets.)
    from xdist.scheduler import LoadScopeScheduling

    # Keep the collection's order (FIRST above): by default loadscope
    # starts the units with the most tests first, and Tempest, one long
    # test, would start last.
    config.option.loadscopereorder = False

    class ByWorkUnit(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)
    return ByWorkUnit(config, log)
