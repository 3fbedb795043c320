"""/v2.1/servers/{id}/action: os-stop, os-start and reboot (202, no body)."""

import falcon

from nova_api import errors
from nova_api import validation
from nova_api.resources import servers

REBOOT_SCHEMA = {
    'type': 'object',
    'properties': {'type': {'type': 'string',
                            'enum': ['HARD', 'Hard', 'hard', 'SOFT', 'Soft',
                                     'soft']}},
    'required': ['type'], 'additionalProperties': False,
}

# API action name -> conductor action name.
ACTIONS = {'os-stop': 'stop', 'os-start': 'start', 'reboot': 'reboot'}


class ServerAction(servers._Base):

    def on_post(self, req, resp, server_id):
        body = validation.read_json(req)
        if not isinstance(body, dict) or len(body) != 1:
            raise errors.bad_request('The request body must name exactly '
                                     'one action.')
        [(name, params)] = body.items()
        if name not in ACTIONS:
            raise errors.bad_request('There is no such action: %s' % name)
        params = params or {}
        if name == 'reboot':
            validation.validate(REBOOT_SCHEMA, params)
            params = {'type': params['type'].upper()}
        self._get_visible(req, server_id)
        self.conductor.instance_action(req.context.ctxt, server_id,
                                       ACTIONS[name], params)
        resp.status = falcon.HTTP_202
