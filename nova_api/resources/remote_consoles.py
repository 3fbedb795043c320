"""Remote consoles: POST /servers/{id}/remote-consoles (2.6), the older
os-getVNCConsole / os-getSerialConsole actions (2.1 to 2.5, in
server_actions.py) and GET /os-console-auth-tokens/{token} (admin).

A console is a URL of a console proxy (nova_console) holding a one-time
token the conductor made; docs/consoles.md."""

from common import exception
from nova_api import policy
from nova_api import validation
from nova_api.resources import server_resource

RULE = 'os_compute_api:os-remote-consoles'
V_REMOTE_CONSOLES = (2, 6)
# mks/webmks came in 2.8, spice-direct in 2.99.
V_MKS = (2, 8)
V_SPICE_DIRECT = (2, 99)
V_TOKENS_ANY_TYPE = (2, 31)


def remote_console_schema(version):
    protocols = ['vnc', 'spice', 'rdp', 'serial']
    types = ['novnc', 'xvpvnc', 'rdp-html5', 'spice-html5', 'serial']
    if version >= V_MKS:
        protocols.append('mks')
        types.append('webmks')
    if version >= V_SPICE_DIRECT:
        types.append('spice-direct')
    return {
        'type': 'object',
        'properties': {'remote_console': {
            'type': 'object',
            'properties': {'protocol': {'type': 'string',
                                        'enum': protocols},
                           'type': {'type': 'string', 'enum': types}},
            'required': ['protocol', 'type'],
            'additionalProperties': False}},
        'required': ['remote_console'], 'additionalProperties': False,
    }


# The old actions' bodies: {"os-getVNCConsole": {"type": "novnc"}}.
VNC_ACTION_SCHEMA = {
    'type': 'object',
    'properties': {'type': {'type': 'string',
                            'enum': ['novnc', 'xvpvnc']}},
    'required': ['type'], 'additionalProperties': False,
}
SERIAL_ACTION_SCHEMA = {
    'type': 'object',
    'properties': {'type': {'type': 'string', 'enum': ['serial']}},
    'required': ['type'], 'additionalProperties': False,
}
V_LAST_ACTIONS = (2, 5)


def versioned(schema):
    """An action body's schema at 2.1 to 2.5; None (no such action)
    after."""
    return lambda version: schema if version <= V_LAST_ACTIONS else None


ACTION_PROTOCOLS = {'os-getVNCConsole': 'vnc',
                    'os-getSerialConsole': 'serial'}


def get_console(resource, req, server_id, protocol, console_type):
    """{'protocol', 'type', 'url'} of a new console of the server."""
    resource.get_visible(req, server_id, RULE)
    return resource.conductor.instance_get_console(
        req.context.ctxt, server_id, protocol, console_type)


def action_console(resource, req, resp, server_id, name, params):
    """The 2.1 to 2.5 actions: {'console': {'type', 'url'}}."""
    found = get_console(resource, req, server_id, ACTION_PROTOCOLS[name],
                        params['type'])
    resp.media = {'console': {'type': found['type'], 'url': found['url']}}


class RemoteConsoles(server_resource.ServerResource):

    @validation.schema(remote_console_schema, min_version=V_REMOTE_CONSOLES)
    def on_post(self, req, resp, server_id, body):
        wanted = body['remote_console']
        found = get_console(self, req, server_id, wanted['protocol'],
                            wanted['type'])
        resp.media = {'remote_console': {'protocol': found['protocol'],
                                         'type': found['type'],
                                         'url': found['url']}}


class ConsoleAuthToken:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp, console_token):
        policy.authorize(req, 'os_compute_api:os-console-auth-tokens', {})
        found = self.conductor.console_token_get(req.context.ctxt,
                                                 console_token)
        if req.context.api_version < V_TOKENS_ANY_TYPE and \
                found['console_type'] != 'rdp-html5':
            # Before 2.31 only RDP tokens could be looked at.
            raise exception.ConsoleTokenNotAccessible()
        resp.media = {'console': {
            'instance_uuid': found['instance_uuid'], 'host': found['host'],
            'port': found['port'],
            'internal_access_path': found['internal_access_path']}}


def add_routes(app, conductor_api):
    app.add_route('/v2.1/servers/{server_id}/remote-consoles',
                  RemoteConsoles(conductor_api))
    app.add_route('/v2.1/os-console-auth-tokens/{console_token}',
                  ConsoleAuthToken(conductor_api))
