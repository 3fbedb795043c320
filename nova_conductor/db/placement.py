"""Placing an instance on a host: claim, group policy and host in one transaction.

Everything that must hold when an instance lands on a host is checked and
written together, under row locks, so concurrent conductors can neither
over-commit a host nor break a hard (anti-)affinity group.
"""

import sqlalchemy as sa

from common import exception
from common import states
from nova_conductor.db import aggregates
from nova_conductor.db import compute
from nova_conductor.db import convert
from nova_conductor.db import instance_transitions
from nova_conductor.db import instances
from nova_conductor.db import models
from nova_conductor.db import session

HARD_POLICIES = ('affinity', 'anti-affinity')


def _check_group(s, group_uuid, instance_uuid, host):
    """Lock the group row, then check its hard policy against `host`."""
    groups = models.InstanceGroup.__table__
    group = s.execute(sa.select(groups).where(groups.c.uuid == group_uuid)
                      .with_for_update()).mappings().first()
    if group is None or group['policy'] not in HARD_POLICIES:
        return
    inst = models.Instance.__table__
    members = models.InstanceGroupMember.__table__
    hosts = list(s.execute(
        sa.select(inst.c.host)
        .join(members, members.c.instance_uuid == inst.c.uuid)
        .where(members.c.group_id == group['id'])
        .where(inst.c.uuid != instance_uuid)
        .where(inst.c.deleted == sa.false())
        .where(inst.c.host.is_not(None))).scalars())
    if group['policy'] == 'affinity':
        ok = all(h == host for h in hosts)
    else:
        limit = int(convert.loads(group['rules']).get(
            'max_server_per_host', 1))
        ok = hosts.count(host) < limit
    if not ok:
        raise exception.GroupPolicyViolation(host=host, policy=group['policy'],
                                   group=group_uuid)


@session.retry_transaction
def claim_and_place(instance_uuid, choice, flavor, group_uuid=None,
                    expected_task_state=states.SCHEDULING, fresh=False,
                    owner=None):
    """Claim `flavor` on the chosen node and record the instance there.

    An instance already holding resources elsewhere (evacuate) moves its
    allocation in the same transaction. Raises ResourcesUnavailable (node
    full, or group policy) so the caller tries the next alternate;
    InstanceNotFound or UnexpectedTaskState when the instance was deleted
    meanwhile. Returns the instance dict.

    `fresh`: the instance was just created and never placed, so it holds
    no allocation and no fixed IP to look up (two reads fewer per boot).
    `owner`: the conductor worker building it, which must still own it
    (UnexpectedTaskState when another took the build over).
    """
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        _check_state(row, expected_task_state, owner, fresh)
        if group_uuid:
            _check_group(s, group_uuid, instance_uuid, choice['host'])
        compute.claim_in(s, instance_uuid, choice['compute_node_id'], flavor,
                         choice.get('limits'), fresh=fresh)
        values = _placed_values(
            choice, aggregates.zones_of(s, [choice['host']]))
        s.execute(instance_transitions.UPDATE_BY_ID,
                  dict(values, _id=row['id']))
        return instances.to_dicts(s, [dict(row, **values)], new=fresh)[0]


@session.retry_transaction
def place_new(requests):
    """claim_and_place(fresh=True) for several new instances outside any
    server group, in one transaction.

    `requests`: [{'instance_uuid', 'choice', 'flavor', 'owner'}] ('owner'
    optional, as in claim_and_place). One outcome each,
    in order: the placed instance's dict, or the error claim_and_place
    would have raised for it, in which case nothing was written for it.
    """
    with session.writer() as s:
        rows = {row['uuid']: row for row in s.execute(
            instances.LOCK_LIVE_ROWS,
            {'uuids': sorted({r['instance_uuid'] for r in requests})}
        ).mappings()}
        zones = aggregates.zones_of(
            s, {r['choice']['host'] for r in requests})
        outcomes = [None] * len(requests)
        placed = {}
        # Claims in node order: concurrent batches take the compute node
        # rows in one order, so they cannot deadlock on them.
        for index in sorted(range(len(requests)), key=lambda i: requests[
                i]['choice']['compute_node_id']):
            outcomes[index] = _place_one(s, rows, placed, zones,
                                         **requests[index])
        if placed:
            s.execute(instance_transitions.UPDATE_BY_ID, [
                dict(values, _id=rows[uuid]['id'])
                for uuid, values in placed.items()])
            dicts = instances.to_dicts(s, [dict(rows[uuid], **values)
                                            for uuid, values in
                                            placed.items()], new=True)
            by_uuid = {d['uuid']: d for d in dicts}
            outcomes = [by_uuid[o] if isinstance(o, str) else o
                        for o in outcomes]
        return outcomes


def _place_one(s, rows, placed, zones, instance_uuid, choice, flavor,
               owner=None):
    """One request of place_new: its uuid when placed, else the error."""
    row = rows.get(instance_uuid)
    if row is None:
        return exception.InstanceNotFound(instance_id=instance_uuid)
    if instance_uuid in placed:
        # Asked twice in one batch: the first request placed it.
        return exception.UnexpectedTaskState(
            instance_uuid=instance_uuid, actual='placed',
            expected=states.SCHEDULING)
    try:
        _check_state(row, states.SCHEDULING, owner, fresh=True)
        compute.claim_in(s, instance_uuid, choice['compute_node_id'],
                         flavor, choice.get('limits'), fresh=True)
    except exception.NovaException as error:
        return error
    placed[instance_uuid] = _placed_values(choice, zones)
    return instance_uuid


def _check_state(row, expected_task_state, owner=None, fresh=False):
    if row['task_state'] != expected_task_state:
        raise exception.UnexpectedTaskState(
            instance_uuid=row['uuid'], actual=row['task_state'],
            expected=expected_task_state)
    if fresh and row['host'] is not None:
        # A first placement of a row placed already is a second copy of
        # its build (a create or a takeover whose outcome was unknown):
        # the first copy holds the claim, this one stops.
        raise exception.UnexpectedTaskState(
            instance_uuid=row['uuid'], expected=expected_task_state,
            actual='%s, placed on %s' % (row['task_state'], row['host']))
    if owner is not None and row['build_owner'] != owner:
        raise exception.UnexpectedTaskState(
            instance_uuid=row['uuid'], expected=expected_task_state,
            actual='%s, taken over by conductor worker %s' % (
                row['task_state'], row['build_owner']))


def _placed_values(choice, zones):
    return {'host': choice['host'], 'node': choice['nodename'],
            'compute_node_id': choice['compute_node_id'],
            'availability_zone': zones[choice['host']],
            'updated_at': models.utcnow()}
