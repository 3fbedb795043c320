"""/v2.1/os-services (admin): services, their zone and state; enable/disable."""

from common import servicegroup
from nova_api import errors
from nova_api import policy
from nova_api import validation

_HOST_BINARY = {
    'host': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255},
}
SCHEMAS = {
    'enable': {'type': 'object', 'properties': _HOST_BINARY,
               'required': ['host', 'binary'],
               'additionalProperties': False},
    'disable': {'type': 'object', 'properties': _HOST_BINARY,
                'required': ['host', 'binary'],
                'additionalProperties': False},
    'disable-log-reason': {
        'type': 'object',
        'properties': dict(_HOST_BINARY, disabled_reason={
            'type': 'string', 'minLength': 1, 'maxLength': 255}),
        'required': ['host', 'binary', 'disabled_reason'],
        'additionalProperties': False},
}


def _time(iso):
    return iso[:26].replace('+00:00', '') if iso else None


def view(svc, zones):
    return {'id': svc['id'], 'binary': svc['binary'], 'host': svc['host'],
            'zone': zones.get((svc['host'], svc['binary']), 'internal'),
            'status': 'disabled' if svc['disabled'] else 'enabled',
            'state': 'up' if servicegroup.service_is_up(svc) else 'down',
            'updated_at': _time(svc['last_seen_up']),
            'disabled_reason': svc['disabled_reason']}


def zone_index(zones):
    """{(host, binary): zone name} from the conductor's zone list."""
    return {(host, binary): zone['name']
            for zone in zones for host, binaries in zone['hosts'].items()
            for binary in binaries}


class Services:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:os-services:list')
        ctxt = req.context.ctxt
        zones = zone_index(self.conductor.availability_zones_get(ctxt))
        found = [s for s in self.conductor.service_get_all(ctxt)
                 if req.get_param('host') in (None, s['host']) and
                 req.get_param('binary') in (None, s['binary'])]
        resp.media = {'services': [view(s, zones) for s in found]}


class ServiceAction:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_put(self, req, resp, action):
        policy.authorize(req, 'os_compute_api:os-services:update')
        if action not in SCHEMAS:
            raise errors.not_found('Unknown action %s' % action)
        body = validation.validate(SCHEMAS[action], validation.read_json(req))
        svc = self.conductor.service_set_status(
            req.context.ctxt, body['host'], body['binary'],
            disabled=action != 'enable',
            reason=body.get('disabled_reason'))
        out = {'host': svc['host'], 'binary': svc['binary'],
               'status': 'disabled' if svc['disabled'] else 'enabled'}
        if action == 'disable-log-reason':
            out['disabled_reason'] = svc['disabled_reason']
        resp.media = {'service': out}
