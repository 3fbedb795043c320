"""/v2.1/servers/{id}/action: power actions, rebuild, evacuate, lock,
resize and cold migration (server_moves.py),
console output, reset-state, restore and forceDelete, rescue
(server_rescue.py), snapshots and shelving (server_snapshots.py); the
other actions Nova serves answer 501 once the server is found."""

import re
import secrets

import falcon

from common import exception
from nova_api import create_checks
from nova_api import microversion
from nova_api import server_view
from nova_api import validation
from nova_api.resources import server_live_migration
from nova_api.resources import server_moves
from nova_api.resources import remote_consoles
from nova_api.resources import server_resource
from nova_api.resources import server_rescue
from nova_api.resources import server_snapshots
from nova_api.resources import servers

REBOOT_SCHEMA = {
    'type': 'object',
    'properties': {'type': {'type': 'string',
                            'enum': ['HARD', 'Hard', 'hard', 'SOFT', 'Soft',
                                     'soft']}},
    'required': ['type'], 'additionalProperties': False,
}

_CONSOLE_CONTROL = re.compile('[\x00-\x08\x0b-\x1f]')
CONSOLE_SCHEMA = {
    'type': ['object', 'null'],
    'properties': {'length': {'type': ['integer', 'string', 'null'],
                              'pattern': '^-?[0-9]+$',
                              'maximum': validation.MAX_INT}},
    'additionalProperties': False,
}

_REBUILD_21 = {
    'imageRef': {'type': 'string'},
    'name': validation.NAME,
    'metadata': servers.METADATA_SCHEMA,
    'adminPass': {'type': 'string'},
    'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']},
    'accessIPv4': servers.ACCESS_IPV4,
    'accessIPv6': servers.ACCESS_IPV6,
    'preserve_ephemeral': {'type': 'boolean'},
    'personality': servers.PERSONALITY_SCHEMA,
}


def rebuild_schema(version):
    props = dict(_REBUILD_21)
    if version >= (2, 19):
        props['description'] = {'type': ['string', 'null'], 'maxLength': 255}
    if version >= (2, 54):
        props['key_name'] = {'type': ['string', 'null'], 'minLength': 1,
                             'maxLength': 255}
    if version >= (2, 57):
        del props['personality']
        props['user_data'] = dict(validation.USER_DATA,
                                  type=['string', 'null'])
    if version >= (2, 63):
        props['trusted_image_certificates'] = {'type': ['array', 'null'],
                                               'maxItems': 0}
    if version >= (2, 90):
        props['hostname'] = servers.hostname_schema(version)
    return {'type': 'object', 'properties': props,
            'required': ['imageRef'], 'additionalProperties': False}


_HOST = {'type': 'string', 'minLength': 1, 'maxLength': 255}
# From 2.95 an evacuated server comes back stopped, whatever its state:
# its owner starts it once it is known to be safe to run.
V_EVACUATE_STOPPED = (2, 95)


def evacuate_schema(version):
    """onSharedStorage went in 2.14; force came in 2.29 and left in
    2.68 (the scheduler checks the host either way). The body does not
    change at 2.95, where the server comes back stopped."""
    props = {'host': _HOST, 'adminPass': {'type': 'string'}}
    required = []
    if version < (2, 14):
        props['onSharedStorage'] = {'type': ['boolean', 'string']}
        required.append('onSharedStorage')
    if (2, 29) <= version < (2, 68):
        props['force'] = {'type': 'boolean'}
    schema = {'type': 'object', 'properties': props,
              'additionalProperties': False}
    if required:
        # Draft 4 wants a non-empty list here.
        schema['required'] = required
    return schema


LOCK_SCHEMA = {
    'type': ['object', 'null'],
    'properties': {'locked_reason': {'type': 'string', 'minLength': 1,
                                     'maxLength': 255}},
    'additionalProperties': False,
}
RESET_STATE_SCHEMA = {
    'type': 'object',
    'properties': {'state': {'type': 'string', 'enum': ['active', 'error']}},
    'required': ['state'], 'additionalProperties': False,
}

_EVERY_VERSION = (microversion.MIN_VERSION, microversion.MAX_VERSION)
# Actions Nova serves and this cloud does not do (live migration,
# passwords, security groups, fixed and
# floating IPs, SPICE/RDP consoles), with the microversions Nova serves each
# at. As every action, they find the server first (404); then they
# answer 501 notImplemented, Nova's answer for what a cloud cannot do.
NOT_IMPLEMENTED = {
    name: _EVERY_VERSION for name in (
        'changePassword',
        'addSecurityGroup', 'removeSecurityGroup', 'injectNetworkInfo')}
