"""/v2.1/os-server-groups: (anti-)affinity groups for servers (2.1 shape)."""

from nova_api import errors
from nova_api import policy
from nova_api import validation

# At 2.1 a group has one of these two policies; the soft ones and rules
# arrive with microversions 2.15 and 2.64.
POLICIES = ['affinity', 'anti-affinity']

CREATE_SCHEMA = {
    'type': 'object',
    'properties': {'server_group': {
        'type': 'object',
        'properties': {
            'name': validation.NAME,
            'policies': {'type': 'array', 'minItems': 1, 'maxItems': 1,
                         'items': {'type': 'string', 'enum': POLICIES}},
        },
        'required': ['name', 'policies'], 'additionalProperties': False}},
    'required': ['server_group'], 'additionalProperties': False,
}


def view(group):
    return {'id': group['uuid'], 'name': group['name'],
            'policies': [group['policy']], 'members': group['members'],
            'metadata': {}}


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _get(self, req, group_id, rule):
        """404 for another project's group, as for servers; then `rule`."""
        ctxt = req.context.ctxt
        group = self.conductor.server_group_get(ctxt, group_id)
        if not ctxt.is_admin_user and group['project_id'] != ctxt.project_id:
            raise errors.not_found('Instance group %s could not be found.'
                                   % group_id)
        policy.authorize(req, 'os_compute_api:os-server-groups:' + rule,
                         {'project_id': group['project_id'],
                          'user_id': group.get('user_id')})
        return group


class ServerGroupCollection(_Base):

    def on_get(self, req, resp):
        ctxt = req.context.ctxt
        policy.authorize(req, 'os_compute_api:os-server-groups:index')
        everyone = req.get_param_as_bool(
            'all_projects', default=False) and policy.check(
                req, 'os_compute_api:os-server-groups:index:all_projects')
        groups = self.conductor.server_group_get_all(
            ctxt, None if everyone else ctxt.project_id)
        resp.media = {'server_groups': [view(g) for g in groups]}

    def on_post(self, req, resp):
        policy.authorize(req, 'os_compute_api:os-server-groups:create')
        body = validation.validate(CREATE_SCHEMA, validation.read_json(req))
        spec = body['server_group']
        group = self.conductor.server_group_create(
            req.context.ctxt, spec['name'], spec['policies'][0])
        resp.media = {'server_group': view(group)}


class ServerGroup(_Base):

    def on_get(self, req, resp, group_id):
        resp.media = {'server_group': view(self._get(req, group_id, 'show'))}

    def on_delete(self, req, resp, group_id):
        self._get(req, group_id, 'delete')
        self.conductor.server_group_delete(req.context.ctxt, group_id)
        resp.status = '204 No Content'
