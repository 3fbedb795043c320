"""Services, compute nodes, and atomic resource claims on them."""

import datetime
import json
import uuid as uuidlib

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from common import capacity
from common import exception
from nova_conductor import liveness
from nova_conductor.db import convert
from nova_conductor.db import models
from nova_conductor.db import session

REPORTED_NODE_FIELDS = (
    'vcpus', 'vcpus_reserved', 'memory_mb', 'memory_mb_reserved', 'local_gb',
    'local_gb_reserved', 'hypervisor_type', 'hypervisor_version', 'cpu_info',
    'host_ip', 'cpu_allocation_ratio', 'ram_allocation_ratio',
    'disk_allocation_ratio')


def service_heartbeat(host, binary, topic, version=None):
    """Record that host/binary is alive, creating its service on first call;
    `version` (its service version), when given, is recorded too.

    The workers of one conductor start together and may both find no row
    and insert one: the loser's insert breaks the unique key, and its
    second attempt finds the winner's row."""
    try:
        return _heartbeat(host, binary, topic, version)
    except sa_exc.IntegrityError:
        return _heartbeat(host, binary, topic, version)


def _service(s, host, binary):
    return s.scalars(sa.select(models.Service).filter_by(
        host=host, binary=binary)).first()


def _heartbeat(host, binary, topic, version):
    now = models.utcnow()
    svc_t = models.Service.__table__
    with session.writer() as s:
        svc = _service(s, host, binary)
        if svc is None:
            svc = models.Service(uuid=str(uuidlib.uuid4()), host=host,
                                 binary=binary, topic=topic, report_count=1,
                                 last_seen_up=now, version=version)
            s.add(svc)
            s.flush()
        else:
            # updated_at stays: it marks admin changes, which the
            # scheduler's refresh reads; a heartbeat is not one.
            values = dict(report_count=svc_t.c.report_count + 1,
                          last_seen_up=now, topic=topic,
                          updated_at=svc_t.c.updated_at)
            if version is not None:
                values['version'] = version
            s.execute(sa.update(svc_t).where(svc_t.c.id == svc.id).values(
                **values))
            s.refresh(svc)
        out = convert.row_to_dict(svc)
    liveness.register(host, binary)
    return out


def services_seen(pending):
    """Stamp last_seen_up of many services: {(host, binary): (topic,
    stamp)}. Stamps are truncated to the second so one UPDATE per distinct
    second covers them all (a service looks at most a second older than
    it is); a service with no row yet (its first beat raced its
    registration, or an admin deleted it) gets one, as a heartbeat would
    give it."""
    by_second = {}
    for key, (topic, stamp) in pending.items():
        by_second.setdefault(stamp.replace(microsecond=0), []).append(key)
    svc_t = models.Service.__table__
    matched = 0
    with session.writer() as s:
        for stamp, keys in sorted(by_second.items()):
            matched += s.execute(
                sa.update(svc_t)
                .where(sa.tuple_(svc_t.c.host, svc_t.c.binary).in_(keys))
                .values(last_seen_up=stamp,
                        report_count=svc_t.c.report_count + 1,
                        updated_at=svc_t.c.updated_at)
            ).rowcount
        if matched == len(pending):
            return
        found = set(s.execute(
            sa.select(svc_t.c.host, svc_t.c.binary)
            .where(sa.tuple_(svc_t.c.host, svc_t.c.binary).in_(
                list(pending)))).all())
    for (host, binary), (topic, _stamp) in pending.items():
        if (host, binary) not in found:
            service_heartbeat(host, binary, topic)


# Hosts per IN list: a page of servers names at most [api] max_limit.
HOSTS_PER_QUERY = 500