NOT_IMPLEMENTED.update({
    'addFixedIp': ((2, 1), (2, 43)), 'removeFixedIp': ((2, 1), (2, 43)),
    'addFloatingIp': ((2, 1), (2, 43)),
    'removeFloatingIp': ((2, 1), (2, 43)),
    'os-getSPICEConsole': ((2, 1), (2, 5)),
    'os-getRDPConsole': ((2, 1), (2, 5)),
})


def _served(first, last):
    """Any parameters, at the microversions from `first` to `last`."""
    return lambda version: validation.ANY if first <= version <= last \
        else None


# Every action this route serves, by name: its parameters' schema.
_SCHEMAS = {
    'os-stop': validation.ANY, 'os-start': validation.ANY,
    'reboot': REBOOT_SCHEMA,
    'pause': validation.ANY, 'unpause': validation.ANY,
    'suspend': validation.ANY, 'resume': validation.ANY,
    'os-getConsoleOutput': CONSOLE_SCHEMA,
    'rebuild': rebuild_schema,
    'evacuate': evacuate_schema,
    'lock': LOCK_SCHEMA, 'unlock': validation.ANY,
    'os-resetState': RESET_STATE_SCHEMA,
    # Soft delete is off here (deletes are immediate): no server is ever
    # SOFT_DELETED, so restore always conflicts and forceDelete deletes.
    'restore': validation.ANY, 'forceDelete': validation.ANY,
    # 2.1 to 2.5; from 2.6 POST /servers/{id}/remote-consoles.
    'os-getVNCConsole': remote_consoles.versioned(
        remote_consoles.VNC_ACTION_SCHEMA),
    'os-getSerialConsole': remote_consoles.versioned(
        remote_consoles.SERIAL_ACTION_SCHEMA),
}
_SCHEMAS.update(server_rescue.SCHEMAS)
_SCHEMAS.update(server_moves.SCHEMAS)
_SCHEMAS.update(server_live_migration.SCHEMAS)
_SCHEMAS.update(server_snapshots.SCHEMAS)
_SCHEMAS.update((name, _served(*versions))
                for name, versions in NOT_IMPLEMENTED.items())
ACTIONS = validation.Actions(_SCHEMAS)

# API action name -> conductor action name.
POWER_ACTIONS = {'os-stop': 'stop', 'os-start': 'start', 'reboot': 'reboot',
                 'pause': 'pause', 'unpause': 'unpause', 'suspend': 'suspend',
                 'resume': 'resume'}
RULES = {'os-stop': 'os_compute_api:servers:stop',
         'os-start': 'os_compute_api:servers:start',
         'reboot': 'os_compute_api:servers:reboot',
         'pause': 'os_compute_api:os-pause-server:pause',
         'unpause': 'os_compute_api:os-pause-server:unpause',
         'suspend': 'os_compute_api:os-suspend-server:suspend',
         'resume': 'os_compute_api:os-suspend-server:resume'}


