"""/v2.1/os-services (admin): services, their zone and state; changes.

Microversions: 2.11 shows `forced_down` and adds PUT force-down; 2.53
identifies services by uuid and replaces the enable / disable /
disable-log-reason / force-down actions with PUT /os-services/{uuid};
DELETE takes the id of the version. 2.69 changes nothing here.
"""

import falcon
from oslo_utils import uuidutils

from common import exception
from common import servicegroup
from nova_api import policy
from nova_api import timestamps
from nova_api import validation

V_FORCED_DOWN = (2, 11)
V_UUIDS = (2, 53)

_HOST_BINARY = {
    'host': {'type': 'string', 'minLength': 1, 'maxLength': 255},
    'binary': {'type': 'string', 'minLength': 1, 'maxLength': 255},
}
_REASON = {'type': 'string', 'minLength': 1, 'maxLength': 255}
_FORCE_DOWN = {
    'type': 'object',
    'properties': dict(_HOST_BINARY, forced_down={'type': 'boolean'}),
    'required': ['host', 'binary', 'forced_down'],
    'additionalProperties': False}
# Before 2.53 the action is the last path segment, PUT /os-services/enable.
ACTIONS = validation.Actions({
    'enable': {'type': 'object', 'properties': _HOST_BINARY,
               'required': ['host', 'binary'],
               'additionalProperties': False},
    'disable': {'type': 'object', 'properties': _HOST_BINARY,
                'required': ['host', 'binary'],
                'additionalProperties': False},
    'disable-log-reason': {
        'type': 'object',
        'properties': dict(_HOST_BINARY, disabled_reason=_REASON),
        'required': ['host', 'binary', 'disabled_reason'],
        'additionalProperties': False},
    'force-down': lambda version: (_FORCE_DOWN if version >= V_FORCED_DOWN
                                   else None),
}, in_path='service_id')
UPDATE_SCHEMA_V253 = {
    'type': 'object',
    'properties': {
        'status': {'type': 'string', 'enum': ['enabled', 'disabled']},
        'disabled_reason': _REASON,
        'forced_down': {'type': 'boolean'},
    },
    'minProperties': 1, 'additionalProperties': False,
}


def update_schema(version):
    return UPDATE_SCHEMA_V253 if version >= V_UUIDS else ACTIONS


def view(req, svc, zones):
    out = {'id': svc['uuid'] if req.context.api_version >= V_UUIDS
           else svc['id'],
           'binary': svc['binary'], 'host': svc['host'],
           'zone': zones.get((svc['host'], svc['binary']), 'internal'),
           'status': 'disabled' if svc['disabled'] else 'enabled',
           'state': 'up' if servicegroup.service_is_up(svc) else 'down',
           'updated_at': timestamps.microseconds(svc['updated_at']),
           'disabled_reason': svc['disabled_reason']}
    if req.context.api_version >= V_FORCED_DOWN:
        out['forced_down'] = bool(svc['forced_down'])
    return out


def zone_index(zones):
    """{(host, binary): zone name} from the conductor's zone list."""
    return {(host, binary): zone['name']
            for zone in zones for host, binaries in zone['hosts'].items()
            for binary in binaries}


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _zones(self, req):
        return zone_index(self.conductor.availability_zones_get(
            req.context.ctxt))


class Services(_Base):

    def on_get(self, req, resp):
        policy.authorize(req, 'os_compute_api:os-services:list')
        ctxt = req.context.ctxt
        zones = self._zones(req)
        host = req.get_param('host')
        found = [s for s in self.conductor.service_get_all(
                 ctxt, hosts=None if host is None else [host])
                 if host in (None, s['host']) and
                 req.get_param('binary') in (None, s['binary'])]
        resp.media = {'services': [view(req, s, zones) for s in found]}


class Service(_Base):
    """PUT /os-services/{action} before 2.53, /os-services/{uuid} after;
    DELETE /os-services/{id or uuid}."""

    @validation.schema(update_schema)
    def on_put(self, req, resp, service_id, body):
        policy.authorize(req, 'os_compute_api:os-services:update')
        if req.context.api_version >= V_UUIDS:
            self._update(req, resp, service_id, body)
        else:
            self._action(req, resp, service_id, body)

    def _action(self, req, resp, action, body):
        if action == 'force-down':
            values = {'forced_down': body['forced_down']}
        else:
            values = {'disabled': action != 'enable',
                      'disabled_reason': body.get('disabled_reason')}
        svc = self.conductor.service_update_by_host(
            req.context.ctxt, body['host'], body['binary'], values)
        out = {'host': svc['host'], 'binary': svc['binary']}
        if action == 'force-down':
            out['forced_down'] = svc['forced_down']
        else:
            out['status'] = 'disabled' if svc['disabled'] else 'enabled'
        if action == 'disable-log-reason':
            out['disabled_reason'] = svc['disabled_reason']
        resp.media = {'service': out}

    def _update(self, req, resp, service_id, body):
        if not uuidutils.is_uuid_like(service_id):
            raise exception.Invalid('Invalid uuid %s' % service_id)
        if 'disabled_reason' in body and body.get('status') != 'disabled':
            raise exception.Invalid('Specifying \'disabled_reason\' with '
                                    'status \'enabled\' is invalid.')
        values = {}
        if 'status' in body:
            values['disabled'] = body['status'] == 'disabled'
            values['disabled_reason'] = body.get('disabled_reason')
        if 'forced_down' in body:
            values['forced_down'] = body['forced_down']
        svc = self.conductor.service_update(req.context.ctxt, service_id,
                                            values)
        resp.media = {'service': view(req, svc, self._zones(req))}

    def on_delete(self, req, resp, service_id):
        policy.authorize(req, 'os_compute_api:os-services:delete')
        if req.context.api_version >= V_UUIDS:
            if not uuidutils.is_uuid_like(service_id):
                raise exception.Invalid('Invalid uuid %s' % service_id)
        elif not service_id.isdigit():
            raise exception.Invalid('Invalid service id %s' % service_id)
        self.conductor.service_delete(req.context.ctxt, service_id)
        resp.status = falcon.HTTP_204