def service_get_all(binary=None, hosts=None):
    """Services ordered by id: of `binary` if given, and of `hosts` (a
    list of host names) if given."""
    query = sa.select(models.Service).order_by(models.Service.id)
    if binary:
        query = query.filter_by(binary=binary)
    with session.reader() as s:
        if hosts is None:
            rows = list(s.scalars(query))
        else:
            hosts = sorted({h for h in hosts if isinstance(h, str)})
            rows = sorted(
                (row for start in range(0, len(hosts), HOSTS_PER_QUERY)
                 for row in s.scalars(query.where(models.Service.host.in_(
                     hosts[start:start + HOSTS_PER_QUERY])))),
                key=lambda row: row.id)
        return liveness.fill([convert.row_to_dict(r) for r in rows])


def service_get_by_host(host, binary='nova-compute'):
    with session.reader() as s:
        svc = s.scalars(sa.select(models.Service).filter_by(
            host=host, binary=binary)).first()
        return liveness.fill([convert.row_to_dict(svc)])[0] if svc else None


def service_set_status(host, binary, disabled, reason=None):
    """Enable or disable a service; a node's scheduler cache sees it."""
    with session.writer() as s:
        svc = s.scalars(sa.select(models.Service).filter_by(
            host=host, binary=binary)).first()
        if svc is None:
            raise exception.ServiceNotFound(
                service_id='%s on host %s' % (binary, host))
        svc.disabled = disabled
        svc.disabled_reason = reason if disabled else None
        svc.updated_at = models.utcnow()
        s.flush()
        return convert.row_to_dict(svc)


def compute_node_update(host, nodename, resources):
    """Store what a compute host reports; usage stays owned by claims."""
    values = {k: resources[k] for k in REPORTED_NODE_FIELDS
              if k in resources}
    with session.writer() as s:
        svc = s.scalars(sa.select(models.Service).filter_by(
            host=host, binary='nova-compute')).first()
        node = s.scalars(sa.select(models.ComputeNode).filter_by(
            host=host, hypervisor_hostname=nodename)).first()
        if node is None:
            node = models.ComputeNode(uuid=str(uuidlib.uuid4()), host=host,
                                      hypervisor_hostname=nodename)
            s.add(node)
        for key, value in values.items():
            setattr(node, key, value)
        node.service_id = svc.id if svc else None
        node.updated_at = models.utcnow()
        s.flush()
        return convert.row_to_dict(node)


def _nodes_query():
    """Every node column, and what the scheduler needs of its service, as
    plain rows: a full refresh reads every node, and ORM objects would
    cost it more than the read."""
    cn = models.ComputeNode.__table__
    svc = models.Service.__table__
    return (sa.select(
        *cn.c,
        svc.c.disabled.label('service_disabled'),
        svc.c.disabled_reason.label('service_disabled_reason'),
        svc.c.forced_down.label('service_forced_down'),
        svc.c.uuid.label('service_uuid'),
        svc.c.last_seen_up.label('service_updated_at'))
        .select_from(cn.outerjoin(svc, cn.c.service_id == svc.c.id))
        .order_by(cn.c.id))


_DATETIME_KEYS = ('created_at', 'updated_at', 'service_updated_at')
_FLAG_KEYS = ('service_disabled', 'service_forced_down')


def _node_dict(row):
    out = dict(row._mapping)
    for key in _DATETIME_KEYS:
        out[key] = convert.iso(out[key])
    for key in _FLAG_KEYS:
        out[key] = bool(out[key])
    out['deleted'] = False
    return out


def compute_nodes_get_all(changed_since=None):
    """All nodes with their service's state, or only those changed since;
    and 'down', the ids of nodes whose service is down now.

    A node counts as changed when its row or its service's row moved (an
    admin change, a claim, a report); a heartbeat is no change, so an idle
    fleet's refresh costs O(changed + down), not O(heartbeats). The
    returned 'now' is the marker to pass next time.
    """
    now = models.utcnow()
    query = _nodes_query()
    if changed_since:
        # Overlap by a second: rows committed late with an earlier stamp
        # would otherwise be missed.
        since = convert.parse_iso(changed_since) - datetime.timedelta(
            seconds=1)
        query = query.where(models.ComputeNode.id.in_(
            _changed_node_ids(since)))
    with session.reader() as s:
        nodes = [_node_dict(row) for row in s.execute(query)]
        _add_placement_facts(s, nodes, every_node=not changed_since)
        down = liveness.down_node_ids(s)
    liveness.fill(nodes, key='service_updated_at', binary_key=None)
    return {'nodes': nodes, 'now': convert.iso(now), 'down': down}


