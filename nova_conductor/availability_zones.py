"""Availability zones, derived from aggregates and the services table."""

from common import servicegroup
from nova_conductor.db import aggregates as aggregates_db
from nova_conductor.db import compute as compute_db
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
