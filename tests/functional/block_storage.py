"""Ceph and a Cinder on it, started and stopped together.

`start()` is what the session fixture `ceph_cinder` (conftest.py) calls:
when either cannot start, the test using it skips, or fails under
NOVA_TEST_REQUIRE_SERVICES=1, with the reason and the daemons' logs.
"""

import collections
import textwrap

from tests import services
from tests.functional import ceph as ceph_mod
from tests.functional import cinder as cinder_mod
from tests.functional import deployment


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


def deployment_on(cinder, backend='postgresql', **kwargs):
    """A Deployment (not started) whose daemons use `cinder`, as the
    Glance that Cinder reads images from (its glance_port), calling it
    in the Cinder's project (noauth Cinder takes only hex ids)."""
    dep = deployment.Deployment(
        backend, port=cinder.glance_port,
        extra_conf=textwrap.dedent('''
            [cinder]
            endpoint_template = %s
            [service_user]
            send_service_user_token = true
            ''' % cinder.endpoint_template), **kwargs)
    dep.token = 'admin:%s' % cinder.project_id
    return dep
