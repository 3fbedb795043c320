"""/v2.1/servers/{id}/action: os-stop, os-start and reboot (202, no body)."""

import secrets

import falcon

from nova_api import errors
from nova_api import server_view
from nova_api import validation
from nova_api.resources import servers

REBOOT_SCHEMA = {
    'type': 'object',
    'properties': {'type': {'type': 'string',
                            'enum': ['HARD', 'Hard', 'hard', 'SOFT', 'Soft',
                                     'soft']}},
    'required': ['type'], 'additionalProperties': False,
}

CONSOLE_SCHEMA = {
    'type': ['object', 'null'],
    'properties': {'length': {'type': ['integer', 'string', 'null'],
                              'pattern': '^-?[0-9]+$'}},
    'additionalProperties': False,
}

REBUILD_SCHEMA = {
    'type': 'object',
    'properties': {
        'imageRef': {'type': 'string'},
        'name': validation.NAME,
        'metadata': servers.CREATE_SCHEMA['properties']['server'][
            'properties']['metadata'],
        'adminPass': {'type': 'string'},
        'OS-DCF:diskConfig': {'type': 'string', 'enum': ['AUTO', 'MANUAL']},
        'accessIPv4': {'type': 'string', 'format': 'ipv4'},
        'preserve_ephemeral': {'type': 'boolean'},
    },
    'required': ['imageRef'], 'additionalProperties': False,
}

EVACUATE_SCHEMA = {
    'type': 'object',
    'properties': {
        'host': {'type': 'string', 'minLength': 1, 'maxLength': 255},
        'onSharedStorage': {'type': ['boolean', 'string']},
        'adminPass': {'type': 'string'},
    },
    'required': ['onSharedStorage'], 'additionalProperties': False,
}

# API action name -> conductor action name.
ACTIONS = {'os-stop': 'stop', 'os-start': 'start', 'reboot': 'reboot',
           'pause': 'pause', 'unpause': 'unpause', 'suspend': 'suspend',
           'resume': 'resume'}
RULES = {'os-stop': 'os_compute_api:servers:stop',
         'os-start': 'os_compute_api:servers:start',
         'reboot': 'os_compute_api:servers:reboot',
         'pause': 'os_compute_api:os-pause-server:pause',
         'unpause': 'os_compute_api:os-pause-server:unpause',
         'suspend': 'os_compute_api:os-suspend-server:suspend',
         'resume': 'os_compute_api:os-suspend-server:resume'}


class ServerAction(servers._Base):

    def on_post(self, req, resp, server_id):
        body = validation.read_json(req)
        if not isinstance(body, dict) or len(body) != 1:
            raise errors.bad_request('The request body must name exactly '
                                     'one action.')
        [(name, params)] = body.items()
        if name == 'os-getConsoleOutput':
            return self._console_output(req, resp, server_id, params)
        if name == 'rebuild':
            return self._rebuild(req, resp, server_id, params)
        if name == 'evacuate':
            return self._evacuate(req, resp, server_id, params)
        if name not in ACTIONS:
            raise errors.bad_request('There is no such action: %s' % name)
        params = params or {}
        if name == 'reboot':
            validation.validate(REBOOT_SCHEMA, params)
            params = {'type': params['type'].upper()}
        self._get_visible(req, server_id, RULES[name])
        self.conductor.instance_action(req.context.ctxt, server_id,
                                       ACTIONS[name], params)
        resp.status = falcon.HTTP_202

    def _console_output(self, req, resp, server_id, params):
        """The last `length` lines of the guest's serial console (200)."""
        validation.validate(CONSOLE_SCHEMA, params)
        length = (params or {}).get('length')
        length = None if length in (None, '') else int(length)
        if length is not None and length < -1:
            raise errors.bad_request('length must be -1 or more')
        self._get_visible(req, server_id, 'os_compute_api:os-console-output')
        output = self.conductor.instance_console_output(
            req.context.ctxt, server_id,
            None if length in (None, -1) else length)
        resp.media = {'output': output}

    def _rebuild(self, req, resp, server_id, params):
        """Same id, host, IPs and flavor; a new image (202 + server)."""
        params = validation.validate(REBUILD_SCHEMA, params or {})
        ctxt = req.context.ctxt
        instance = self._get_visible(req, server_id,
                                     'os_compute_api:servers:rebuild')
        image = self._image(ctxt, params['imageRef'], instance['flavor'])
        values = {}
        if 'name' in params:
            values['display_name'] = params['name']
        if 'metadata' in params:
            values['metadata'] = params['metadata']
        if 'accessIPv4' in params:
            values['access_ip_v4'] = params['accessIPv4']
        instance = self.conductor.rebuild_instance(ctxt, server_id,
                                                   image['id'], values)
        body = server_view.detail(req, instance)
        body['adminPass'] = params.get('adminPass') or \
            secrets.token_urlsafe(9)
        resp.status = falcon.HTTP_202
        resp.media = {'server': body}

    def _evacuate(self, req, resp, server_id, params):
        """Admin: recreate the server of a down host elsewhere."""
        params = validation.validate(EVACUATE_SCHEMA, params or {})
        self._get_visible(req, server_id, 'os_compute_api:os-evacuate')
        self.conductor.evacuate_instance(req.context.ctxt, server_id,
                                         params.get('host'))
        resp.media = {'adminPass': params.get('adminPass') or
                      secrets.token_urlsafe(9)}
