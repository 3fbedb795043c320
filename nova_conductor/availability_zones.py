"""Availability zones, derived from aggregates and the services table."""

import sqlalchemy as sa

from common import servicegroup
from common.conf import CONF
from nova_conductor.db import aggregates as aggregates_db
from nova_conductor.db import compute as compute_db
from nova_conductor.db import models
from nova_conductor.db import session

INTERNAL_ZONE = 'internal'


def zones():
    """Every zone with its hosts' services: compute hosts sit in their
    aggregate's zone (or the default one), controller services in
    'internal', as Nova shows them."""
    services = compute_db.service_get_all()
    with session.reader() as s:
        host_aggs = aggregates_db.by_host(s)
    zones = {}
    for svc in services:
        if svc['binary'] == 'nova-compute':
            name = aggregates_db.host_az(host_aggs.get(svc['host'], []))
        else:
            name = INTERNAL_ZONE
        zone = zones.setdefault(name, {'name': name, 'hosts': {},
                                       'available': False})
        up = servicegroup.service_is_up(svc)
        zone['hosts'].setdefault(svc['host'], {})[svc['binary']] = {
            'available': up, 'active': not svc['disabled'],
            'updated_at': svc['last_seen_up']}
        if svc['binary'] == 'nova-compute' and up and not svc['disabled']:
            zone['available'] = True
    # Zones named by aggregates without live hosts still exist (unavailable).
    for aggs in host_aggs.values():
        for agg in aggs:
            name = agg['metadata'].get(aggregates_db.AZ_KEY)
            if name:
                zones.setdefault(name, {'name': name, 'hosts': {},
                                        'available': False})
    return sorted(zones.values(), key=lambda z: z['name'])


def zone_exists(name):
    """Whether zones() lists `name`, 'internal' aside: the question of
    every boot that names a zone, answered with two indexed lookups, not
    a read of every service and aggregate link."""
    if name == INTERNAL_ZONE:
        return False
    meta = models.AggregateMetadata.__table__
    links = models.AggregateHost.__table__
    svc = models.Service.__table__
    named = (meta.c.key == aggregates_db.AZ_KEY) & (meta.c.value != '')
    # Hosts in a zone other than the default: a zone is listed once an
    # aggregate naming it has a host, whether or not that has a service.
    zoned_hosts = sa.select(links.c.host).join(
        meta, meta.c.aggregate_id == links.c.aggregate_id).where(named)
    with session.reader() as s:
        if s.execute(zoned_hosts.where(meta.c.value == name)
                     .limit(1)).first():
            return True
        if name != CONF.default_availability_zone:
            return False
        # The default zone holds every compute host in no zoned aggregate.
        return s.execute(sa.select(svc.c.id).where(
            svc.c.binary == 'nova-compute',
            svc.c.host.not_in(zoned_hosts)).limit(1)).first() is not None
