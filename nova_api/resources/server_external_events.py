"""/v2.1/os-server-external-events: other services (Neutron, Cinder,
Ironic, Cyborg) tell Nova something happened to a server.

Each event answers on its own: 200 accepted, 404 no such server, 422 the
server is on no host, 400 a tag its kind needs is missing; the request
answers 200 when all were accepted, else 207 (as Nova does since it
stopped answering 404 when none was). Nova casts accepted events to the
server's compute host; the compute hosts here wait on none of these
events (the flat network plugs interfaces itself, and there are no
volumes or accelerators), so an accepted event is logged and acknowledged.

Microversions add event names: 2.51 volume-extended, 2.76 power-update,
2.82 accelerator-request-bound, 2.93 volume-reimaged.
"""

import logging

import falcon

from nova_api import policy
from nova_api import validation

LOG = logging.getLogger(__name__)
NAMES = (((2, 1), ('network-changed', 'network-vif-plugged',
                   'network-vif-unplugged', 'network-vif-deleted')),
         ((2, 51), ('volume-extended',)),
         ((2, 76), ('power-update',)),
         ((2, 82), ('accelerator-request-bound',)),
         ((2, 93), ('volume-reimaged',)))
STATUSES = ('failed', 'completed', 'in-progress')
# Their tag names what changed (a volume, POWER_ON / POWER_OFF, an
# accelerator request): without one the event means nothing.
TAG_REQUIRED = ('volume-extended', 'power-update',
                'accelerator-request-bound', 'volume-reimaged')


def names(version):
    return [name for since, added in NAMES if version >= since
            for name in added]


def create_schema(version):
    return {
        'type': 'object',
        'properties': {'events': {
            'type': 'array', 'minItems': 1,
            'items': {
                'type': 'object',
                'properties': {
                    'server_uuid': {'type': 'string', 'format': 'uuid'},
                    'name': {'type': 'string', 'enum': names(version)},
                    'status': {'type': 'string', 'enum': list(STATUSES)},
                    'tag': {'type': 'string', 'maxLength': 255},
                },
                'required': ['server_uuid', 'name'],
                'additionalProperties': False,
            }}},
        'required': ['events'], 'additionalProperties': False,
    }


def outcome(event, instance):
    """(code, status) of one event for `instance` (None: not found)."""
    if instance is None:
        return 404, 'failed'
    if event['name'] in TAG_REQUIRED and event.get('tag') is None:
        return 400, 'failed'
    if not instance['host']:
        return 422, 'failed'
    return 200, 'completed'


class ServerExternalEvents:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    @validation.schema(create_schema)
    def on_post(self, req, resp, body):
        policy.authorize(req, 'os_compute_api:os-server-external-events:'
                              'create')
        events = body['events']
        uuids = sorted({e['server_uuid'].lower() for e in events})
        instances = {i['uuid']: i for i in self.conductor.instance_get_all(
            req.context.ctxt, filters={'uuids': uuids})}
        all_accepted = True
        for event in events:
            instance = instances.get(event['server_uuid'].lower())
            event['code'], event['status'] = outcome(event, instance)
            if event['code'] == 200:
                LOG.info('Event %s:%s for instance %s on %s acknowledged',
                         event['name'], event.get('tag'),
                         event['server_uuid'], instance['host'])
            else:
                all_accepted = False
                LOG.debug('Event %s:%s for instance %s dropped (%d)',
                          event['name'], event.get('tag'),
                          event['server_uuid'], event['code'])
        resp.media = {'events': events}
        resp.status = falcon.HTTP_200 if all_accepted else falcon.HTTP_207

