"""Instance actions with their events, and instance faults."""

import sqlalchemy as sa

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import session

FAULT_MESSAGE_LEN = 255


def action_start(s, instance_uuid, action, ctxt_dict, first_event=None):
    """Open an action (in caller's transaction), optionally with an event.

    Core statements, not ORM objects: every boot and operation runs this.
    """
    now = models.utcnow()
    action_id = s.execute(sa.insert(models.InstanceAction.__table__).values(
        action=action, instance_uuid=instance_uuid,
        request_id=ctxt_dict.get('request_id'),
        user_id=ctxt_dict.get('user_id'),
        project_id=ctxt_dict.get('project_id'),
        start_time=now, created_at=now, updated_at=now)
    ).inserted_primary_key[0]
    if first_event:
        s.execute(sa.insert(models.InstanceActionEvent.__table__).values(
            action_id=action_id, event=first_event, start_time=now,
            created_at=now, updated_at=now))
    return action_id


def record_step(s, instance_uuid, new_step, result='Success', host=None,
                traceback=None, finish_action=False, through=(),
                action_id=None):
    """Close the current action's open event and open one for `new_step`.

    Called as task_state moves, so each step of an operation (scheduling,
    networking, spawning...) appears as an event with its own timing.
    Steps in `through` were passed on the way: each gets an event that
    starts and finishes now. Plain SQL statements: this runs on every
    task_state change. `action_id`: the current action's, when the caller
    has read it already.
    """
    actions_t = models.InstanceAction.__table__
    events_t = models.InstanceActionEvent.__table__
    if action_id is None:
        action_id = s.execute(
            sa.select(actions_t.c.id)
            .where(actions_t.c.instance_uuid == instance_uuid)
            .order_by(actions_t.c.id.desc()).limit(1)).scalar()
    if action_id is None:
        return
    now = models.utcnow()
    s.execute(sa.update(events_t)
              .where(events_t.c.action_id == action_id)
              .where(events_t.c.finish_time.is_(None))
              .values(finish_time=now, result=result, traceback=traceback,
                      updated_at=now,
                      host=sa.func.coalesce(events_t.c.host, host)))
    rows = [dict(action_id=action_id, event=step, start_time=now,
                 finish_time=now, result=result, host=host, created_at=now,
                 updated_at=now) for step in through]
    if new_step:
        rows.append(dict(action_id=action_id, event=new_step,
                         start_time=now, finish_time=None, result=None,
                         host=host, created_at=now, updated_at=now))
    if rows:
        s.execute(sa.insert(events_t), rows)
    if finish_action:
        values = {'finish_time': now, 'updated_at': now}
        if result != 'Success':
            values['message'] = 'Error'
        s.execute(sa.update(actions_t).where(actions_t.c.id == action_id)
                  .values(**values))


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
        if changes_since is not None:
            query = query.where(table.updated_at >=
                                convert.parse_iso(changes_since))
        if changes_before is not None:
            query = query.where(table.updated_at <=
                                convert.parse_iso(changes_before))
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
