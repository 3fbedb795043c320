"""Server groups (instance groups) and their members."""

import uuid as uuidlib

import sqlalchemy as sa

from common import exception
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import quotas
from nova_conductor.db import session


def _dicts(s, rows):
    ids = [r.id for r in rows]
    members = {}
    if ids:
        for m in s.scalars(sa.select(models.InstanceGroupMember).where(
                models.InstanceGroupMember.group_id.in_(ids))
                .order_by(models.InstanceGroupMember.id)):
            members.setdefault(m.group_id, []).append(m.instance_uuid)
    out = []
    for row in rows:
        d = convert.row_to_dict(row)
        d['rules'] = convert.loads(row.rules)
        d['members'] = members.get(row.id, [])
        out.append(d)
    return out


def _row(s, group_uuid):
    row = s.scalars(sa.select(models.InstanceGroup).filter_by(
        uuid=group_uuid)).first()
    if row is None:
        raise exception.NotFound('Instance group %s could not be found.'
                                 % group_uuid)
    return row


def create(name, policy, rules, project_id, user_id):
    with session.writer() as s:
        quotas.lock_project(s, project_id)
        quotas.check(s, project_id, {'server_groups': 1})
        row = models.InstanceGroup(uuid=str(uuidlib.uuid4()), name=name,
                                   policy=policy,
                                   rules=convert.dumps(rules or {}),
                                   project_id=project_id, user_id=user_id)
        s.add(row)
        s.flush()
        return _dicts(s, [row])[0]


def get(group_uuid):
    with session.reader() as s:
        return _dicts(s, [_row(s, group_uuid)])[0]


def get_all(project_id=None):
    with session.reader() as s:
        query = sa.select(models.InstanceGroup).order_by(
            models.InstanceGroup.id)
        if project_id is not None:
            query = query.filter_by(project_id=project_id)
        return _dicts(s, list(s.scalars(query)))


def delete(group_uuid):
    with session.writer() as s:
        row = _row(s, group_uuid)
        s.execute(sa.delete(models.InstanceGroupMember).filter_by(
            group_id=row.id))
        s.delete(row)


def add_members(group_uuid, instance_uuids):
    with session.writer() as s:
        row = _row(s, group_uuid)
        for uuid in instance_uuids:
            s.add(models.InstanceGroupMember(group_id=row.id,
                                             instance_uuid=uuid))


def member_hosts(group_uuid):
    """Hosts of the group's live members (placed ones only)."""
    with session.reader() as s:
        row = _row(s, group_uuid)
        inst = models.Instance.__table__
        mem = models.InstanceGroupMember.__table__
        hosts = s.execute(
            sa.select(inst.c.host).join(mem, mem.c.instance_uuid ==
                                        inst.c.uuid)
            .where(mem.c.group_id == row.id)
            .where(inst.c.deleted == sa.false())
            .where(inst.c.host.is_not(None))).scalars()
        return list(hosts)


def join_within_quota(s, group_uuid, instance_uuids):
    """Make the instances members of the group, in the caller's
    transaction, if the group's server_group_members quota allows. The
    group's row stays locked until that transaction ends, so two creates
    into one group cannot both take its last place."""
    row = s.scalars(sa.select(models.InstanceGroup).filter_by(
        uuid=group_uuid).with_for_update()).first()
    if row is None:
        raise exception.NotFound('Instance group %s could not be found.'
                                 % group_uuid)
    _check_room(s, row, len(instance_uuids))
    for uuid in instance_uuids:
        s.add(models.InstanceGroupMember(group_id=row.id,
                                         instance_uuid=uuid))


def _check_room(s, row, count):
    """The group belongs to one project, whose server_group_members limit
    applies."""
    limit = quotas.limits_in(s, row.project_id)['server_group_members']
    if limit < 0:
        return
    inst = models.Instance.__table__
    mem = models.InstanceGroupMember.__table__
    used = s.execute(
        sa.select(sa.func.count()).select_from(
            mem.join(inst, inst.c.uuid == mem.c.instance_uuid))
        .where(mem.c.group_id == row.id)
        .where(inst.c.deleted == sa.false())).scalar()
    if used + count > limit:
        raise exception.QuotaExceeded(
            'Quota exceeded, too many servers in group')
