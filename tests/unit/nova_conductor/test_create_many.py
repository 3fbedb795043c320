"""The API's concurrent creates travel in batches, stored in one
transaction; a create the quota refuses fails alone."""

import concurrent.futures
import contextlib
import threading
import time

import oslo_messaging as messaging
import pytest

from common import coalesce
from common import context
from common import exception
from common import rpc
from common import states
from common.conf import CONF
from nova_conductor import manager
from nova_conductor import rpcapi
from nova_conductor.db import instances as instances_db
from nova_conductor.db import quotas as quotas_db
from nova_conductor.db import session as db_session
from tests.unit.nova_conductor import dbhelpers


class RecordingManager(manager.ConductorManager):
    """Records the batches that arrive and the builds they start (no
    scheduler here); holds each batch until released."""

    def __init__(self):
        super().__init__(scheduler_api=object(), compute_api=object())
        self.batches = []
        self.builds = []
        self.gate = threading.Event()
        self.gate.set()

    def create_instances_many(self, context, calls):
        self.batches.append(len(calls))
        assert self.gate.wait(5)
        return super().create_instances_many(context, calls)

    def _start_build(self, context, created, request_spec):
        self.builds.append((context.request_id,
                            [i['uuid'] for i in created]))


@pytest.fixture
def conductor(db):
    rpc.init(CONF, url='inproc://')
    endpoint = RecordingManager()
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


def _values(name, project):
    return {'uuid': None, 'display_name': name, 'project_id': project,
            'user_id': 'u1', 'flavor': dbhelpers.FLAVOR, 'vcpus': 1,
            'memory_mb': 512, 'root_gb': 1, 'metadata': {}}


def _create(api, name, project):
    ctxt = context.RequestContext(user_id='u1', project_id=project)
    values = _values(name, project)
    del values['uuid']
    try:
        created = api.create_instances(ctxt, [values], {
            'project_id': project, 'flavor': dbhelpers.FLAVOR})
    except exception.NovaException as error:
        return ctxt.request_id, error
    return ctxt.request_id, created


def _until(condition):
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.001)


def _count_transactions(monkeypatch):
    opened = []
    real_writer = db_session.writer

    @contextlib.contextmanager
    def counted():
        opened.append(1)
        with real_writer() as s:
            yield s
    monkeypatch.setattr(db_session, 'writer', counted)
    return opened


def test_concurrent_creates_share_a_message_and_a_transaction(
        conductor, monkeypatch):
    api = rpcapi.ConductorAPI(timeout=10)
    opened = _count_transactions(monkeypatch)
    conductor.gate.clear()
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        first = pool.submit(_create, api, 'vm0', 'p1')
        # The rest queue while the first is held at the conductor.
        _until(lambda: conductor.batches)
        rest = [pool.submit(_create, api, 'vm%d' % i, 'p%d' % (i % 2))
                for i in range(1, 6)]
        _until(lambda: len(api._creates._waiting) == 5)
        conductor.gate.set()
        answers = [f.result(10) for f in [first] + rest]
    assert conductor.batches == [1, 5]
    # One transaction for the first, one for the batch of five.
    assert len(opened) == 2
    for (request_id, created), name in zip(
            answers, ['vm%d' % i for i in range(6)]):
        [instance] = created
        assert instance['display_name'] == name
        stored = instances_db.get(instance['uuid'])
        assert (stored['vm_state'], stored['task_state']) == (
            states.BUILDING, states.SCHEDULING)
        # Each build runs with the context of the request that made it.
        assert (request_id, [instance['uuid']]) in conductor.builds
    assert len(conductor.builds) == 6


def test_a_create_over_quota_fails_alone(conductor):
    quotas_db.update('p1', {'instances': 1})
    calls = [{'context': context.RequestContext(
        user_id='u1', project_id=project).to_dict(), 'kwargs': {
        'instances': [dict(_values(name, project), uuid=name)],
        'request_spec': {'project_id': project,
                         'flavor': dbhelpers.FLAVOR}}}
        for name, project in (('a', 'p1'), ('b', 'p1'), ('c', 'p2'))]
    outcomes = conductor.create_instances_many(None, calls)
    assert [o.get('error', {}).get('class') for o in outcomes] == [
        None, 'OverQuota', None]
    assert [i['uuid'] for i in outcomes[0]['result']] == ['a']
    assert [i['uuid'] for i in outcomes[2]['result']] == ['c']
    # Nothing of the refused create was kept; the others' builds started.
    with pytest.raises(exception.InstanceNotFound):
        instances_db.get('b')
    assert sorted(uuids for _, uuids in conductor.builds) == [['a'], ['c']]
    with pytest.raises(exception.OverQuota):
        coalesce.unwrap(outcomes[1])
