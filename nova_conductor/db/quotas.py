"""Per-project quotas: limits, usage, and the atomic check at create;
quota classes, whose 'default' class gives every project its defaults."""

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import exception
from common.conf import CONF
from nova_conductor.db import models
from nova_conductor.db import session

RESOURCES = ('instances', 'cores', 'ram', 'metadata_items',
             'injected_files', 'injected_file_content_bytes',
             'injected_file_path_length', 'key_pairs', 'server_groups',
             'server_group_members')
# Stored and shown (the API shows them before 2.36, quota classes before
# 2.50), never enforced: this cloud has no floating IPs or security groups
# to count, so they are unlimited until an admin sets them.
NETWORK_RESOURCES = ('fixed_ips', 'floating_ips', 'security_groups',
                     'security_group_rules')
ALL_RESOURCES = RESOURCES + NETWORK_RESOURCES
DEFAULT_CLASS = 'default'


def config_defaults():
    """The [quota] options: what a resource no quota class names gets."""
    out = {r: getattr(CONF.quota, r) for r in RESOURCES}
    out.update({r: -1 for r in NETWORK_RESOURCES})
    return out


_quotas = models.Quota.__table__
_classes = models.QuotaClass.__table__
_CLASS_LIMITS = (sa.select(_classes.c.resource, _classes.c.hard_limit)
                 .where(_classes.c.class_name == sa.bindparam('name')))
# Every create reads this: a Core statement built once, one round trip for
# the default class and the project's own rows (rank 1 overrides rank 0).
_PROJECT_LIMITS = sa.union_all(
    sa.select(_classes.c.resource, _classes.c.hard_limit,
              sa.literal(0).label('rank'))
    .where(_classes.c.class_name == DEFAULT_CLASS),
    sa.select(_quotas.c.resource, _quotas.c.hard_limit,
              sa.literal(1).label('rank'))
    .where(_quotas.c.project_id == sa.bindparam('project')))


def _class_limits(s, class_name):
    out = config_defaults()
    for resource, hard_limit in s.execute(_CLASS_LIMITS,
                                          {'name': class_name}):
        if resource in out:
            out[resource] = hard_limit
    return out


def defaults_in(s):
    """Every project's defaults: the 'default' class over [quota], read
    in the caller's transaction."""
    return _class_limits(s, DEFAULT_CLASS)


def defaults():
    with session.reader() as s:
        return defaults_in(s)


def _limits(s, project_id):
    out = config_defaults()
    rows = sorted(s.execute(_PROJECT_LIMITS, {'project': project_id}),
                  key=lambda row: row.rank)
    for resource, hard_limit, _rank in rows:
        if resource in out:
            out[resource] = hard_limit
    return out


def limits_in(s, project_id):
    """The project's limits, read in the caller's transaction."""
    return _limits(s, project_id)


def limits(project_id):
    with session.reader() as s:
        return _limits(s, project_id)


def _usage(s, project_id):
    inst = models.Instance.__table__
    count, cores, ram = s.execute(
        sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(
            inst.c.vcpus), 0), sa.func.coalesce(sa.func.sum(
                inst.c.memory_mb), 0))
        .where(inst.c.project_id == project_id)
        .where(inst.c.deleted == sa.false())).one()
    groups = s.execute(sa.select(sa.func.count()).select_from(
        models.InstanceGroup.__table__).where(
        models.InstanceGroup.__table__.c.project_id == project_id)).scalar()
    return {'instances': int(count), 'cores': int(cores), 'ram': int(ram),
            'server_groups': int(groups)}


def usage(project_id):
    with session.reader() as s:
        return _usage(s, project_id)


def _set_limits(s, model, owner, new_limits):
    """Write `new_limits` as rows of `model` ({owner column: value} names
    whose rows: a project's or a class's)."""
    for resource, value in new_limits.items():
        if resource not in ALL_RESOURCES:
            raise exception.Invalid(reason='unknown quota %s' % resource)
        row = s.scalars(sa.select(model).filter_by(
            resource=resource, **owner)).first()
        if row is None:
            s.add(model(resource=resource, hard_limit=int(value), **owner))
        else:
            row.hard_limit = int(value)
    s.flush()


def update(project_id, new_limits):
    with session.writer() as s:
        _set_limits(s, models.Quota, {'project_id': project_id}, new_limits)
        return _limits(s, project_id)


def reset(project_id):
    with session.writer() as s:
        s.execute(sa.delete(models.Quota).filter_by(project_id=project_id))


def class_get(class_name):
    """A quota class's limits: its own rows over [quota] (Nova's rule:
    only the 'default' class also stands for every project's defaults)."""
    with session.reader() as s:
        return _class_limits(s, class_name)


def class_update(class_name, new_limits):
    """Set some of a class's limits; the class's limits after."""
    with session.writer() as s:
        _set_limits(s, models.QuotaClass, {'class_name': class_name},
                    new_limits)
        return _class_limits(s, class_name)


def lock_project(s, project_id):
    """Serialise quota checks of one project until the transaction ends."""
    lock = sa.select(models.QuotaLock).filter_by(
        project_id=project_id).with_for_update()
    if s.execute(lock).first() is not None:
        return
    try:
        with s.begin_nested():
            s.add(models.QuotaLock(project_id=project_id))
    except sa_exc.IntegrityError:
        pass  # created meanwhile by another transaction
    s.execute(lock).first()


def check(s, project_id, deltas, lock=False, written=False):
    """Raise OverQuota if adding `deltas` passes a limit.

    The caller holds the project's lock, or passes `lock` to take it here
    only when a limit applies: unlimited resources need no serialising.
    `written`: the caller's new rows are already in this transaction, so
    the usage counted includes them.
    """
    limit = _limits(s, project_id)
    limited = [r for r in ('instances', 'cores', 'ram', 'server_groups')
               if deltas.get(r) and limit[r] >= 0]
    if not limited:
        return  # unlimited: no need to count usage
    if lock:
        lock_project(s, project_id)
    used = _usage(s, project_id)
    for resource in limited:
        wanted = deltas[resource]
        before = used[resource] - wanted if written else used[resource]
        if before + wanted > limit[resource]:
            raise exception.OverQuota(resource=resource, requested=wanted,
                                      used=before, limit=limit[resource])
