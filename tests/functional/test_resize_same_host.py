"""One compute with [DEFAULT] allow_resize_to_same_host and a 2 s
resize_confirm_window: a resize stays on its host (the files set aside
and copied back in one instances_path) and is confirmed by the
conductor's periodic task, freeing the old flavor's allocation."""

import os
import time

import pytest
import sqlalchemy as sa

from tests.functional import deployment as deployment_mod


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment(
        'postgresql', compute_hosts=('compute1',),
        extra_conf='[DEFAULT]\nshutdown_timeout = 0\n'
                   'allow_resize_to_same_host = true\n'
                   'resize_confirm_window = 2\n')
    d.start()
    yield d
    d.stop()


def _allocations(dep):
    engine = sa.create_engine(dep.db_url)
    try:
        with engine.connect() as conn:
            return sorted(tuple(r) for r in conn.execute(sa.text(
                'SELECT vcpus, memory_mb, disk_gb FROM allocations')))
    finally:
        engine.dispose()


def test_same_host_resize_is_confirmed_after_the_window(dep):
    server = dep.boot('same-host')
    host = server['OS-EXT-SRV-ATTR:host']
    resp = dep.action(server['id'], {'resize': {'flavorRef': '2'}})
    assert resp.status_code == 202, resp.text
    found = dep.wait_for_server(server['id'],
                                statuses=('VERIFY_RESIZE', 'ACTIVE'))
    assert found['status'] == 'VERIFY_RESIZE', found
    assert found['OS-EXT-SRV-ATTR:host'] == host
    # Both flavors held on the one host until the confirm.
    assert _allocations(dep) == [(1, 512, 1), (1, 2048, 20)]
    aside = os.path.join(dep.dir, 'instances', server['id'] + '_resize')
    assert os.path.isdir(aside)
    began = time.monotonic()
    confirmed = dep.settle(server['id'], 'ACTIVE', timeout=30)
    assert time.monotonic() - began < 25
    assert (confirmed['OS-EXT-SRV-ATTR:host'], confirmed['flavor']['id'],
            confirmed['OS-EXT-STS:power_state']) == (host, '2', 1)
    assert _allocations(dep) == [(1, 2048, 20)]
    assert not os.path.exists(aside)
    [migration] = dep.request(
        'GET', '/v2.1/os-migrations?instance_uuid=%s' % server['id']
    ).json()['migrations']
    assert (migration['status'], migration['source_compute'],
            migration['dest_compute']) == ('confirmed', host, host)
    actions = dep.request('GET', '/v2.1/servers/%s/os-instance-actions'
                          % server['id']).json()['instanceActions']
    assert [a['action'] for a in actions] == ['confirmResize', 'resize',
                                              'create']