# Ids, uuids or host names one compute_nodes_where call may name.
NODES_WHERE_MAX = 100


def compute_nodes_where(ids=(), uuids=(), hosts=()):
    """The nodes with any of these ids, uuids or host names, as
    compute_nodes_get_all gives them (without the scheduler's placement
    facts): an index lookup each, not a read of every node. At most
    NODES_WHERE_MAX names in all."""
    ids = [i for i in ids if isinstance(i, int)]
    uuids = [u for u in uuids if isinstance(u, str)]
    hosts = [h for h in hosts if isinstance(h, str)]
    if len(ids) + len(uuids) + len(hosts) > NODES_WHERE_MAX:
        raise exception.Invalid('At most %d nodes at a time.'
                                % NODES_WHERE_MAX)
    cn = models.ComputeNode.__table__
    wanted = [column.in_(values) for column, values in (
        (cn.c.id, ids), (cn.c.uuid, uuids), (cn.c.host, hosts)) if values]
    if not wanted:
        return []
    with session.reader() as s:
        nodes = [_node_dict(row) for row in
                 s.execute(_nodes_query().where(sa.or_(*wanted)))]
    liveness.fill(nodes, key='service_updated_at', binary_key=None)
    return nodes


def compute_nodes_page(after_id=None, limit=None):
    """Up to `limit` nodes by id, after node `after_id`, as
    compute_nodes_where gives them: a page of the hypervisor list without
    a read of every node."""
    cn = models.ComputeNode.__table__
    query = _nodes_query()
    if after_id is not None:
        query = query.where(cn.c.id > int(after_id))
    if limit is not None:
        query = query.limit(max(0, min(int(limit), 2 ** 31 - 1)))
    with session.reader() as s:
        nodes = [_node_dict(row) for row in s.execute(query)]
    liveness.fill(nodes, key='service_updated_at', binary_key=None)
    return nodes


def _changed_node_ids(since):
    """Ids of nodes whose row or whose service's row moved since `since`:
    two index lookups (compute_nodes.updated_at, services.updated_at then
    compute_nodes.service_id), where an OR across the join would read
    every node."""
    cn = models.ComputeNode.__table__
    svc = models.Service.__table__
    return sa.union(
        sa.select(cn.c.id).where(cn.c.updated_at >= since),
        sa.select(cn.c.id).select_from(
            cn.join(svc, cn.c.service_id == svc.c.id)).where(
            svc.c.updated_at >= since))


def _supported_instances(cpu_info, hypervisor_type):
    """[arch, hypervisor type, vm mode] triples a node can run."""
    try:
        arch = json.loads(cpu_info or '{}').get('arch')
    except (ValueError, AttributeError):
        arch = None
    arch = arch or 'x86_64'
    hv_type = (hypervisor_type or '').lower()
    if hv_type == 'qemu':
        return [[arch, 'kvm', 'hvm'], [arch, 'qemu', 'hvm']]
    return [[arch, hv_type or 'qemu', 'hvm']]


