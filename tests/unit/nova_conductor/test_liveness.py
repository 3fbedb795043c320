"""Liveness without a SQL write per heartbeat: coalesced heartbeats, the
'down' answer of compute_nodes_get_all, and the redis driver."""

import datetime
import uuid

import pytest
import sqlalchemy as sa

from common import servicegroup
from common.conf import CONF
from nova_conductor import heartbeats
from nova_conductor import liveness
from nova_conductor.db import compute as compute_db
from nova_conductor.db import models
from nova_conductor.db import services as services_db
from tests.unit.nova_conductor import dbhelpers

LONG_AGO = datetime.datetime(2000, 1, 1)


@pytest.fixture(autouse=True)
def _reset_conf():
    yield
    CONF.clear_override('servicegroup_driver')
    CONF.clear_override('key_prefix', group='servicegroup')
    servicegroup._group = None


def _age_everything(db, last_seen_up=LONG_AGO):
    with db.writer() as s:
        s.execute(sa.update(models.ComputeNode).values(updated_at=LONG_AGO))
        s.execute(sa.update(models.Service).values(
            updated_at=LONG_AGO, last_seen_up=last_seen_up))


def _service(host, binary='nova-compute'):
    return compute_db.service_get_by_host(host, binary)


def test_a_heartbeat_is_no_change_for_the_scheduler(db):
    dbhelpers.make_node('host1')
    first = compute_db.compute_nodes_get_all()
    _age_everything(db, last_seen_up=models.utcnow())
    compute_db.service_heartbeat('host1', 'nova-compute', 'compute')
    heartbeats.HeartbeatBuffer().record('host1', 'nova-compute', 'compute')
    compute_db.services_seen({('host1', 'nova-compute'):
                              ('compute', models.utcnow())})
    later = compute_db.compute_nodes_get_all(first['now'])
    assert later['nodes'] == []
    assert later['down'] == []
    assert _service('host1')['updated_at'].startswith('2000-01-01')


def test_nodes_down_are_the_silent_the_forced_down_and_the_orphans(db):
    for host in ('up', 'silent', 'forced', 'orphan'):
        dbhelpers.make_node(host)
    ids = {n['host']: n['id']
           for n in compute_db.compute_nodes_get_all()['nodes']}
    with db.writer() as s:
        s.execute(sa.update(models.Service).where(
            models.Service.host == 'silent').values(
            last_seen_up=models.utcnow() - datetime.timedelta(
                seconds=CONF.service_down_time + 1)))
        s.execute(sa.delete(models.Service).where(
            models.Service.host == 'orphan'))
    services_db.update_by_host('forced', 'nova-compute',
                               {'forced_down': True})
    down = compute_db.compute_nodes_get_all()['down']
    assert down == sorted([ids['silent'], ids['forced'], ids['orphan']])
    # Seen again: up at once.
    compute_db.service_heartbeat('silent', 'nova-compute', 'compute')
    assert ids['silent'] not in compute_db.compute_nodes_get_all()['down']


def test_bulk_stamps_keep_the_time_received_and_register_newcomers(db):
    dbhelpers.make_node('host1')
    _age_everything(db)
    before = _service('host1')['report_count']
    received = datetime.datetime(2030, 5, 1, 12, 0, 7, 654321)
    compute_db.services_seen({
        ('host1', 'nova-compute'): ('compute', received),
        ('new-host', 'nova-compute'): ('compute', received)})
    svc = _service('host1')
    # Truncated to its second, never later than received.
    assert svc['last_seen_up'].startswith('2030-05-01T12:00:07+')
    assert svc['report_count'] == before + 1
    assert svc['updated_at'].startswith('2000-01-01')
    assert _service('new-host') is not None


def test_the_buffer_writes_the_latest_beat_of_each_service_once(db):
    written = []
    clock = iter([LONG_AGO + datetime.timedelta(seconds=s)
                  for s in (1, 2, 3)])
    buffer = heartbeats.HeartbeatBuffer(clock=lambda: next(clock),
                                        store=written.append)
    buffer.record('h1', 'nova-compute', 'compute')
    buffer.record('h2', 'nova-compute', 'compute')
    buffer.record('h1', 'nova-compute', 'compute')
    assert buffer.flush() == 2
    assert written == [{
        ('h1', 'nova-compute'): ('compute', LONG_AGO.replace(second=3)),
        ('h2', 'nova-compute'): ('compute', LONG_AGO.replace(second=2))}]
    assert buffer.flush() == 0
    assert len(written) == 1