class ServerAction(server_moves.ServerMoves,
                   server_resource.ServerResource):

    def __init__(self, conductor_api):
        super().__init__(conductor_api)
        self.specs = servers.ServerSpecBuilder(conductor_api)

    @validation.schema(ACTIONS)
    def on_post(self, req, resp, server_id, body):
        [(name, params)] = body.items()
        if name == 'os-getConsoleOutput':
            return self._console_output(req, resp, server_id, params)
        if name == 'rebuild':
            return self._rebuild(req, resp, server_id, params)
        if name == 'evacuate':
            return self._evacuate(req, resp, server_id, params)
        if name in ('lock', 'unlock'):
            return self._lock(req, resp, server_id, name, params)
        if name == 'os-resetState':
            return self._reset_state(req, resp, server_id, params)
        if name == 'restore':
            return self._restore(req, server_id)
        if name == 'forceDelete':
            return self._force_delete(req, resp, server_id)
        if name in server_rescue.HANDLERS:
            return server_rescue.HANDLERS[name](self, req, resp, server_id,
                                                params)
        if name in server_live_migration.HANDLERS:
            return server_live_migration.HANDLERS[name](self, req, resp,
                                                        server_id, params)
        if name in server_moves.SCHEMAS:
            return self.move(req, resp, server_id, name, params)
        if name in server_snapshots.HANDLERS:
            return server_snapshots.HANDLERS[name](self, req, resp,
                                                   server_id, params)
        if name in remote_consoles.ACTION_PROTOCOLS:
            return remote_consoles.action_console(self, req, resp,
                                                  server_id, name, params)
        if name in NOT_IMPLEMENTED:
            self.get_visible(req, server_id, 'os_compute_api:servers:show')
            raise exception.ActionNotImplemented(action=name)
        if name == 'reboot':
            params = {'type': params['type'].upper()}
        else:
            # Nova ignores what the other power actions are given.
            params = {}
        self.get_writable(req, server_id, RULES[name])
        self.conductor.instance_action(req.context.ctxt, server_id,
                                       POWER_ACTIONS[name], params)
        resp.status = falcon.HTTP_202

    def _console_output(self, req, resp, server_id, params):
        """The last `length` lines of the guest's serial console (200)."""
        length = params.get('length')
        length = None if length in (None, '') else int(length)
        if length is not None and length < -1:
            raise exception.Invalid('length must be -1 or more')
        self.get_visible(req, server_id, 'os_compute_api:os-console-output')
        output = self.conductor.instance_console_output(
            req.context.ctxt, server_id,
            None if length in (None, -1) else length)
        # As Nova: no control characters but tab and newline (a serial
        # console's carriage returns and terminal escapes).
        resp.media = {'output': _CONSOLE_CONTROL.sub('', output)}

    def _rebuild(self, req, resp, server_id, params):
        """Same id, host, IPs and flavor; a new image (202 + server)."""
        ctxt = req.context.ctxt
        instance = self.get_writable(req, server_id,
                                     'os_compute_api:servers:rebuild')
        image = self.specs.image(ctxt, params['imageRef'], instance['flavor'])
        values = servers.changed_values(params, image)
        if 'key_name' in params:
            # 2.54: a new key pair, or none (null).
            values.update(self.specs.key_values(ctxt, params['key_name']))
        # What a rebuild sets beyond an update's columns.
        for key in ('metadata', 'user_data'):
            if key in params:
                values[key] = params[key]
        if params.get('personality'):
            create_checks.check_personality(self.conductor.quota_get(
                ctxt, ctxt.project_id)['limits'], params['personality'])
        instance = self.conductor.rebuild_instance(ctxt, server_id,
                                                   image['id'], values)
        body = self.show_body(req, instance, server_view.rebuilt)['server']
        body['adminPass'] = params.get('adminPass') or \
            secrets.token_urlsafe(9)
        resp.status = falcon.HTTP_202
        resp.media = {'server': body}

    def _evacuate(self, req, resp, server_id, params):
        """Admin: recreate the server of a down host elsewhere."""
        version = req.context.api_version
        self.get_visible(req, server_id, 'os_compute_api:os-evacuate')
        target = 'stopped' if version >= V_EVACUATE_STOPPED else None
        self.conductor.evacuate_instance(req.context.ctxt, server_id,
                                         params.get('host'), target)
        if version < (2, 14):
            resp.media = {'adminPass': params.get('adminPass') or
                          secrets.token_urlsafe(9)}
        else:
            resp.status = falcon.HTTP_200

    def _lock(self, req, resp, server_id, name, params):
        """Lock: only admins may act on the server until it is unlocked;
        an admin's lock can only be lifted by an admin."""
        ctxt = req.context.ctxt
        self.get_visible(req, server_id, 'os_compute_api:os-lock-server:'
                         + name)
        if name == 'lock':
            reason = params.get('locked_reason')
            if reason and req.context.api_version < (2, 73):
                raise exception.Invalid('locked_reason needs microversion '
                                        '2.73 or later')
            self.conductor.instance_set_lock(
                ctxt, server_id, 'admin' if ctxt.is_admin_user else 'owner',
                reason)
        else:
            self.conductor.instance_set_lock(
                ctxt, server_id, None, by_admin=ctxt.is_admin_user)
        resp.status = falcon.HTTP_202

    def _restore(self, req, server_id):
        """Only a SOFT_DELETED server can be restored, and with deletes
        immediate there is none: 409 with the state found, as Nova."""
        instance = self.get_visible(
            req, server_id, 'os_compute_api:os-deferred-delete:restore')
        raise exception.InstanceInvalidState(
            action='restore', instance_uuid=server_id, attr='vm_state',
            state=instance['vm_state'])

    def _force_delete(self, req, resp, server_id):
        """Delete now, whatever the state: what DELETE does here."""
        self.delete(req, server_id, 'os_compute_api:os-deferred-delete:force')
        resp.status = falcon.HTTP_202

    def _reset_state(self, req, resp, server_id, params):
        """Admin: force vm_state active or error and clear the task, for
        an instance an operator knows to be stuck."""
        self.get_visible(req, server_id,
                         'os_compute_api:os-admin-actions:reset_state')
        self.conductor.instance_update(
            req.context.ctxt, server_id,
            {'vm_state': params['state'], 'task_state': None})
        resp.status = falcon.HTTP_202
