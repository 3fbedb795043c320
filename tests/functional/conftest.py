"""One running deployment per SQL backend, shared by the tests of a module."""

import pytest

from tests.functional import deployment as deployment_mod


@pytest.fixture(scope='module', params=['postgresql', 'mysql', 'sqlite'])
def deployment(request):
    dep = deployment_mod.Deployment(request.param)
    dep.start()
    yield dep
    dep.stop()
