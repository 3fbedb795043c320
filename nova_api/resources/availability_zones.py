"""/v2.1/os-availability-zone: the zones users may boot into."""

from nova_api import policy
from nova_api import timestamps

INTERNAL_ZONE = 'internal'


class AvailabilityZones:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:os-availability-zone:list')
        zones = self.conductor.availability_zones_get(req.context.ctxt)
        resp.media = {'availabilityZoneInfo': [
            {'zoneName': z['name'],
             'zoneState': {'available': z['available']}, 'hosts': None}
            for z in zones if z['name'] != INTERNAL_ZONE]}


class AvailabilityZonesDetail(AvailabilityZones):
    """Admin view: each zone's hosts and their services."""

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:os-availability-zone:detail')
        zones = self.conductor.availability_zones_get(req.context.ctxt)
        resp.media = {'availabilityZoneInfo': [
            {'zoneName': z['name'],
             'zoneState': {'available': z['available']},
             'hosts': {host: {binary: {
                 'available': svc['available'], 'active': svc['active'],
                 'updated_at': timestamps.microseconds(svc['updated_at'])}
                 for binary, svc in services.items()}
                 for host, services in z['hosts'].items()} or None}
            for z in zones]}
