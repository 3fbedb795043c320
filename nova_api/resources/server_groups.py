"""/v2.1/os-server-groups: (anti-)affinity groups for servers.

Microversions: 2.13 shows project_id and user_id; 2.15 allows the soft
policies; 2.64 replaces the `policies` list with one `policy` and
`rules` (max_server_per_host, anti-affinity only) and drops `metadata`.
Creating a group counts against the server_groups quota; its members
against server_group_members (checked at server create).
"""

from common import exception
from common.conf import CONF
from nova_api import policy as nova_policy
from nova_api import query
from nova_api import validation

HARD = ['affinity', 'anti-affinity']
SOFT = ['soft-affinity', 'soft-anti-affinity']
V_OWNER = (2, 13)
V_SOFT = (2, 15)
V_POLICY = (2, 64)


def create_schema(version):
    if version >= V_POLICY:
        group = {
            'type': 'object',
            'properties': {
                'name': validation.NAME,
                'policy': {'type': 'string', 'enum': HARD + SOFT},
                'rules': {
                    'type': 'object',
                    'properties': {'max_server_per_host': {
                        'type': ['integer', 'string'],
                        'pattern': '^[0-9]*[1-9][0-9]*$', 'minimum': 1,
                        'maximum': validation.MAX_INT}},
                    'additionalProperties': False},
            },
            'required': ['name', 'policy'], 'additionalProperties': False}
    else:
        policies = HARD + SOFT if version >= V_SOFT else HARD
        group = {
            'type': 'object',
            'properties': {
                'name': validation.NAME,
                'policies': {'type': 'array', 'minItems': 1, 'maxItems': 1,
                             'items': {'type': 'string', 'enum': policies}},
            },
            'required': ['name', 'policies'], 'additionalProperties': False}
    return {'type': 'object', 'properties': {'server_group': group},
            'required': ['server_group'], 'additionalProperties': False}


def view(req, group):
    version = req.context.api_version
    out = {'id': group['uuid'], 'name': group['name'],
           'members': group['members']}
    if version >= V_POLICY:
        out['policy'] = group['policy']
        out['rules'] = {k: int(v) for k, v in
                        (group.get('rules') or {}).items()}
    else:
        out['policies'] = [group['policy']]
        out['metadata'] = {}
    if version >= V_OWNER:
        out['project_id'] = group['project_id']
        out['user_id'] = group['user_id']
    return out


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _get(self, req, group_id, rule):
        """404 for another project's group, as for servers; then `rule`."""
        ctxt = req.context.ctxt
        group = self.conductor.server_group_get(ctxt, group_id)
        if not ctxt.is_admin_user and group['project_id'] != ctxt.project_id:
            raise exception.NotFound('Instance group %s could not be found.'
                                     % group_id)
        nova_policy.authorize(req, 'os_compute_api:os-server-groups:' + rule,
                              {'project_id': group['project_id'],
                               'user_id': group.get('user_id')})
        return group


class ServerGroupCollection(_Base):

    def on_get(self, req, resp):
        ctxt = req.context.ctxt
        nova_policy.authorize(req, 'os_compute_api:os-server-groups:index')
        everyone = query.boolean(req, 'all_projects') and nova_policy.check(
            req, 'os_compute_api:os-server-groups:index:all_projects')
        groups = self.conductor.server_group_get_all(
            ctxt, None if everyone else ctxt.project_id)
        offset = query.limit(req, 'offset') or 0
        # As Nova's offset paging: no limit, or 0, means [api] max_limit.
        limit = min(query.limit(req) or CONF.api.max_limit,
                    CONF.api.max_limit)
        groups = groups[offset:offset + limit]
        resp.media = {'server_groups': [view(req, g) for g in groups]}

    @validation.schema(create_schema)
    def on_post(self, req, resp, body):
        nova_policy.authorize(req, 'os_compute_api:os-server-groups:create')
        version = req.context.api_version
        spec = body['server_group']
        if version >= V_POLICY:
            policy, rules = spec['policy'], spec.get('rules') or {}
            if rules and policy != 'anti-affinity':
                raise exception.Invalid(
                    'Only anti-affinity policy supports rules.')
            rules = {k: int(v) for k, v in rules.items()}
        else:
            policy, rules = spec['policies'][0], {}
        group = self.conductor.server_group_create(
            req.context.ctxt, spec['name'], policy, rules or None)
        resp.media = {'server_group': view(req, group)}


class ServerGroup(_Base):

    def on_get(self, req, resp, group_id):
        resp.media = {'server_group': view(
            req, self._get(req, group_id, 'show'))}

    def on_delete(self, req, resp, group_id):
        self._get(req, group_id, 'delete')
        self.conductor.server_group_delete(req.context.ctxt, group_id)
        resp.status = '204 No Content'
