"""Instance actions with their events, and instance faults."""

import sqlalchemy as sa

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import paginate
from nova_conductor.db import session

FAULT_MESSAGE_LEN = 255


_actions = models.InstanceAction.__table__
_events = models.InstanceActionEvent.__table__
# Built once; the values go in as parameters (see instance_create._INSERT).
_START_ACTION = sa.insert(_actions)
_OPEN_EVENT = sa.insert(_events)


def action_start(s, instance_uuid, action, ctxt_dict, first_event=None):
    """Open an action (in caller's transaction), optionally with an event.

    Core statements, not ORM objects: every boot and operation runs this.
    """
    now = models.utcnow()
    action_id = s.execute(_START_ACTION, dict(
        action=action, instance_uuid=instance_uuid,
        request_id=ctxt_dict.get('request_id'),
        # oslo.context's to_dict() names the user 'user', not 'user_id'.
        user_id=ctxt_dict.get('user_id') or ctxt_dict.get('user'),
        project_id=ctxt_dict.get('project_id'),
        start_time=now, created_at=now, updated_at=now)
    ).inserted_primary_key[0]
    if first_event:
        s.execute(_OPEN_EVENT, dict(
            action_id=action_id, event=first_event, start_time=now,
            created_at=now, updated_at=now))
    return action_id


def end_action(s, instance_uuid, failed=False, message=None, details=None,
               host=None):
    """Close the action under way: its last event's result, and with
    `failed` a fault (500) saying why."""
    if failed:
        fault_create(s, instance_uuid, 500, message, details, host)
    record_step(s, instance_uuid, None,
                result='Error' if failed else 'Success', host=host,
                traceback=details, finish_action=True)


def record_step(s, instance_uuid, new_step, result='Success', host=None,
                traceback=None, finish_action=False, through=(),
                action_id=None):
    """Close the current action's open event and open one for `new_step`.

    Called as task_state moves, so each step of an operation (scheduling,
    networking, spawning...) appears as an event with its own timing.
    Steps in `through` were passed on the way: each gets an event that
    starts and finishes now. `action_id`: the current action's, when the
    caller has read it already.
    """
    if action_id is None:
        action_id = newest_action_id(s, instance_uuid)
    if action_id is None:
        return
    record_steps(s, [dict(action_id=action_id, new_step=new_step,
                          result=result, host=host, traceback=traceback,
                          finish_action=finish_action, through=through)])


_NEWEST_ACTION = (sa.select(_actions.c.id)
                  .where(_actions.c.instance_uuid == sa.bindparam('uuid'))
                  .order_by(_actions.c.id.desc()).limit(1))
_CLOSE_EVENT = (_events.update()
                .where(_events.c.action_id == sa.bindparam('a_id'))
                .where(_events.c.finish_time.is_(None))
                .values(finish_time=sa.bindparam('now'),
                        result=sa.bindparam('result'),
                        traceback=sa.bindparam('traceback'),
                        updated_at=sa.bindparam('now'),
                        host=sa.func.coalesce(_events.c.host,
                                              sa.bindparam('e_host'))))
_FINISH_ACTION = (_actions.update()
                  .where(_actions.c.id == sa.bindparam('a_id'))
                  .values(finish_time=sa.bindparam('now'),
                          updated_at=sa.bindparam('now'),
                          # A success keeps the message it had.
                          message=sa.func.coalesce(sa.bindparam('message'),
                                                   _actions.c.message)))


def newest_action_id(s, instance_uuid):
    return s.execute(_NEWEST_ACTION, {'uuid': instance_uuid}).scalar()


def record_steps(s, steps):
    """record_step() for several actions at once (dicts of its arguments,
    with action_id), in three statements whatever their number: this runs
    on every task_state change, a batch of a compute's at a time."""
    now = models.utcnow()
    s.execute(_CLOSE_EVENT, [
        {'a_id': step['action_id'], 'now': now, 'result': step['result'],
         'traceback': step.get('traceback'), 'e_host': step.get('host')}
        for step in steps])
    rows = []
    for step in steps:
        for name in step.get('through', ()):
            rows.append(_event_row(step, name, now, finished=True))
        if step['new_step']:
            rows.append(_event_row(step, step['new_step'], now,
                                   finished=False))
    if rows:
        s.execute(_events.insert(), rows)
    finished = [{'a_id': step['action_id'], 'now': now,
                 'message': None if step['result'] == 'Success'
                 else 'Error'}
                for step in steps if step.get('finish_action')]
    if finished:
        s.execute(_FINISH_ACTION, finished)


def _event_row(step, name, now, finished):
    return dict(action_id=step['action_id'], event=name, start_time=now,
                finish_time=now if finished else None,
                result=step['result'] if finished else None,
                host=step.get('host'), created_at=now, updated_at=now)


def fault_create(s, instance_uuid, code, message, details=None, host=None):
    s.add(models.InstanceFault(
        instance_uuid=instance_uuid, code=code,
        message=str(message)[:FAULT_MESSAGE_LEN], details=details, host=host))


def latest_faults(s, instance_uuids):
    """{uuid: newest fault dict} for the given instances."""
    if not instance_uuids:
        return {}
    rows = s.scalars(sa.select(models.InstanceFault)
                     .where(models.InstanceFault.instance_uuid.in_(
                         instance_uuids))
                     .order_by(models.InstanceFault.id))
    return {row.instance_uuid: convert.row_to_dict(row) for row in rows}


def actions_get(instance_uuid, limit=None, marker=None, changes_since=None,
                changes_before=None):
    """Newest first. `marker` is the request id of the last action seen;
    the time bounds compare with updated_at."""
    table = models.InstanceAction
    with session.reader() as s:
        query = (sa.select(table).filter_by(instance_uuid=instance_uuid)
                 .order_by(table.id.desc()))
        if marker is not None:
            marker_id = s.execute(sa.select(table.id).filter_by(
                instance_uuid=instance_uuid, request_id=marker)
                .order_by(table.id.desc())).scalar()
            if marker_id is None:
                raise exception.MarkerNotFound(marker=marker)
            query = query.where(table.id < marker_id)
        query = paginate.changed_between(query, table.updated_at,
                                         changes_since, changes_before)
        if limit is not None:
            query = query.limit(limit)
        return [convert.row_to_dict(r) for r in s.scalars(query)]


def action_get_by_request_id(instance_uuid, request_id):
    with session.reader() as s:
        action = s.scalars(sa.select(models.InstanceAction).filter_by(
            instance_uuid=instance_uuid, request_id=request_id)
            .order_by(models.InstanceAction.id.desc())).first()
        if action is None:
            return None
        out = convert.row_to_dict(action)
        events = s.scalars(sa.select(models.InstanceActionEvent)
                           .filter_by(action_id=action.id)
                           .order_by(models.InstanceActionEvent.id))
        out['events'] = [convert.row_to_dict(e) for e in events]
        return out
