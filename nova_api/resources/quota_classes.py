"""/v2.1/os-quota-class-sets/{id} (admin): the limits of a quota class.

The class 'default' is what matters: its limits are every project's
defaults (os-quota-sets' /defaults, and any project without a limit of
its own, at every create), over the [quota] options. Another class only
keeps its own values (over [quota]); nothing uses it.

Microversions: before 2.50 a class shows the network quotas
(fixed_ips, floating_ips, security_groups, security_group_rules, stored
and never enforced) and not server_groups / server_group_members, which
it still takes; 2.50 swaps them; 2.57 drops the injected-file quotas.
"""

from common import exception
from nova_api import policy
from nova_api import query
from nova_api import validation
from nova_api.resources import quotas

V_GROUPS = (2, 50)
V_NO_INJECTED = (2, 57)
ROOT = 'os_compute_api:os-quota-class-sets:%s'
GROUP_KEYS = ('server_groups', 'server_group_members')
MAX_CLASS_NAME = 255


def keys(version):
    """What a class shows at `version`."""
    out = [k for k in quotas.BASE_KEYS if k not in GROUP_KEYS]
    if version < V_NO_INJECTED:
        out += quotas.INJECTED_KEYS
    if version < V_GROUPS:
        out += quotas.NETWORK_KEYS
    else:
        out += GROUP_KEYS
    return out


def update_schema(version):
    value = {'type': ['integer', 'string'], 'pattern': '^-?[0-9]+$',
             'minimum': -1, 'maximum': validation.MAX_INT}
    taken = keys(version) + ([] if version >= V_GROUPS else list(GROUP_KEYS))
    return {
        'type': 'object',
        'properties': {'quota_class_set': {
            'type': 'object', 'properties': {k: value for k in taken},
            'additionalProperties': False}},
        'required': ['quota_class_set'], 'additionalProperties': False,
    }


def class_set(req, class_name, limits):
    by_name = quotas.named(limits)
    out = {k: by_name[k] for k in keys(req.context.api_version)}
    if class_name is not None:
        out['id'] = class_name
    return out


class QuotaClassSet:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def on_get(self, req, resp, class_name):
        policy.authorize(req, ROOT % 'show', {'quota_class': class_name})
        query.sql_text(class_name, 'quota_class_name')
        limits = self.conductor.quota_class_get(req.context.ctxt, class_name)
        resp.media = {'quota_class_set': class_set(req, class_name, limits)}

    @validation.schema(update_schema)
    def on_put(self, req, resp, class_name, body):
        policy.authorize(req, ROOT % 'update', {'quota_class': class_name})
        query.sql_text(class_name, 'quota_class_name')
        if len(class_name) > MAX_CLASS_NAME:
            raise exception.Invalid('quota_class_name has more than %d '
                                    'characters.' % MAX_CLASS_NAME)
        wanted = {quotas.DB_NAMES.get(k, k): int(v)
                  for k, v in body['quota_class_set'].items()}
        limits = self.conductor.quota_class_update(req.context.ctxt,
                                                   class_name, wanted)
        resp.media = {'quota_class_set': class_set(req, None, limits)}
