"""The API's concurrent creates travel in batches, stored in one
transaction; a create the quota refuses fails alone."""

import concurrent.futures
import contextlib
import os
import threading
import time
import uuid

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
from nova_conductor.db import build_owners as owners_db
from nova_conductor.db import instance_create
from nova_conductor.db import instances as instances_db
from nova_conductor.db import models
from nova_conductor.db import quotas as quotas_db
from nova_conductor.db import session as db_session
from tests.unit.nova_conductor import dbhelpers


def _batch(receiver, calls):
    """`calls` as the conductor's RPC server answers a batch of them."""
    return coalesce.BatchEndpoint(receiver).serve('create_instances', None, calls)


def _queued(api, method):
    """Calls of `method` waiting in `api`'s coalescers for a batch."""
    return sum(len(c._waiting) for (m, _v), c in api._coalescers.items()
               if m == method)


class RecordingManager(manager.ConductorManager):
    """Records the batches that arrive and the builds they start (no
    scheduler here); holds each batch until released."""

    def __init__(self):
        super().__init__(scheduler_api=object(), compute_api=object())
        self.batches = []
        self.builds = []
        self.gate = threading.Event()
        self.gate.set()

    def create_together(self, items):
        self.batches.append(len(items))
        assert self.gate.wait(5)
        return super().create_together(items)

    def _start_build(self, context, instance_uuids, request_spec):
        self.builds.append((context.request_id, instance_uuids))


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
    return {'uuid': str(uuid.uuid4()), 'display_name': name,
            'project_id': project, 'user_id': 'u1', 'flavor': dbhelpers.FLAVOR, 'vcpus': 1,
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
        _until(lambda: _queued(api, 'create_instances') == 5)
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
    outcomes = _batch(conductor, calls)
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


def _request(project, *uuids):
    return {'context': context.RequestContext(
        user_id='u1', project_id=project).to_dict(), 'kwargs': {
        'instances': [dict(_values(u, project), uuid=u) for u in uuids],
        'request_spec': {'project_id': project,
                         'flavor': dbhelpers.FLAVOR}}}


def _project_instances(project):
    return sorted(i['uuid'] for i in instances_db.get_all(
        {'project_id': project}))


def test_the_same_create_twice_stores_it_once_and_counts_quota_once(
        conductor):
    # Room for exactly these two: counted again, the second would fail.
    quotas_db.update('p1', {'instances': 2})
    call = _request('p1', 'a', 'b')
    ctxt = context.RequestContext.from_dict(call['context'])
    first = conductor.create_instances(ctxt, **call['kwargs'])
    again = conductor.create_instances(ctxt, **call['kwargs'])
    assert [i['uuid'] for i in again] == [i['uuid'] for i in first] == [
        'a', 'b']
    assert _project_instances('p1') == ['a', 'b']
    assert quotas_db.usage('p1')['instances'] == 2
    # One build: the second answer only tells what is stored.
    assert [uuids for _, uuids in conductor.builds] == [['a', 'b']]


def test_a_batch_with_a_create_sent_again_stores_only_the_new_one(
        conductor):
    quotas_db.update('p1', {'instances': 2})
    _batch(conductor, [_request('p1', 'a')])
    outcomes = _batch(conductor, [
        _request('p1', 'a'), _request('p1', 'b'), _request('p2', 'c')])
    assert [[i['uuid'] for i in coalesce.unwrap(o)] for o in outcomes] == [
        ['a'], ['b'], ['c']]
    assert _project_instances('p1') == ['a', 'b']
    assert quotas_db.usage('p1')['instances'] == 2
    assert sorted(uuids for _, uuids in conductor.builds) == [
        ['a'], ['b'], ['c']]


def test_a_create_reusing_another_projects_uuids_is_refused(conductor):
    _batch(conductor, [_request('p1', 'a')])
    [outcome] = _batch(conductor, [_request('p2', 'a')])
    with pytest.raises(exception.InstanceExists):
        coalesce.unwrap(outcome)
    assert _project_instances('p2') == []


class LosingManager(RecordingManager):
    """Takes the first create message and never answers it (as a worker
    killed after RabbitMQ handed it over), until released."""

    def __init__(self):
        super().__init__()
        self.release_first = threading.Event()
        self.copies = 0
        self.answered = 0

    def create_together(self, items):
        self.copies += 1
        if self.copies == 1:
            assert self.release_first.wait(10)
        try:
            return super().create_together(items)
        finally:
            self.answered += 1


def test_a_create_whose_answer_is_lost_is_answered_by_its_copy(db):
    CONF.set_override('rpc_resend_after', 0.2)
    rpc.init(CONF, url='inproc://')
    endpoint = LosingManager()
    server = rpc.get_server(
        messaging.Target(topic=rpcapi.ConductorAPI.TOPIC, server='c1'),
        [endpoint])
    server.start()
    try:
        api = rpcapi.ConductorAPI(timeout=10)
        ctxt = context.RequestContext(user_id='u1', project_id='p1')
        request_id = ctxt.request_id
        started = time.monotonic()
        # The API makes the uuids: both copies carry the same.
        [instance] = api.create_instances(
            ctxt, [_values('vm', 'p1')], {'project_id': 'p1',
                                          'flavor': dbhelpers.FLAVOR})
        assert time.monotonic() - started < 2
        assert endpoint.copies == 2
        # Now the first copy runs, late: it finds the instance stored and
        # starts no second build.
        endpoint.release_first.set()
        _until(lambda: endpoint.answered == 2)
        assert _project_instances('p1') == [instance['uuid']]
        assert endpoint.builds == [(request_id, [instance['uuid']])]
        assert quotas_db.usage('p1')['instances'] == 1
    finally:
        endpoint.release_first.set()
        server.stop()
        server.wait()
        endpoint.cleanup_host()
        rpc.cleanup()


def _as_registered_worker(conductor):
    conductor.owner.id = owners_db.register(CONF.host, os.getpid())
    conductor.owner.started_at = models.utcnow()
    conductor.builder.owner = conductor.owner.id


@pytest.mark.parametrize('made', [True, False])
def test_a_create_whose_commit_was_lost_is_stored_and_built_once(
        conductor, monkeypatch, made):
    # The connection goes during the COMMIT, which the server made or not:
    # the conductor looks, and the create is stored, counted and built
    # once either way, with no error for the client.
    _as_registered_worker(conductor)
    quotas_db.update('p1', {'instances': 2})
    lost = dbhelpers.LostConnections(monkeypatch, commits=1,
                                     after_commit=made)
    call = _request('p1', 'a', 'b')
    created = conductor.create_instances(
        context.RequestContext.from_dict(call['context']), **call['kwargs'])
    assert lost.raised == 1
    assert [i['uuid'] for i in created] == ['a', 'b']
    assert _project_instances('p1') == ['a', 'b']
    assert quotas_db.usage('p1')['instances'] == 2
    assert [uuids for _, uuids in conductor.builds] == [['a', 'b']]
    # A copy the API sent meanwhile starts no second build.
    conductor.create_instances(
        context.RequestContext.from_dict(call['context']), **call['kwargs'])
    assert len(conductor.builds) == 1


def test_a_stored_create_of_another_worker_is_not_built_again(
        conductor, monkeypatch):
    # Rows found after a lost COMMIT but owned by another worker were
    # stored by a copy of the create that worker runs: not ours to build.
    _as_registered_worker(conductor)
    call = _request('p1', 'a')
    other = dict(call['kwargs']['instances'][0], build_owner=999,
                 vm_state=states.BUILDING, task_state=states.SCHEDULING)
    real_insert = instance_create._insert_together

    def copy_wins(requests):
        if not requests:
            return []
        real_insert([dict(requests[0], values_list=[other])])
        raise exception.DatabaseCommitUnknown()
    monkeypatch.setattr(instance_create, '_insert_together', copy_wins)
    [created] = conductor.create_instances(
        context.RequestContext.from_dict(call['context']), **call['kwargs'])
    assert created['build_owner'] == 999
    assert conductor.builds == []


def test_a_create_whose_outcome_cannot_be_read_is_left_to_the_sweep(
        conductor, monkeypatch):
    # COMMIT made but lost, and the database gone before the conductor
    # could look: the client gets a 503-class error it sends again, and
    # the worker's next sweep resumes the build stored meanwhile.
    _as_registered_worker(conductor)
    dbhelpers.LostConnections(monkeypatch, commits=1, after_commit=True)

    def unreadable(requests):
        raise exception.DatabaseUnavailable(reason='gone')
    monkeypatch.setattr(instance_create, '_stored', unreadable)
    call = _request('p1', 'a')
    with pytest.raises(exception.DatabaseCommitUnknown):
        conductor.create_instances(
            context.RequestContext.from_dict(call['context']),
            **call['kwargs'])
    assert conductor.builds == []
    monkeypatch.undo()
    assert conductor.owner.sweep() == ['a']
    assert [uuids for _, uuids in conductor.builds] == [['a']]
    # The client's copy finds it stored, and starts nothing more.
    conductor.create_instances(
        context.RequestContext.from_dict(call['context']), **call['kwargs'])
    assert len(conductor.builds) == 1


def test_a_batch_meeting_an_unavailable_database_fails_whole(
        conductor, monkeypatch):
    # Not one by one (each would meet it too): the client sends the batch
    # again.
    dbhelpers.LostConnections(monkeypatch, statements=100)
    with pytest.raises(exception.DatabaseUnavailable):
        _batch(conductor, [_request('p1', 'a'),
                           _request('p2', 'b')])
