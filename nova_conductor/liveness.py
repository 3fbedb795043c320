"""Which services are up, from the service-group driver, for the rows the
conductor hands out: last_seen_up of service dicts, and the compute nodes
down now (what the scheduler's refresh needs instead of every heartbeat).

With the db driver the rows already hold last_seen_up; with the redis
driver it comes from Redis, read only for the services asked about.
"""

import datetime
import time

import sqlalchemy as sa

from common import servicegroup
from common.conf import CONF
from nova_conductor.db import convert
from nova_conductor.db import models

COMPUTE = 'nova-compute'


def warm_up():
    if servicegroup.uses_redis():
        servicegroup.redis_group().client.ping()


def register(host, binary):
    """A service's registration (first heartbeat) counts as a beat."""
    if servicegroup.uses_redis():
        servicegroup.redis_group().beat(host, binary)


def forget(host, binary):
    if servicegroup.uses_redis():
        servicegroup.redis_group().forget(host, binary)


def fill(services, key='last_seen_up', binary_key='binary'):
    """Set each service dict's `key` to its last heartbeat (redis driver);
    the db driver's rows already have it. O(len(services))."""
    if not servicegroup.uses_redis() or not services:
        return services
    by_binary = {}
    for svc in services:
        by_binary.setdefault(svc.get(binary_key) or COMPUTE, []).append(svc)
    group = servicegroup.redis_group()
    for binary, group_services in by_binary.items():
        seen = group.last_seen(binary, {s['host'] for s in group_services})
        for svc in group_services:
            stamp = seen.get(svc['host'])
            svc[key] = stamp.isoformat() if stamp else None
    return services


def down_node_ids(s):
    """Ids of compute nodes whose service is down now: forced down, gone,
    or no heartbeat within service_down_time. O(down): each part is an
    indexed lookup (services.forced_down, compute_nodes.service_id,
    services.last_seen_up with the db driver), or a sorted-set range
    (redis), never a read of every node."""
    cn = models.ComputeNode.__table__
    svc = models.Service.__table__
    nodes_of = sa.select(cn.c.id).select_from(
        cn.join(svc, cn.c.service_id == svc.c.id))
    # One UNION, one round trip (a refresh precedes boots): a deleted
    # service's nodes lose their service_id (ON DELETE SET NULL).
    parts = [sa.select(cn.c.id).where(cn.c.service_id.is_(None)),
             nodes_of.where(svc.c.forced_down)]
    if not servicegroup.uses_redis():
        cutoff = models.utcnow() - datetime.timedelta(
            seconds=CONF.service_down_time)
        parts += [nodes_of.where(svc.c.last_seen_up < cutoff),
                  nodes_of.where(svc.c.last_seen_up.is_(None))]
    down = set(s.execute(sa.union(*parts)).scalars())
    if not servicegroup.uses_redis():
        return sorted(down)
    group = servicegroup.redis_group()
    stale, stamped = group.stale_and_count(COMPUTE, CONF.service_down_time)
    stale = set(stale)
    if stamped < _registered_computes(s):
        # Some registered host has no stamp at all (Redis lost its data,
        # or the row came before the driver changed): find them, O(N),
        # only while that lasts.
        hosts = list(s.execute(sa.select(svc.c.host).where(
            svc.c.binary == COMPUTE)).scalars())
        stale.update(h for h, seen in group.last_seen(COMPUTE, hosts).items()
                     if seen is None)
    if stale:
        down.update(s.execute(sa.select(cn.c.id).where(
            cn.c.host.in_(sorted(stale)))).scalars())
    return sorted(down)


# How long a conductor worker trusts its count of registered computes.
# Registering stamps Redis at once (register()), so the count matters only
# when Redis lost stamps; counting every service on each refresh would
# cost O(N) per boot.
REGISTERED_COUNT_TTL = 10.0
_registered = {'engine': None, 'count': None, 'at': 0.0}


def _registered_computes(s):
    now = time.monotonic()
    engine = s.get_bind()
    if _registered['engine'] is not engine or \
            now - _registered['at'] >= REGISTERED_COUNT_TTL:
        _registered['count'] = s.execute(
            sa.select(sa.func.count()).select_from(
                models.Service.__table__).where(
                models.Service.__table__.c.binary == COMPUTE)).scalar()
        _registered.update(engine=engine, at=now)
    return _registered['count']


def iso_now():
    return convert.iso(models.utcnow())
