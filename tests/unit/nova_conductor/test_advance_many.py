"""A compute's advances travel in batches; each still succeeds or fails alone."""

import threading
import time

import oslo_messaging as messaging
import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event

from common import coalesce
from common import context
from common import exception
from common import rpc
from common import states
from common.conf import CONF
from nova_conductor import manager
from nova_conductor import rpcapi
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import models
from nova_conductor.db import session as db_session
from tests.unit.nova_conductor import dbhelpers


def _batch(receiver, calls):
    """`calls` as the conductor's RPC server answers a batch of them."""
    return coalesce.BatchEndpoint(receiver).serve('instance_advance', None, calls)


def _queued(api, method):
    """Calls of `method` waiting in `api`'s coalescers for a batch."""
    return sum(len(c._waiting) for (m, _v), c in api._coalescers.items()
               if m == method)


class CountingManager(manager.ConductorManager):
    """Counts the batches that arrive and holds each until released."""

    def __init__(self):
        super().__init__(scheduler_api=object(), compute_api=object())
        self.batches = []
        self.gate = threading.Event()

    def advance_together(self, items):
        self.batches.append(len(items))
        assert self.gate.wait(5)
        return super().advance_together(items)


@pytest.fixture
def conductor(db):
    rpc.init(CONF, url='inproc://')
    endpoint = CountingManager()
    server = rpc.get_server(
        messaging.Target(topic=rpcapi.ConductorAPI.TOPIC, server='c1'),
        [endpoint])
    server.start()
    yield endpoint
    endpoint.gate.set()
    server.stop()
    server.wait()
    endpoint.cleanup_host()
    rpc.cleanup()


def _advance(api, uuid, errors):
    try:
        api.instance_advance(
            context.RequestContext(user_id='u1', project_id='p1'), uuid,
            {'task_state': states.SPAWNING},
            expected_task_state=states.SCHEDULING, host='host1')
    except exception.NovaException as e:
        errors[uuid] = e


def test_concurrent_advances_share_messages_and_fail_one_by_one(conductor):
    api = rpcapi.ConductorAPI(timeout=10)
    uuids = [dbhelpers.make_instance(host='host1')['uuid'] for _ in range(6)]
    errors = {}
    threads = [threading.Thread(target=_advance, args=(api, u, errors))
               for u in uuids + ['no-such-instance']]
    for t in threads:
        t.start()
    # One batch is let out at once; the other callers wait for it and then
    # leave together.
    deadline = time.monotonic() + 5
    while sum(conductor.batches) < 1 or _queued(api, 'instance_advance') < 6:
        assert time.monotonic() < deadline, conductor.batches
        time.sleep(0.001)
    conductor.gate.set()
    for t in threads:
        t.join(10)
    assert conductor.batches == [1, 6]
    assert list(errors) == ['no-such-instance']
    assert type(errors['no-such-instance']) is exception.InstanceNotFound
    assert all(instances_db.get(u)['task_state'] == states.SPAWNING
               for u in uuids)


def test_a_refused_advance_raises_its_own_error(conductor):
    conductor.gate.set()
    api = rpcapi.ConductorAPI(timeout=10)
    uuid = dbhelpers.make_instance(host='host1')['uuid']
    ctxt = context.RequestContext(user_id='u1', project_id='p1')
    with pytest.raises(exception.UnexpectedTaskState) as info:
        api.instance_advance(ctxt, uuid, {'task_state': None},
                             expected_task_state=states.SPAWNING)
    assert info.value.kwargs['actual'] == states.SCHEDULING
    assert instances_db.get(uuid)['task_state'] == states.SCHEDULING


def _batch_call(uuid, **kwargs):
    return {'context': {}, 'kwargs': dict(
        instance_uuid=uuid, values={'task_state': states.SPAWNING},
        expected_task_state=states.SCHEDULING, host='host1', **kwargs)}


def _commits_during(func):
    commits = []
    engine = db_session.get_engine()
    listener = lambda conn: commits.append(1)  # noqa: E731
    sa_event.listen(engine, 'commit', listener)
    try:
        return func(), len(commits)
    finally:
        sa_event.remove(engine, 'commit', listener)