def test_a_failed_flush_keeps_its_beats_under_newer_ones():
    stamps = iter([1, 2, 3])
    attempts = []

    def store(pending):
        attempts.append(dict(pending))
        if len(attempts) == 1:
            raise RuntimeError('database unavailable')
    buffer = heartbeats.HeartbeatBuffer(clock=lambda: next(stamps),
                                        store=store)
    buffer.record('h1', 'nova-compute', 'compute')
    buffer.record('h2', 'nova-compute', 'compute')
    with pytest.raises(RuntimeError):
        buffer.flush()
    buffer.record('h1', 'nova-compute', 'compute')
    assert buffer.flush() == 2
    assert attempts[1] == {('h1', 'nova-compute'): ('compute', 3),
                           ('h2', 'nova-compute'): ('compute', 2)}


# -- the redis driver (the local Redis; skipped without one) -----------------

@pytest.fixture
def redis_driver():
    prefix = 'nova-test-%s' % uuid.uuid4().hex[:12]
    CONF.set_override('servicegroup_driver', 'redis')
    CONF.set_override('key_prefix', prefix, group='servicegroup')
    servicegroup._group = None
    group = servicegroup.redis_group()
    try:
        group.client.ping()
    except Exception:
        pytest.skip('no Redis on %s' % CONF.servicegroup.backend_url)
    yield group
    group.clear()
    assert list(group.client.scan_iter(prefix + '*')) == []


def test_redis_group_says_who_is_stale(redis_driver):
    group = redis_driver
    group.beat('h1', 'nova-compute')
    group.beat('h2', 'nova-compute')
    assert group.count('nova-compute') == 2
    assert group.stale('nova-compute', 60) == []
    # Ten minutes ago, by Redis's clock.
    group.client.zadd(group._key('nova-compute'), {'h2': group.now() - 600})
    assert group.stale('nova-compute', 60) == ['h2']
    seen = group.last_seen('nova-compute', ['h1', 'h2', 'h3'])
    assert seen['h3'] is None
    assert seen['h1'] - seen['h2'] > datetime.timedelta(seconds=590)
    group.forget('h2', 'nova-compute')
    assert group.count('nova-compute') == 1


def test_redis_driver_feeds_service_state_and_down_nodes(db, redis_driver):
    group = redis_driver
    for host in ('up', 'silent'):
        dbhelpers.make_node(host)
    # The rows' own stamps say nothing with this driver.
    _age_everything(db)
    assert servicegroup.service_is_up(_service('up'))
    ids = {n['host']: n['id']
           for n in compute_db.compute_nodes_get_all()['nodes']}
    group.client.zadd(group._key('nova-compute'),
                      {'silent': group.now() - CONF.service_down_time - 5})
    result = compute_db.compute_nodes_get_all()
    assert result['down'] == [ids['silent']]
    assert not servicegroup.service_is_up(_service('silent'))
    by_host = {n['host']: n for n in result['nodes']}
    assert servicegroup.service_is_up(
        {'last_seen_up': by_host['up']['service_updated_at']})
    # A registered host Redis never heard of (Redis lost its data) is down.
    group.forget('up', 'nova-compute')
    assert compute_db.compute_nodes_get_all()['down'] == sorted(ids.values())
    # A heartbeat brings it back.
    group.beat('up', 'nova-compute')
    assert compute_db.compute_nodes_get_all()['down'] == [ids['silent']]


def test_a_deleted_service_leaves_the_redis_group(db, redis_driver):
    dbhelpers.make_node('gone')
    svc = _service('gone')
    services_db.delete(svc['uuid'])
    assert redis_driver.count('nova-compute') == 0
    assert liveness.fill([]) == []


def test_stale_and_count_in_one_round_trip(redis_driver):
    group = redis_driver
    for host in ('h1', 'h2', 'h3'):
        group.beat(host, 'nova-compute')
    group.client.zadd(group._key('nova-compute'), {'h2': group.now() - 600})
    assert group.stale_and_count('nova-compute', 60) == (
        group.stale('nova-compute', 60), group.count('nova-compute')) == (
        ['h2'], 3)
    assert group.stale_and_count('nova-scheduler', 60) == ([], 0)
