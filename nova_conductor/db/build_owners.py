"""Conductor workers and the builds they own.

An instance in task_state scheduling is a build under way, and its row
names its owner: the conductor worker running it. Workers register and
heartbeat here; the compare-and-swaps below let exactly one worker take a
lost build over, and keep a build that was taken over, or moved to
another host, from being carried on by whoever ran it before.
"""

import sqlalchemy as sa

from common import states
from nova_conductor.db import compute
from nova_conductor.db import instance_transitions
from nova_conductor.db import instances
from nova_conductor.db import models
from nova_conductor.db import session

# The task_states of a build on its way to a host or on it.
BUILD_STATES = (states.SCHEDULING, states.NETWORKING,
                states.BLOCK_DEVICE_MAPPING, states.SPAWNING)

_workers = models.ConductorWorker.__table__
_instances = models.Instance.__table__


def register(host, pid):
    """A new worker's row; returns its id (the owner of its builds)."""
    now = models.utcnow()
    with session.writer() as s:
        return s.execute(sa.insert(_workers).values(
            host=host, pid=pid, started_at=now, heartbeat_at=now)
        ).inserted_primary_key[0]


@session.retry_transaction(idempotent=True)
def heartbeat(worker_id, host, pid, started_at):
    """The worker is alive. A row pruned meanwhile (the worker was frozen
    longer than the prune limit) is written again under the same id."""
    now = models.utcnow()
    with session.writer() as s:
        if s.execute(sa.update(_workers).where(_workers.c.id == worker_id)
                     .values(heartbeat_at=now)).rowcount == 0:
            s.execute(sa.insert(_workers).values(
                id=worker_id, host=host, pid=pid, started_at=started_at,
                heartbeat_at=now))


def unregister(worker_id):
    with session.writer() as s:
        s.execute(sa.delete(_workers).where(_workers.c.id == worker_id))


def workers():
    with session.reader() as s:
        return [dict(row) for row in s.execute(
            sa.select(_workers).order_by(_workers.c.id)).mappings()]


def prune(worker_ids):
    """Forget workers long gone (their builds were taken over already)."""
    with session.writer() as s:
        s.execute(sa.delete(_workers).where(_workers.c.id.in_(worker_ids)))


def waiting(live_owners, stuck_before, placed_before):
    """Builds in scheduling that may need a new owner: owned by none of
    `live_owners`, waiting since before `stuck_before`, or placed on a
    host before `placed_before` (whether that host is up is the caller's
    question). A build with no owner (written by an older conductor) is
    matched only by its age."""
    query = (sa.select(_instances.c.uuid, _instances.c.host,
                       _instances.c.build_owner, _instances.c.build_resumes,
                       _instances.c.updated_at)
             .where(_instances.c.task_state == states.SCHEDULING)
             .where(_instances.c.deleted == sa.false())
             .where(sa.or_(
                 _instances.c.build_owner.not_in(list(live_owners)),
                 _instances.c.updated_at < stuck_before,
                 sa.and_(_instances.c.host.is_not(None),
                         _instances.c.updated_at < placed_before)))
             .order_by(_instances.c.id))
    with session.reader() as s:
        return [dict(row) for row in s.execute(query).mappings()]


@session.retry_transaction
def take_over(instance_uuid, old_owner, new_owner):
    """Make `new_owner` the owner of a build still in scheduling and still
    owned by `old_owner`, counting one resume: of several workers trying
    at once, exactly one gets True. The build's clock restarts
    (updated_at), so [conductor] scheduling_timeout counts afresh."""
    owner = (_instances.c.build_owner.is_(None) if old_owner is None
             else _instances.c.build_owner == old_owner)
    with session.writer() as s:
        return s.execute(
            sa.update(_instances)
            .where(_instances.c.uuid == instance_uuid)
            .where(_instances.c.task_state == states.SCHEDULING)
            .where(_instances.c.deleted == sa.false())
            .where(owner)
            .values(build_owner=new_owner,
                    build_resumes=_instances.c.build_resumes + 1,
                    updated_at=models.utcnow())).rowcount == 1


_ANY = object()


@session.retry_transaction
def unplace(instance_uuid, host, owner, expected_task_states=BUILD_STATES,
            expected_owner=_ANY):
    """Take a build off `host` to be scheduled again, owned by `owner`:
    back to scheduling with no host, its claim freed (its fixed IP stays:
    the next host gets the same). Only if it is still on `host`, in one of
    `expected_task_states` (and owned by `expected_owner`): else False,
    and nothing is written, so a late report from a host the build has
    left cannot move it. InstanceNotFound when it was deleted."""
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        if not _holds(row, host, expected_task_states, expected_owner):
            return False
        instance_transitions.compare_and_swap(
            s, row, {'host': None, 'node': None, 'compute_node_id': None,
                     'task_state': states.SCHEDULING, 'build_owner': owner},
            instance_transitions.UNSET, instance_transitions.UNSET, host)
        compute._free(s, instance_uuid)
        return True


def fail(instance_uuid, message, details=None, host=None,
         expected_task_states=BUILD_STATES, expected_owner=_ANY):
    """Put a build in error with a fault, freeing what it held, if it is
    still a build in one of `expected_task_states` (on `host`, and owned
    by `expected_owner`, when given); else False and nothing written."""
    with session.writer() as s:
        row = instances.lock_live_object(s, instance_uuid)
        if not _holds({'host': row.host, 'task_state': row.task_state,
                       'build_owner': row.build_owner},
                      _ANY if host is None else host, expected_task_states,
                      expected_owner):
            return False
        instance_transitions.set_error_locked(s, row, 500, message, details,
                                              host)
        return True


def _holds(row, host, expected_task_states, expected_owner):
    return ((host is _ANY or row['host'] == host) and
            row['task_state'] in expected_task_states and
            (expected_owner is _ANY or row['build_owner'] == expected_owner))


def creators(instance_uuids):
    """{uuid: {'request_id', 'user_id', 'project_id'}} of each instance's
    create action: a resumed build runs in its creator's name, so its
    actions and logs stay attributed."""
    acts = models.InstanceAction.__table__
    first = (sa.select(sa.func.min(acts.c.id))
             .where(acts.c.instance_uuid.in_(list(instance_uuids)))
             .where(acts.c.action == 'create')
             .group_by(acts.c.instance_uuid))
    with session.reader() as s:
        return {row['instance_uuid']: {
            'request_id': row['request_id'], 'user_id': row['user_id'],
            'project_id': row['project_id']}
            for row in s.execute(
                sa.select(acts.c.instance_uuid, acts.c.request_id,
                          acts.c.user_id, acts.c.project_id)
                .where(acts.c.id.in_(first))).mappings()}