@pytest.fixture
def endpoint(db):
    """A conductor manager with a flat network of one /29."""
    CONF.set_override('fixed_range_v4', '10.12.0.0/29', 'network')
    endpoint = manager.ConductorManager(scheduler_api=object(),
                                        compute_api=object())
    yield endpoint
    endpoint.cleanup_host()
    CONF.clear_override('fixed_range_v4', 'network')


def test_a_batch_is_one_transaction_with_an_outcome_each(endpoint):
    uuids = [dbhelpers.make_instance(host='host1')['uuid'] for _ in range(3)]
    calls = [_batch_call(u, allocate_ip=True) for u in uuids]
    calls.insert(1, _batch_call('no-such-instance'))
    outcomes, commits = _commits_during(
        lambda: _batch(endpoint, calls))
    assert commits == 1
    [first, missing, second, third] = outcomes
    assert missing['error']['class'] == 'InstanceNotFound'
    assert [o['result']['address'] for o in (first, second, third)] == [
        '10.12.0.2', '10.12.0.3', '10.12.0.4']
    assert first['result']['bridge'] == CONF.network.flat_network_bridge
    assert all(instances_db.get(u)['task_state'] == states.SPAWNING
               for u in uuids)


def test_a_batch_that_fails_together_runs_one_by_one(endpoint):
    """The range has room for two of the three: the batch rolls back,
    then each advance runs alone and only the last fails."""
    uuids = [dbhelpers.make_instance(host='host1')['uuid'] for _ in range(4)]
    transitions_db.advance(uuids[0], {'task_state': states.SPAWNING},
                           states.SCHEDULING,
                           ip_network=('private', '10.12.0.0/29'))
    for taken in ('10.12.0.3', '10.12.0.5'):
        with db_session.writer() as s:
            s.execute(sa.insert(models.FixedIp.__table__).values(
                network='private', address=taken, mac='m',
                instance_uuid='elsewhere'))
    outcomes, commits = _commits_during(
        lambda: _batch(endpoint, [_batch_call(u, allocate_ip=True)
                                  for u in uuids[1:]]))
    assert [o.get('result', {}).get('address') for o in outcomes[:2]] == [
        '10.12.0.4', '10.12.0.6']
    assert outcomes[2]['error']['class'] == 'FixedIpsExhausted'
    assert commits == 2  # the two that succeeded alone
    assert [instances_db.get(u)['task_state'] for u in uuids[1:]] == [
        states.SPAWNING, states.SPAWNING, states.SCHEDULING]


def test_an_advance_sent_again_after_it_was_made_succeeds_alike(endpoint):
    """Its first answer was lost with a conductor worker: the copy finds
    the advance made on its host, answers the same fixed IP, and writes
    nothing."""
    uuid = dbhelpers.make_instance(host='host1')['uuid']
    [first] = _batch(endpoint, [_batch_call(uuid, allocate_ip=True)])
    stored = instances_db.get(uuid)
    [again] = _batch(endpoint, [_batch_call(uuid, allocate_ip=True)])
    assert again == first
    assert instances_db.get(uuid)['updated_at'] == stored['updated_at']
    # The final advance too.
    active = {'vm_state': states.ACTIVE, 'task_state': None,
              'power_state': 1}
    for _ in range(2):
        transitions_db.advance(uuid, active, states.SPAWNING, host='host1')
    got = instances_db.get(uuid)
    assert (got['vm_state'], got['task_state']) == (states.ACTIVE, None)


def test_an_advance_from_a_host_the_build_left_is_refused(endpoint):
    uuid = dbhelpers.make_instance(host='host2')['uuid']
    [outcome] = _batch(endpoint, [_batch_call(uuid)])
    assert outcome['error']['class'] == 'UnexpectedTaskState'
    assert instances_db.get(uuid)['task_state'] == states.SCHEDULING
    # Nor does a move already made elsewhere count as made by this host.
    transitions_db.advance(uuid, {'task_state': states.SPAWNING},
                           states.SCHEDULING, host='host2')
    [outcome] = _batch(endpoint, [_batch_call(uuid)])
    assert outcome['error']['class'] == 'UnexpectedTaskState'
