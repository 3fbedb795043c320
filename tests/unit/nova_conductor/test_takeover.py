"""Builds whose conductor worker was lost are taken over, exactly once,
and resumed: scheduled again, cast again, or given up after too many."""

import datetime
import os
import subprocess
import sys
import threading
import time

import pytest
import sqlalchemy as sa

from common import exception
from common import states
from common.conf import CONF
from nova_conductor import build
from nova_conductor import manager
from nova_conductor import takeover
from nova_conductor.db import build_owners as owners_db
from nova_conductor.db import compute as compute_db
from nova_conductor.db import instance_transitions as transitions_db
from nova_conductor.db import instances as instances_db
from nova_conductor.db import models
from nova_conductor.db import placement
from nova_conductor.db import session as db_session
from tests.unit.nova_conductor import dbhelpers
from tests.unit.nova_conductor.test_build import FakeCompute, _choice

SPEC = {'flavor': dbhelpers.FLAVOR, 'image': {}}


def _owner(compute=None, host=None):
    """A registered worker with a recording build pool."""
    if host:
        CONF.set_override('host', host)
    started = []
    owner = takeover.BuildOwner(
        build.BuildOrchestrator(None, compute or FakeCompute()),
        compute or FakeCompute(),
        lambda ctxt, uuids, spec: started.append((ctxt, uuids, spec)))
    owner.started = started
    owner.id = owners_db.register(CONF.host, os.getpid())
    owner.started_at = models.utcnow()
    owner.builder.owner = owner.id
    return owner


def _dead_worker(host='elsewhere', age=60):
    """A worker of another host whose last heartbeat is `age` s old."""
    worker = owners_db.register(host, 1)
    _set_heartbeat(worker, age)
    return worker


def _set_heartbeat(worker, age):
    with db_session.writer() as s:
        s.execute(sa.update(models.ConductorWorker.__table__)
                  .where(models.ConductorWorker.id == worker)
                  .values(heartbeat_at=models.utcnow() -
                          datetime.timedelta(seconds=age)))


def _instance(owner, **values):
    return dbhelpers.make_instance(request_spec=SPEC, build_owner=owner,
                                   **values)


