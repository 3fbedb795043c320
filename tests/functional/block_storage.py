"""Ceph and a Cinder on it, started and stopped together.

`start()` is what the session fixture `ceph_cinder` (conftest.py) calls:
when either cannot start, the test using it skips, or fails under
NOVA_TEST_REQUIRE_SERVICES=1, with the reason and the daemons' logs.
"""

import collections

from tests import services
from tests.functional import ceph as ceph_mod
from tests.functional import cinder as cinder_mod


class BlockStorage(collections.namedtuple('BlockStorage', 'ceph cinder')):

    def stop(self):
        self.cinder.stop()
        self.ceph.stop()


def start(**cinder_options):
    cluster = ceph_mod.Ceph()
    try:
        cluster.start()
    except ceph_mod.CephError as e:
        services.unavailable('Ceph did not start: %s' % e)
    volumes = cinder_mod.Cinder(cluster, **cinder_options)
    try:
        volumes.start()
    except cinder_mod.CinderError as e:
        cluster.stop()
        services.unavailable('Cinder did not start: %s' % e)
    except BaseException:
        cluster.stop()
        raise
    return BlockStorage(cluster, volumes)
