"""Fixtures shared by the functional tests: one running deployment per SQL
backend for a module's tests, and one Ceph with a Cinder on it for the
whole session."""

import collections

import pytest

from tests import services
from tests.functional import ceph as ceph_mod
from tests.functional import cinder as cinder_mod
from tests.functional import deployment as deployment_mod

BlockStorage = collections.namedtuple('BlockStorage', 'ceph cinder')


@pytest.fixture(scope='module', params=['postgresql', 'mysql', 'sqlite'])
def deployment(request):
    dep = deployment_mod.Deployment(request.param)
    dep.start()
    yield dep
    dep.stop()


@pytest.fixture(scope='session')
def ceph_cinder():
    """A single-node Ceph and a Cinder on its `volumes` pool, started once
    per session (~15 s). If either cannot start, the tests using it skip,
    or fail under NOVA_TEST_REQUIRE_SERVICES=1, with the daemons' logs."""
    cluster = ceph_mod.Ceph()
    try:
        cluster.start()
    except ceph_mod.CephError as e:
        services.unavailable('Ceph did not start: %s' % e)
    volumes = cinder_mod.Cinder(cluster)
    try:
        volumes.start()
    except cinder_mod.CinderError as e:
        cluster.stop()
        services.unavailable('Cinder did not start: %s' % e)
    except BaseException:
        cluster.stop()
        raise
    yield BlockStorage(cluster, volumes)
    volumes.stop()
    cluster.stop()