def test_two_workers_racing_take_over_each_build_exactly_once(db):
    dead = _dead_worker()
    uuids = [_instance(dead)['uuid'] for _ in range(20)]
    a, b = _owner(), _owner()
    taken = {}
    barrier = threading.Barrier(2)

    def sweep(owner):
        barrier.wait()
        taken[owner.id] = owner.sweep()
    threads = [threading.Thread(target=sweep, args=(o,)) for o in (a, b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken[a.id] + taken[b.id]) == sorted(uuids)
    assert not set(taken[a.id]) & set(taken[b.id])
    for owner in (a, b):
        resumed = [u for _c, group, _s in owner.started for u in group]
        assert sorted(resumed) == sorted(taken[owner.id])
    for uuid in uuids:
        got = instances_db.get(uuid)
        assert got['build_resumes'] == 1
        assert got['build_owner'] == (a.id if uuid in taken[a.id] else b.id)


def test_take_over_is_a_compare_and_swap_on_the_old_owner(db):
    dead = _dead_worker()
    uuid = _instance(dead)['uuid']
    assert owners_db.take_over(uuid, dead, 7)
    assert not owners_db.take_over(uuid, dead, 8)
    assert instances_db.get(uuid)['build_owner'] == 7
    # A build past scheduling is nobody's to take.
    transitions_db.update(uuid, {'task_state': states.SPAWNING})
    assert not owners_db.take_over(uuid, 7, 8)


def test_the_worker_taken_from_stops_at_its_claim(db):
    """A worker thought dead (frozen past the timeout) wakes up: its build
    was taken over, so its claim is refused and nothing is placed twice."""
    node = dbhelpers.make_node('h1')
    old = _dead_worker()
    uuid = _instance(old)['uuid']
    new = _owner()
    assert new.sweep() == [uuid]
    with pytest.raises(exception.UnexpectedTaskState):
        placement.claim_and_place(uuid, _choice(node), dbhelpers.FLAVOR,
                                  fresh=True, owner=old)
    compute = FakeCompute()
    stale = build.BuildOrchestrator(None, compute)
    stale.owner = old
    stale.claim_and_cast(None, uuid, [_choice(node)], SPEC, {}, fresh=True)
    assert compute.casts == []
    assert compute_db.compute_node_get(node['id'])['running_vms'] == 0
    # The new owner's claim goes through.
    new.builder.claim_and_cast(None, uuid, [_choice(node)], SPEC, {},
                               fresh=True)
    assert instances_db.get(uuid)['host'] == 'h1'


def test_owner_liveness(db):
    CONF.set_override('host', 'here')
    now = models.utcnow()
    dead_pid = subprocess.Popen([sys.executable, '-c', '']).pid
    os.waitpid(dead_pid, 0)
    me = os.getpid()
    workers = [
        {'id': 1, 'host': 'there', 'pid': dead_pid, 'started_at': now,
         'heartbeat_at': now},                    # another host: heartbeat
        {'id': 2, 'host': 'there', 'pid': me, 'started_at': now,
         'heartbeat_at': now - datetime.timedelta(seconds=11)},  # stale
        {'id': 3, 'host': 'here', 'pid': dead_pid, 'started_at': now,
         'heartbeat_at': now},                    # killed on this host
        {'id': 4, 'host': 'here', 'pid': me, 'started_at': now,
         'heartbeat_at': now},                    # alive here
        {'id': 5, 'host': 'here', 'pid': me,
         'started_at': now - datetime.timedelta(days=400),
         'heartbeat_at': now},                    # pid reused since
    ]
    assert takeover.live_owners(workers, now, 10, 'here') == {1, 4}


def test_a_process_runs_until_it_exits(db):
    child = subprocess.Popen([sys.executable, '-c',
                              'import time; time.sleep(30)'])
    try:
        assert takeover.process_runs(child.pid, models.utcnow())
    finally:
        child.kill()
    # Killed but not reaped yet: a zombie runs nothing.
    deadline = time.monotonic() + 5
    while takeover.process_runs(child.pid, models.utcnow()):
        assert time.monotonic() < deadline
        time.sleep(0.01)
    child.wait()
    assert not takeover.process_runs(child.pid, models.utcnow())


def test_a_worker_restarted_on_its_host_resumes_at_once(db):
    """kill -9 and restart: the dead worker's heartbeat is fresh, but its
    process is gone, so the new worker takes its builds at its first
    sweep."""
    CONF.set_override('host', 'here')
    dead_pid = subprocess.Popen([sys.executable, '-c', '']).pid
    os.waitpid(dead_pid, 0)
    killed = owners_db.register('here', dead_pid)
    uuid = _instance(killed)['uuid']
    assert _owner().sweep() == [uuid]


def test_builds_of_live_owners_are_left_alone(db):
    alive = _owner(host='elsewhere')
    _instance(alive.id)
    assert _owner(host='here').sweep() == []


def test_an_unplaced_build_is_scheduled_again_as_its_creator(db):
    dead = _dead_worker()
    first = _instance(dead, reservation_id='r-1')
    second = _instance(dead, reservation_id='r-1')
    alone = _instance(dead, reservation_id='r-2')
    owner = _owner()
    owner.sweep()
    groups = sorted(sorted(uuids) for _c, uuids, _s in owner.started)
    assert groups == sorted([sorted([first['uuid'], second['uuid']]),
                             [alone['uuid']]])
    ctxt, _uuids, spec = owner.started[0]
    # The create action of dbhelpers.CTXT made them.
    assert (ctxt.request_id, ctxt.user_id, ctxt.project_id) == (
        'req-1', 'u1', 'p1')
    assert spec == SPEC


def test_a_placed_build_is_cast_again_to_its_host_when_up(db):
    node = dbhelpers.make_node('h1')
    dead = _dead_worker()
    uuid = _instance(dead)['uuid']
    placement.claim_and_place(uuid, _choice(node), dbhelpers.FLAVOR)
    compute = FakeCompute()
    owner = _owner(compute)
    owner.sweep()
    assert compute.casts == [('h1', uuid, [])]
    assert owner.started == []
    assert compute_db.compute_node_get(node['id'])['running_vms'] == 1


def test_a_build_placed_on_a_host_down_is_scheduled_elsewhere(db):
    node = dbhelpers.make_node('h1')
    owner = _owner()
    uuid = _instance(owner.id)['uuid']
    placement.claim_and_place(uuid, _choice(node), dbhelpers.FLAVOR)
    # Young: its host gets time to start it, down or not.
    assert owner.sweep() == []
    with db_session.writer() as s:
        s.execute(sa.update(models.Instance.__table__).values(
            updated_at=models.utcnow() - datetime.timedelta(seconds=11)))
        s.execute(sa.update(models.Service.__table__).values(
            last_seen_up=models.utcnow().replace(year=2000)))
    assert owner.sweep() == [uuid]
    got = instances_db.get(uuid)
    assert (got['host'], got['task_state'], got['build_owner']) == (
        None, states.SCHEDULING, owner.id)
    assert compute_db.compute_node_get(node['id'])['running_vms'] == 0
    assert [uuids for _c, uuids, _s in owner.started] == [[uuid]]


def test_a_build_waiting_too_long_is_taken_whoever_owns_it(db):
    CONF.set_override('scheduling_timeout', 60, 'conductor')
    alive = _owner(host='elsewhere')
    uuid = _instance(alive.id)['uuid']
    with db_session.writer() as s:
        s.execute(sa.update(models.Instance.__table__).values(
            updated_at=models.utcnow() - datetime.timedelta(seconds=61)))
    owner = _owner(host='here')
    assert owner.sweep() == [uuid]
    assert instances_db.get(uuid)['build_owner'] == owner.id
    # Its clock restarted: the next sweep leaves it.
    assert owner.sweep() == []


def test_a_build_resumed_too_often_goes_to_error_with_a_fault(db):
    CONF.set_override('max_build_resumes', 2, 'conductor')
    dead = _dead_worker()
    uuid = _instance(dead, build_resumes=2)['uuid']
    owner = _owner()
    assert owner.sweep() == [uuid]
    got = instances_db.get(uuid)
    assert (got['vm_state'], got['task_state']) == (states.ERROR, None)
    assert got['fault']['message'] == (
        'The build was resumed 2 times after the conductor or compute host '
        'running it stopped, and did not finish. Delete the server and '
        'create it again.')
    assert owner.started == []


def test_a_released_build_is_resumed_by_the_next_sweep(db):
    owner = _owner()
    uuid = _instance(owner.id)['uuid']
    assert owner.sweep() == []
    owner.release([uuid])
    assert owner.sweep() == [uuid]
    assert instances_db.get(uuid)['build_resumes'] == 1
    assert [uuids for _c, uuids, _s in owner.started] == [[uuid]]


def test_a_worker_heartbeats_and_leaves_on_stop(db):
    owner = _owner()
    _set_heartbeat(owner.id, 60)
    owner.beat()
    [row] = owners_db.workers()
    assert row['id'] == owner.id
    assert row['heartbeat_at'] > models.utcnow() - datetime.timedelta(
        seconds=5)
    # Pruned while frozen: the next heartbeat writes it again.
    owners_db.prune([owner.id])
    owner.beat()
    assert [w['id'] for w in owners_db.workers()] == [owner.id]
    owner.stop()
    assert owners_db.workers() == []


def test_workers_gone_long_ago_are_pruned(db):
    long_gone = _dead_worker(age=3600)
    recent = _dead_worker(age=30)
    owner = _owner()
    owner.sweep()
    assert [w['id'] for w in owners_db.workers()] == [recent, owner.id]
    assert long_gone not in [w['id'] for w in owners_db.workers()]


def test_a_late_failure_from_a_host_the_build_left_changes_nothing(db):
    n1, n2 = dbhelpers.make_node('h1'), dbhelpers.make_node('h2')
    uuid = _instance(None)['uuid']
    placement.claim_and_place(uuid, _choice(n2), dbhelpers.FLAVOR)
    orchestrator = build.BuildOrchestrator(None, FakeCompute())
    orchestrator.build_failed(None, uuid, 'h1', 'late', None, [], SPEC)
    orchestrator.build_failed(None, uuid, 'h1', 'late', None,
                              [_choice(n1)], SPEC)
    got = instances_db.get(uuid)
    assert (got['host'], got['vm_state'], got['task_state']) == (
        'h2', states.BUILDING, states.SCHEDULING)
    assert compute_db.compute_node_get(n2['id'])['running_vms'] == 1


def test_a_takeover_whose_commit_was_lost_is_resumed_by_the_next_sweep(
        db, monkeypatch):
    # The compare-and-swap was stored but its answer lost: the build is
    # ours now, and no sweep would see it as lost again.
    dead = _dead_worker()
    uuid = _instance(dead)['uuid']
    owner = _owner()
    real = owners_db.take_over

    def committed_but_lost(*args):
        real(*args)
        raise exception.DatabaseCommitUnknown()
    monkeypatch.setattr(owners_db, 'take_over', committed_but_lost)
    assert owner.sweep() == []
    monkeypatch.undo()
    assert owner.sweep() == [uuid]
    assert [uuids for _c, uuids, _s in owner.started] == [[uuid]]


def test_builds_taken_but_not_resumed_for_the_database_are_kept(
        db, monkeypatch):
    dead = _dead_worker()
    uuid = _instance(dead)['uuid']
    owner = _owner()

    def unavailable(filters):
        raise exception.DatabaseUnavailable(reason='gone')
    monkeypatch.setattr(instances_db, 'get_all', unavailable)
    with pytest.raises(exception.DatabaseUnavailable):
        owner.sweep()
    monkeypatch.undo()
    assert owner.sweep() == [uuid]
    assert [uuids for _c, uuids, _s in owner.started] == [[uuid]]


def test_a_failure_report_meeting_an_unavailable_database_is_kept(
        db, monkeypatch):
    # The build left its failed host (stored), then the database went
    # before it was placed again: the compute's copy of the report would
    # find nothing left to do, so the sweep resumes the build.
    n1, n2 = dbhelpers.make_node('h1'), dbhelpers.make_node('h2')
    compute = FakeCompute()
    conductor = manager.ConductorManager(scheduler_api=object(),
                                         compute_api=compute)
    conductor.owner.id = owners_db.register(CONF.host, os.getpid())
    conductor.owner.started_at = models.utcnow()
    conductor.builder.owner = conductor.owner.id
    started = []
    conductor.owner.start_build = lambda *args: started.append(args)
    uuid = _instance(conductor.owner.id)['uuid']
    placement.claim_and_place(uuid, _choice(n1), dbhelpers.FLAVOR)

    def unavailable(*args, **kwargs):
        raise exception.DatabaseUnavailable(reason='gone')
    monkeypatch.setattr(placement, 'claim_and_place', unavailable)
    with pytest.raises(exception.DatabaseUnavailable):
        conductor.build_failed(None, uuid, 'h1', 'spawn failed',
                               alternates=[_choice(n2)], request_spec=SPEC)
    monkeypatch.undo()
    got = instances_db.get(uuid)
    assert (got['host'], got['task_state']) == (None, states.SCHEDULING)
    assert conductor.owner.sweep() == [uuid]
    assert [uuids for _c, uuids, _s in started] == [[uuid]]
    conductor.cleanup_host()
