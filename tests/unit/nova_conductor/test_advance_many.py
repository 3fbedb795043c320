"""A compute's advances travel in batches; each still succeeds or fails alone."""

import threading
import time

import oslo_messaging as messaging
import pytest

from common import context
from common import exception
from common import rpc
from common import states
from common.conf import CONF
from nova_conductor import manager
from nova_conductor import rpcapi
from nova_conductor.db import instances as instances_db
from tests.unit.nova_conductor import dbhelpers


class CountingManager(manager.ConductorManager):
    """Counts the batches that arrive and holds each until released."""

    def __init__(self):
        super().__init__(scheduler_api=object(), compute_api=object())
        self.batches = []
        self.gate = threading.Event()

    def instance_advance_many(self, context, calls):
        self.batches.append(len(calls))
        assert self.gate.wait(5)
        return super().instance_advance_many(context, calls)


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
    uuids = [dbhelpers.make_instance()['uuid'] for _ in range(6)]
    errors = {}
    threads = [threading.Thread(target=_advance, args=(api, u, errors))
               for u in uuids + ['no-such-instance']]
    for t in threads:
        t.start()
    # Two batches are let out at once; the other callers wait for one of
    # them and then leave together.
    deadline = time.monotonic() + 5
    while sum(conductor.batches) < 2 or len(api._advances._waiting) < 5:
        assert time.monotonic() < deadline, conductor.batches
        time.sleep(0.001)
    conductor.gate.set()
    for t in threads:
        t.join(10)
    assert conductor.batches[:2] == [1, 1]
    assert len(conductor.batches) == 3 and sum(conductor.batches) == 7
    assert list(errors) == ['no-such-instance']
    assert type(errors['no-such-instance']) is exception.InstanceNotFound
    assert all(instances_db.get(u)['task_state'] == states.SPAWNING
               for u in uuids)


def test_a_refused_advance_raises_its_own_error(conductor):
    conductor.gate.set()
    api = rpcapi.ConductorAPI(timeout=10)
    uuid = dbhelpers.make_instance()['uuid']
    ctxt = context.RequestContext(user_id='u1', project_id='p1')
    with pytest.raises(exception.UnexpectedTaskState) as info:
        api.instance_advance(ctxt, uuid, {'task_state': None},
                             expected_task_state=states.SPAWNING)
    assert info.value.kwargs['actual'] == states.SCHEDULING
    assert instances_db.get(uuid)['task_state'] == states.SCHEDULING