def _add_placement_facts(s, nodes, every_node=False):
    """What filters need beyond resources: aggregates and instances.
    For `every_node`, every link and placed instance is read, without an
    IN list naming all of them."""
    if not nodes:
        return
    from nova_conductor.db import aggregates
    aggs = aggregates.by_host(
        s, None if every_node else {n['host'] for n in nodes})
    inst_t = models.Instance.__table__
    query = (sa.select(inst_t.c.uuid, inst_t.c.compute_node_id,
                       inst_t.c.project_id, inst_t.c.vm_state,
                       inst_t.c.task_state)
             .where(inst_t.c.deleted == sa.false()))
    placed = inst_t.c.compute_node_id
    rows = s.execute(query.where(
        placed.is_not(None) if every_node
        else placed.in_([n['id'] for n in nodes])))
    instances = {}
    for row in rows:
        instances.setdefault(row.compute_node_id, {})[row.uuid] = {
            'project_id': row.project_id, 'vm_state': row.vm_state,
            'task_state': row.task_state}
    # A fleet has a few hardware models: parse each cpu_info once.
    supported = {}
    for node in nodes:
        model = (node.get('cpu_info'), node.get('hypervisor_type'))
        if model not in supported:
            supported[model] = _supported_instances(*model)
        node['aggregates'] = aggs.get(node['host'], [])
        node['availability_zone'] = aggregates.host_az(node['aggregates'])
        node['instances'] = instances.get(node['id'], {})
        node['num_instances'] = len(node['instances'])
        node['supported_instances'] = supported[model]


def compute_node_get(node_id):
    with session.reader() as s:
        node = s.get(models.ComputeNode, node_id)
        if node is None:
            raise exception.ComputeHostNotFound(host=node_id)
        return convert.row_to_dict(node)


def claim(instance_uuid, compute_node_id, flavor, limits=None):
    """claim_in() in a transaction of its own."""
    with session.writer() as s:
        claim_in(s, instance_uuid, compute_node_id, flavor, limits)


def _ceiling(limit, total, reserved, ratio):
    """A resource's ceiling on a node: the scheduler's limit when it sent
    one, else the node's own (total - reserved) * allocation ratio."""
    return sa.func.coalesce(sa.bindparam(limit, type_=sa.Float),
                            capacity.usable(total, reserved, ratio))


def _claim_statement():
    """One conditional UPDATE for every claim: it matches only while the
    node has room. Built once: building it per call cost more than running
    it."""
    cn = models.ComputeNode.__table__.c
    vcpus, ram, disk = (sa.bindparam(k, type_=sa.Integer)
                        for k in ('c_vcpus', 'c_ram', 'c_disk'))
    return (sa.update(models.ComputeNode.__table__)
            .where(cn.id == sa.bindparam('node_id'))
            .where(cn.vcpus_used + vcpus <= _ceiling(
                'vcpu_limit', cn.vcpus, cn.vcpus_reserved,
                cn.cpu_allocation_ratio))
            .where(cn.memory_mb_used + ram <= _ceiling(
                'ram_limit', cn.memory_mb, cn.memory_mb_reserved,
                cn.ram_allocation_ratio))
            .where(cn.local_gb_used + disk <= _ceiling(
                'disk_limit', cn.local_gb, cn.local_gb_reserved,
                cn.disk_allocation_ratio))
            .values(vcpus_used=cn.vcpus_used + vcpus,
                    memory_mb_used=cn.memory_mb_used + ram,
                    local_gb_used=cn.local_gb_used + disk,
                    running_vms=cn.running_vms + 1,
                    updated_at=sa.bindparam('now')))


def _give_back_statement():
    """The UPDATE that returns an allocation to its node."""
    cn = models.ComputeNode.__table__.c
    return (sa.update(models.ComputeNode.__table__)
            .where(cn.id == sa.bindparam('node_id'))
            .values(vcpus_used=cn.vcpus_used - sa.bindparam('c_vcpus'),
                    memory_mb_used=cn.memory_mb_used - sa.bindparam('c_ram'),
                    local_gb_used=cn.local_gb_used - sa.bindparam('c_disk'),
                    running_vms=cn.running_vms - 1,
                    updated_at=sa.bindparam('now')))


_allocations = models.Allocation.__table__
_CLAIM = _claim_statement()
_GIVE_BACK = _give_back_statement()
_ALLOCATE = _allocations.insert()
# FOR UPDATE: two concurrent frees of one allocation must not both give
# its resources back.
_LOCK_ALLOCATION = (
    sa.select(_allocations)
    .where(_allocations.c.instance_uuid == sa.bindparam('uuid'))
    .with_for_update())
