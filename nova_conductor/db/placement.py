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


@session.retry_on_deadlock
def claim_and_place(instance_uuid, choice, flavor, group_uuid=None,
                    expected_task_state=states.SCHEDULING, fresh=False):
    """Claim `flavor` on the chosen node and record the instance there.

    An instance already holding resources elsewhere (evacuate) moves its
    allocation in the same transaction. Raises ResourcesUnavailable (node
    full, or group policy) so the caller tries the next alternate;
    InstanceNotFound or UnexpectedTaskState when the instance was deleted
    meanwhile. Returns the instance dict.

    `fresh`: the instance was just created and never placed, so it holds
    no allocation and no fixed IP to look up (two reads fewer per boot).
    """
    table = models.Instance.__table__
    with session.writer() as s:
        row = instances.lock_live_row(s, instance_uuid)
        if row['task_state'] != expected_task_state:
            raise exception.UnexpectedTaskState(
                instance_uuid=instance_uuid, actual=row['task_state'],
                expected=expected_task_state)
        if group_uuid:
            _check_group(s, group_uuid, instance_uuid, choice['host'])
        compute.claim_in(s, instance_uuid, choice['compute_node_id'], flavor,
                         choice.get('limits'), fresh=fresh)
        values = {
            'host': choice['host'], 'node': choice['nodename'],
            'compute_node_id': choice['compute_node_id'],
            'availability_zone': aggregates.host_az(aggregates.by_host(
                s, [choice['host']]).get(choice['host'], [])),
            'updated_at': models.utcnow()}
        s.execute(sa.update(table).where(table.c.id == row['id'])
                  .values(**values))
        new = dict(row)
        new.update(values)
        return instances._to_dicts(s, [new], new=fresh)[0]
