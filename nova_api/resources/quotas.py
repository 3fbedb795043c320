"""/v2.1/os-quota-sets and /v2.1/limits: per-project limits and usage."""

import falcon

from nova_api import policy
from nova_api import validation

# The 2.1 quota set also lists network resources, which this cloud does
# not limit (-1).
NETWORK_KEYS = ('fixed_ips', 'floating_ips', 'security_groups',
                'security_group_rules')
API_NAMES = {'injected_file_path_length': 'injected_file_path_bytes'}

UPDATE_SCHEMA = {
    'type': 'object',
    'properties': {'quota_set': {
        'type': 'object',
        'patternProperties': {'^[a-z_]+$': {
            'type': ['integer', 'string'], 'pattern': '^-?[0-9]+$',
            'minimum': -1}},
        'properties': {'force': {'type': ['boolean', 'string']}},
        'additionalProperties': False}},
    'required': ['quota_set'], 'additionalProperties': False,
}


def quota_set(project_id, limits):
    out = {API_NAMES.get(k, k): v for k, v in limits.items()}
    out.update({k: -1 for k in NETWORK_KEYS})
    if project_id is not None:
        out['id'] = project_id
    return out


def _authorize(req, rule, project_id):
    """The target is the project named in the URL."""
    policy.authorize(req, 'os_compute_api:os-quota-sets:' + rule,
                     {'project_id': project_id})


class _QuotaResource:

    def __init__(self, conductor_api):
        self.conductor = conductor_api


class QuotaSet(_QuotaResource):

    def on_get(self, req, resp, project_id):
        _authorize(req, 'show', project_id)
        got = self.conductor.quota_get(req.context.ctxt, project_id)
        resp.media = {'quota_set': quota_set(project_id, got['limits'])}

    def on_put(self, req, resp, project_id):
        _authorize(req, 'update', project_id)
        body = validation.validate(UPDATE_SCHEMA, validation.read_json(req))
        wanted = {}
        reverse = {v: k for k, v in API_NAMES.items()}
        for key, value in body['quota_set'].items():
            if key == 'force' or key in NETWORK_KEYS:
                continue
            wanted[reverse.get(key, key)] = int(value)
        limits = self.conductor.quota_update(req.context.ctxt, project_id,
                                             wanted)
        resp.media = {'quota_set': quota_set(None, limits)}

    def on_delete(self, req, resp, project_id):
        _authorize(req, 'delete', project_id)
        self.conductor.quota_reset(req.context.ctxt, project_id)
        resp.status = falcon.HTTP_202


class QuotaSetDefaults(_QuotaResource):

    def on_get(self, req, resp, project_id):
        _authorize(req, 'defaults', project_id)
        resp.media = {'quota_set': quota_set(
            project_id, self.conductor.quota_defaults(req.context.ctxt))}


class QuotaSetDetail(_QuotaResource):

    def on_get(self, req, resp, project_id):
        _authorize(req, 'detail', project_id)
        got = self.conductor.quota_get(req.context.ctxt, project_id)
        detail = {API_NAMES.get(k, k): {
            'limit': v, 'in_use': got['usage'].get(k, 0), 'reserved': 0}
            for k, v in got['limits'].items()}
        detail.update({k: {'limit': -1, 'in_use': 0, 'reserved': 0}
                       for k in NETWORK_KEYS})
        detail['id'] = project_id
        resp.media = {'quota_set': detail}


class Limits:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp):
        ctxt = req.context.ctxt
        policy.authorize(req, 'os_compute_api:limits')
        got = self.conductor.quota_get(ctxt, ctxt.project_id)
        lim, used = got['limits'], got['usage']
        resp.media = {'limits': {'rate': [], 'absolute': {
            'maxTotalInstances': lim['instances'],
            'maxTotalCores': lim['cores'],
            'maxTotalRAMSize': lim['ram'],
            'maxServerMeta': lim['metadata_items'],
            'maxImageMeta': lim['metadata_items'],
            'maxPersonality': lim['injected_files'],
            'maxPersonalitySize': lim['injected_file_content_bytes'],
            'maxTotalKeypairs': lim['key_pairs'],
            'maxServerGroups': lim['server_groups'],
            'maxServerGroupMembers': lim['server_group_members'],
            'maxSecurityGroups': -1, 'maxSecurityGroupRules': -1,
            'maxTotalFloatingIps': -1,
            'totalInstancesUsed': used['instances'],
            'totalCoresUsed': used['cores'],
            'totalRAMUsed': used['ram'],
            'totalServerGroupsUsed': used['server_groups'],
            'totalSecurityGroupsUsed': 0, 'totalFloatingIpsUsed': 0,
        }}}
