"""/v2.1/os-quota-sets and /v2.1/limits: per-project limits and usage.

The defaults are the quota class 'default' (quota_classes.py) over the
[quota] options. The network quotas (fixed_ips, floating_ips,
security_groups, security_group_rules) are stored and shown, never
enforced: this cloud has no floating IPs or security groups to count.

Microversions: 2.36 drops the network quotas from quota sets and
limits; 2.39 drops maxImageMeta from limits; 2.57 drops the
injected-file quotas and the maxPersonality* limits.
"""

import falcon

from common import exception
from nova_api import policy
from nova_api import validation

# Network quotas, shown (and set) before 2.36.
NETWORK_KEYS = ('fixed_ips', 'floating_ips', 'security_groups',
                'security_group_rules')
INJECTED_KEYS = ('injected_files', 'injected_file_content_bytes',
                 'injected_file_path_bytes')
# The API says injected_file_path_bytes for the [quota] option
# injected_file_path_length.
API_NAMES = {'injected_file_path_length': 'injected_file_path_bytes'}
DB_NAMES = {v: k for k, v in API_NAMES.items()}
# The quota rows' project_id column.
MAX_PROJECT_ID = 255
BASE_KEYS = ('instances', 'cores', 'ram', 'metadata_items', 'key_pairs',
             'server_groups', 'server_group_members')


def keys(version):
    """Quota names a quota set holds at `version`."""
    out = list(BASE_KEYS)
    if version < (2, 57):
        out += INJECTED_KEYS
    if version < (2, 36):
        out += NETWORK_KEYS
    return out


def update_schema(version):
    # -1 is unlimited; the top is the limits column's (Integer) end.
    value = {'type': ['integer', 'string'], 'pattern': '^-?[0-9]+$',
             'minimum': -1, 'maximum': validation.MAX_INT}
    properties = {k: value for k in keys(version)}
    properties['force'] = {'type': ['boolean', 'string']}
    return {
        'type': 'object',
        'properties': {'quota_set': {
            'type': 'object', 'properties': properties,
            'additionalProperties': False}},
        'required': ['quota_set'], 'additionalProperties': False,
    }


def named(limits):
    """Conductor limits by API name. The network keys are stored, never
    enforced, and unlimited unless an admin set them (a conductor older
    than RPC 1.7 does not send them)."""
    out = {API_NAMES.get(k, k): v for k, v in limits.items()}
    for key in NETWORK_KEYS:
        out.setdefault(key, -1)
    return out


def quota_set(req, project_id, limits):
    by_name = named(limits)
    out = {k: by_name[k] for k in keys(req.context.api_version)}
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
        resp.media = {'quota_set': quota_set(req, project_id,
                                             got['limits'])}

    @validation.schema(update_schema)
    def on_put(self, req, resp, project_id, body):
        _authorize(req, 'update', project_id)
        if len(project_id) > MAX_PROJECT_ID:
            raise exception.Invalid(
                'Invalid input for field/attribute project_id. Value: '
                '%s... is longer than %d characters.'
                % (project_id[:20], MAX_PROJECT_ID))
        wanted = {DB_NAMES.get(k, k): int(v)
                  for k, v in body['quota_set'].items() if k != 'force'}
        limits = self.conductor.quota_update(req.context.ctxt, project_id,
                                             wanted)
        resp.media = {'quota_set': quota_set(req, None, limits)}

    def on_delete(self, req, resp, project_id):
        _authorize(req, 'delete', project_id)
        self.conductor.quota_reset(req.context.ctxt, project_id)
        resp.status = falcon.HTTP_202


class QuotaSetDefaults(_QuotaResource):

    def on_get(self, req, resp, project_id):
        _authorize(req, 'defaults', project_id)
        resp.media = {'quota_set': quota_set(
            req, project_id, self.conductor.quota_defaults(req.context.ctxt))}


class QuotaSetDetail(_QuotaResource):

    def on_get(self, req, resp, project_id):
        _authorize(req, 'detail', project_id)
        got = self.conductor.quota_get(req.context.ctxt, project_id)
        limits = named(got['limits'])
        used = {API_NAMES.get(k, k): v for k, v in got['usage'].items()}
        detail = {k: {'limit': limits[k], 'in_use': used.get(k, 0),
                      'reserved': 0}
                  for k in keys(req.context.api_version)}
        detail['id'] = project_id
        resp.media = {'quota_set': detail}


class Limits:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp):
        ctxt = req.context.ctxt
        project_id = ctxt.project_id
        policy.authorize(req, 'os_compute_api:limits')
        asked = req.get_param('tenant_id')
        if asked and asked != project_id:
            policy.authorize(req, 'os_compute_api:limits:other_project',
                             {'project_id': asked})
            project_id = asked
        got = self.conductor.quota_get(ctxt, project_id)
        resp.media = {'limits': {'rate': [], 'absolute': absolute(
            req.context.api_version, got['limits'], got['usage'])}}


def absolute(version, lim, used):
    out = {
        'maxTotalInstances': lim['instances'],
        'maxTotalCores': lim['cores'],
        'maxTotalRAMSize': lim['ram'],
        'maxServerMeta': lim['metadata_items'],
        'maxTotalKeypairs': lim['key_pairs'],
        'maxServerGroups': lim['server_groups'],
        'maxServerGroupMembers': lim['server_group_members'],
        'totalInstancesUsed': used['instances'],
        'totalCoresUsed': used['cores'],
        'totalRAMUsed': used['ram'],
        'totalServerGroupsUsed': used['server_groups'],
    }
    if version < (2, 36):
        # Limits stored, never used: there are no floating IPs or
        # security groups to count.
        out.update({'maxSecurityGroups': lim.get('security_groups', -1),
                    'maxSecurityGroupRules': lim.get('security_group_rules',
                                                     -1),
                    'maxTotalFloatingIps': lim.get('floating_ips', -1),
                    'totalSecurityGroupsUsed': 0,
                    'totalFloatingIpsUsed': 0})
    if version < (2, 39):
        out['maxImageMeta'] = lim['metadata_items']
    if version < (2, 57):
        out['maxPersonality'] = lim['injected_files']
        out['maxPersonalitySize'] = lim['injected_file_content_bytes']
    return out
