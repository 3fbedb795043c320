"""The rescue, unrescue and trigger_crash_dump server actions: their
schemas and handlers, which server_actions.ServerAction dispatches to."""

import secrets

import falcon

from common.conf import CONF
from nova_api import validation

RESCUE_SCHEMA = {
    'type': ['object', 'null'],
    'properties': {
        'adminPass': {'type': 'string', 'maxLength': 255},
        'rescue_image_ref': validation.UUID,
    },
    'additionalProperties': False,
}
# trigger_crash_dump came with 2.17; it takes no parameters (null).
V_CRASH_DUMP = (2, 17)
NO_PARAMS = {'type': ['object', 'null'], 'additionalProperties': False}


def _crash_dump_schema(version):
    return NO_PARAMS if version >= V_CRASH_DUMP else None


SCHEMAS = {'rescue': RESCUE_SCHEMA, 'unrescue': NO_PARAMS,
           'trigger_crash_dump': _crash_dump_schema}


def rescue(resource, req, resp, server_id, params):
    """Boot the server from a rescue image (200 + its new adminPass)."""
    ctxt = req.context.ctxt
    resource.get_writable(req, server_id, 'os_compute_api:os-rescue')
    resource.conductor.rescue_instance(ctxt, server_id,
                                       params.get('rescue_image_ref'))
    # Nova hands the password to the rescue guest; a guest here reads it
    # from the metadata service's password as the boot's (not set here).
    resp.status = falcon.HTTP_200
    resp.media = {'adminPass': params.get('adminPass') or
                  secrets.token_urlsafe(9)} \
        if CONF.api.enable_instance_password else {}


def unrescue(resource, req, resp, server_id, params):
    resource.get_writable(req, server_id, 'os_compute_api:os-unrescue')
    resource.conductor.unrescue_instance(req.context.ctxt, server_id)
    resp.status = falcon.HTTP_202


def trigger_crash_dump(resource, req, resp, server_id, params):
    """202 once the compute host injected the NMI."""
    resource.get_writable(req, server_id,
                          'os_compute_api:servers:trigger_crash_dump')
    resource.conductor.trigger_crash_dump(req.context.ctxt, server_id)
    resp.status = falcon.HTTP_202


HANDLERS = {'rescue': rescue, 'unrescue': unrescue,
            'trigger_crash_dump': trigger_crash_dump}