_DEALLOCATE = _allocations.delete().where(
    _allocations.c.instance_uuid == sa.bindparam('uuid'))
_LIMIT_KEYS = {'vcpu': 'vcpu_limit', 'memory_mb': 'ram_limit',
               'disk_gb': 'disk_limit'}


def claim_in(s, instance_uuid, compute_node_id, flavor, limits=None,
             fresh=False):
    """Atomically take a flavor's resources on a node, or raise.

    One conditional UPDATE: it only matches while the node still has room,
    so any number of conductors can claim at once without over-committing.
    `limits` are the scheduler's ceilings for this node (they include
    per-aggregate allocation ratios); without them the node's own ratios
    apply. `fresh`: the instance holds no allocation yet.
    """
    vcpus, ram, disk = capacity.flavor_usage(flavor)
    params = {'node_id': compute_node_id, 'c_vcpus': vcpus, 'c_ram': ram,
              'c_disk': disk, 'now': models.utcnow()}
    for key, param in _LIMIT_KEYS.items():
        value = (limits or {}).get(key)
        params[param] = None if value is None else float(value)
    # A re-claim (e.g. a retry of the same build) first gives back the
    # previous allocation, so an instance never holds two.
    if not fresh:
        _free(s, instance_uuid)
    if s.execute(_CLAIM, params).rowcount != 1:
        raise exception.ResourcesUnavailable(
            host=compute_node_id,
            request='%d vCPU, %d MB RAM, %d GB disk' % (vcpus, ram, disk))
    s.execute(_ALLOCATE, {'instance_uuid': instance_uuid,
                          'compute_node_id': compute_node_id,
                          'vcpus': vcpus, 'memory_mb': ram, 'disk_gb': disk})


def _free(s, instance_uuid):
    alloc = s.execute(_LOCK_ALLOCATION, {'uuid': instance_uuid}).first()
    if alloc is None:
        return False
    s.execute(_GIVE_BACK, {'node_id': alloc.compute_node_id,
                           'c_vcpus': alloc.vcpus, 'c_ram': alloc.memory_mb,
                           'c_disk': alloc.disk_gb, 'now': models.utcnow()})
    s.execute(_DEALLOCATE, {'uuid': instance_uuid})
    return True


def hand_over(s, from_consumer, to_consumer):
    """Give what `from_consumer` holds to `to_consumer`, as it is (a
    resize's source allocation moves to its migration and back)."""
    return s.execute(
        _allocations.update()
        .where(_allocations.c.instance_uuid == from_consumer)
        .values(instance_uuid=to_consumer)).rowcount


def free_moves_of(s, instance_uuid):
    """Give back what the instance's moves hold (a resize's source, while
    it waits for confirmation)."""
    migrations = models.Migration.__table__
    for consumer in s.execute(sa.select(migrations.c.uuid).where(
            migrations.c.instance_uuid == instance_uuid)).scalars():
        _free(s, consumer)


def free(instance_uuid):
    """Give back whatever the instance holds; safe to call twice."""
    with session.writer() as s:
        return _free(s, instance_uuid)


def reset_failed_builds(s, compute_node_id):
    cn = models.ComputeNode.__table__.c
    s.execute(sa.update(models.ComputeNode.__table__)
              .where(cn.id == compute_node_id)
              .where(cn.failed_builds != 0)
              .values(failed_builds=0, updated_at=models.utcnow()))


def count_failed_build(host):
    """One more failed build on host (BuildFailureWeigher reads it)."""
    cn = models.ComputeNode.__table__.c
    with session.writer() as s:
        s.execute(sa.update(models.ComputeNode.__table__)
                  .where(cn.host == host)
                  .values(failed_builds=cn.failed_builds + 1,
                          updated_at=models.utcnow()))


def allocation_get(instance_uuid):
    with session.reader() as s:
        alloc = s.get(models.Allocation, instance_uuid)
        return convert.row_to_dict(alloc) if alloc else None
