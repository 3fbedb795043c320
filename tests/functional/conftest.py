"""Fixtures shared by the functional tests: one running deployment per SQL
backend for a module's tests, and one Ceph with a Cinder on it for the
whole session."""

import pytest

from tests.functional import block_storage
from tests.functional import deployment as deployment_mod


@pytest.fixture(scope='module', params=['postgresql', 'mysql', 'sqlite'])
def deployment(request):
    dep = deployment_mod.Deployment(request.param)
    dep.start()
    yield dep
    dep.stop()


@pytest.fixture(scope='session')
def ceph_cinder():
    """A single-node Ceph and a Cinder on its `volumes` pool, started once
    per session (~10 s); see block_storage.start()."""
    storage = block_storage.start()
    yield storage
    storage.stop()
