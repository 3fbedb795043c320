"""GET /servers query parameters: filters, sort order and paging.

Turns the query string into the conductor's filter dict and sort list,
checking what the caller may use; bad values are 400s, unknown ones are
ignored as Nova does.
"""

import re

from common import exception
from common import states
from common.conf import CONF
from nova_api import policy
from nova_api import query

INTERNAL_FILTERS_KEY = 'nova.internal_filters'
_FALSE = ('0', 'false', 'off', 'no', 'f', 'n')
# API sort key -> conductor sort key.
SORT_KEYS = {
    'created_at': 'created_at', 'updated_at': 'updated_at',
    'display_name': 'display_name', 'uuid': 'uuid',
    'vm_state': 'vm_state', 'task_state': 'task_state',
    'power_state': 'power_state', 'launched_at': 'launched_at',
    'terminated_at': 'terminated_at', 'availability_zone':
    'availability_zone', 'key_name': 'key_name', 'project_id': 'project_id',
    'user_id': 'user_id', 'image_ref': 'image_ref', 'hostname': 'hostname',
    'display_description': 'display_description',
    'instance_type_id': 'flavorid', 'reservation_id': 'reservation_id',
    'locked': 'locked_by',
}
ADMIN_SORT_KEYS = {'host': 'host', 'node': 'node'}


def _truthy(value):
    return value is not None and value.strip().lower() not in _FALSE


def _last_segment(ref):
    return ref.rstrip('/').rsplit('/', 1)[-1]


def _regex(req, name):
    value = req.get_param(name)
    if value is None:
        return None
    try:
        re.compile(value)
    except re.error as e:
        raise exception.Invalid('Invalid regular expression in %s: %s'
                                % (name, e))
    return value


def _tags(req, name):
    value = req.get_param(name)
    return [t for t in value.split(',') if t] if value else None


def filters(req):
    """The conductor's filter dict for this listing."""
    ctxt = req.context.ctxt
    is_admin = ctxt.is_admin_user
    version = req.context.api_version
    out = {}
    project = req.get_param('project_id') or req.get_param('tenant_id')
    if is_admin and project:
        out['project_id'] = project
    elif _truthy(req.get_param('all_tenants')):
        policy.authorize(req, 'os_compute_api:servers:%s:get_all_tenants' % (
            'detail' if req.path.endswith('/detail') else 'index'))
    else:
        out['project_id'] = ctxt.project_id
    statuses = req.get_param_as_list('status') or []
    if statuses:
        wanted = set()
        for status in statuses:
            if status.upper() == 'DELETED' and is_admin:
                out['deleted'] = 'only'
                continue
            wanted.update(states.vm_states_for_status(status) or ())
        if wanted:
            out['vm_state'] = sorted(wanted)
        elif 'deleted' not in out:
            out['vm_state'] = ['no-such-state']
    if is_admin and 'deleted' in req.params and 'deleted' not in out:
        out['deleted'] = 'only' if _truthy(req.get_param('deleted')) \
            else False
    for name, key in (('name', 'name_regex'), ('ip', 'ip_regex')):
        value = _regex(req, name)
        if value:
            out[key] = value
    since = query.date_time(req, 'changes-since')
    before = query.date_time(req, 'changes-before')
    if since and before and before < since:
        raise exception.Invalid('The value of changes-since must be less '
                                'than or equal to changes-before.')
    if since or before:
        out['changes_since'], out['changes_before'] = since, before
        # A change log must show deletions too.
        out.setdefault('deleted', True)
    if req.get_param('image'):
        out['image_ref'] = _last_segment(req.get_param('image'))
    if req.get_param('flavor'):
        out['flavorid'] = _last_segment(req.get_param('flavor'))
    if req.get_param('reservation_id'):
        out['reservation_id'] = req.get_param('reservation_id')
    if version >= (2, 26):
        for name in ('tags', 'tags-any', 'not-tags', 'not-tags-any'):
            found = _tags(req, name)
            if found:
                out[name.replace('-', '_')] = found
    if version >= (2, 73) and req.get_param('locked') is not None:
        out['locked'] = _truthy(req.get_param('locked'))
    if version >= (2, 83) or is_admin:
        for name in ('availability_zone', 'key_name', 'user_id'):
            if req.get_param(name):
                out[name] = req.get_param(name)
    # In-process front ends only (nova_api/ec2/compute.py): no HTTP
    # request can set a WSGI environ key.
    prefixes = (req.env.get(INTERNAL_FILTERS_KEY) or {}).get('uuid_prefixes')
    if prefixes:
        out['uuid_prefixes'] = list(prefixes)
    if policy.check(req, 'os_compute_api:servers:allow_all_filters'):
        for name in ('host', 'node'):
            if req.get_param(name):
                out[name] = req.get_param(name)
    return out


def sort(req):
    """[(key, direction)] from sort_key / sort_dir pairs; None for default."""
    keys = req.get_param_as_list('sort_key') or []
    dirs = req.get_param_as_list('sort_dir') or []
    if not keys:
        if dirs:
            raise exception.Invalid('sort_dir given without sort_key')
        return None
    allowed = dict(SORT_KEYS)
    if req.context.ctxt.is_admin_user:
        allowed.update(ADMIN_SORT_KEYS)
    out = []
    for i, key in enumerate(keys):
        if key not in allowed:
            raise exception.Invalid('Invalid sort_key %s.' % key)
        direction = dirs[i] if i < len(dirs) else (
            dirs[-1] if dirs else 'desc')
        if direction not in ('asc', 'desc'):
            raise exception.Invalid("Invalid sort_dir %s: it must be 'asc' "
                                    "or 'desc'." % direction)
        out.append((allowed[key], direction))
    return out


def limit(req):
    try:
        value = int(req.get_param('limit') or CONF.api.max_limit)
    except ValueError:
        raise exception.Invalid('limit param must be an integer')
    if value < 0:
        raise exception.Invalid('limit param must be positive')
    return min(value, CONF.api.max_limit)
