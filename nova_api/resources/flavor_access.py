"""/v2.1/flavors/{id}/os-flavor-access and the addTenantAccess /
removeTenantAccess actions: which projects may use a private flavor."""

from nova_api import policy
from nova_api import validation

_TENANT = {'type': 'object',
           'properties': {'tenant': {'type': 'string', 'minLength': 1,
                                     'maxLength': 255,
                                     'pattern': r'^[a-zA-Z0-9_.@-]+$'}},
           'required': ['tenant'], 'additionalProperties': False}
ACTIONS = validation.Actions({'addTenantAccess': _TENANT,
                              'removeTenantAccess': _TENANT})


def view(flavor_id, projects):
    return {'flavor_access': [{'flavor_id': flavor_id, 'tenant_id': p}
                              for p in projects]}


class FlavorAccess:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp, flavor_id):
        policy.authorize(req, 'os_compute_api:os-flavor-access')
        resp.media = view(flavor_id, self.conductor.flavor_access_get(
            req.context.ctxt, flavor_id))


class FlavorAction:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    @validation.schema(ACTIONS)
    def on_post(self, req, resp, flavor_id, body):
        policy.authorize(req, 'os_compute_api:os-flavor-access:%s' % (
            'add_tenant_access' if 'addTenantAccess' in body
            else 'remove_tenant_access'))
        ctxt = req.context.ctxt
        if 'addTenantAccess' in body:
            projects = self.conductor.flavor_access_add(
                ctxt, flavor_id, body['addTenantAccess']['tenant'])
        else:
            projects = self.conductor.flavor_access_remove(
                ctxt, flavor_id, body['removeTenantAccess']['tenant'])
        resp.media = view(flavor_id, projects)
