"""/v2.1/os-simple-tenant-usage: what projects' servers used over a
period (start .. end, default now), from each instance's launch and
termination times and its flavor, as Nova reports it: hours are the
overlap of the server's life with the period, and every total is a size
times those hours.

Microversions: 2.40 pages the servers counted (limit, marker = an
instance uuid) and adds `tenant_usages_links` / `tenant_usage_links`;
each page's totals count that page's servers only.
"""

import datetime

from oslo_utils import strutils

from common import exception
from common.conf import CONF
from nova_api import links
from nova_api import policy
from nova_api import query
from nova_api import timestamps

V_PAGES = (2, 40)
ROOT = 'os_compute_api:os-simple-tenant-usage:%s'
COLLECTION = 'os-simple-tenant-usage'
_FORMATS = ('%Y-%m-%dT%H:%M:%S', '%Y-%m-%dT%H:%M:%S.%f',
            '%Y-%m-%d %H:%M:%S.%f')


def _now():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def parse_time(text):
    """A period bound as Nova takes it (naive UTC); now when absent."""
    if not text:
        return _now()
    for fmt in _FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt)
        except ValueError:
            continue
    raise exception.Invalid('Invalid datetime string: Datetime is in '
                            'invalid format')


def _stored(iso):
    """The conductor's ISO 8601 text (UTC) as a naive datetime."""
    if not iso:
        return None
    value = datetime.datetime.fromisoformat(iso)
    if value.tzinfo is not None:
        value = value.astimezone(datetime.timezone.utc).replace(tzinfo=None)
    return value


def hours_in(launched, terminated, start, stop):
    """Hours of [launched, terminated or stop] within [start, stop]."""
    if launched is None or launched > stop:
        return 0
    if terminated is not None and terminated < start:
        return 0
    end = min(stop, terminated) if terminated is not None else stop
    return max((end - max(launched, start)).total_seconds(), 0) / 3600.0


def server_usage(instance, start, stop, now):
    launched = _stored(instance['launched_at'])
    terminated = _stored(instance['terminated_at'])
    uptime = (terminated or now) - launched
    return {
        'instance_id': instance['uuid'], 'name': instance['display_name'],
        'tenant_id': instance['project_id'],
        'flavor': instance['flavor_name'] or '',
        'hours': hours_in(launched, terminated, start, stop),
        'memory_mb': instance['memory_mb'], 'vcpus': instance['vcpus'],
        'local_gb': instance['root_gb'] + (instance['ephemeral_gb'] or 0),
        'started_at': timestamps.microseconds(instance['launched_at']),
        'ended_at': timestamps.microseconds(instance['terminated_at']),
        'state': 'terminated' if terminated else instance['vm_state'],
        'uptime': int(uptime.total_seconds()),
    }


def summarize(servers, start, stop, detailed):
    """Per project, in the order first met: the totals of `servers`."""
    out = {}
    for usage in servers:
        summary = out.get(usage['tenant_id'])
        if summary is None:
            summary = out[usage['tenant_id']] = {
                'tenant_id': usage['tenant_id'], 'total_hours': 0,
                'total_local_gb_usage': 0, 'total_vcpus_usage': 0,
                'total_memory_mb_usage': 0, 'start': start.isoformat(),
                'stop': stop.isoformat()}
            if detailed:
                summary['server_usages'] = []
        hours = usage['hours']
        summary['total_hours'] += hours
        summary['total_local_gb_usage'] += usage['local_gb'] * hours
        summary['total_vcpus_usage'] += usage['vcpus'] * hours
        summary['total_memory_mb_usage'] += usage['memory_mb'] * hours
        if detailed:
            summary['server_usages'].append(usage)
    return list(out.values())


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _usages(self, req, project_id=None):
        """(server usages, start, stop, the page's limit) of the request."""
        start = parse_time(req.get_param('start'))
        stop = parse_time(req.get_param('end'))
        if not start < stop:
            raise exception.Invalid('Invalid start time. The start time '
                                    'cannot occur after the end time.')
        now = _now()
        stop = min(stop, now)
        limit, marker = CONF.api.max_limit, None
        if req.context.api_version >= V_PAGES:
            asked = query.limit(req)
            limit = CONF.api.max_limit if asked is None else min(
                asked, CONF.api.max_limit)
            marker = query.sql_text(req.get_param('marker'), 'marker')
        query.sql_text(project_id, 'tenant_id')
        found = []
        if limit:
            found = self.conductor.instance_usage_get(
                req.context.ctxt, start.isoformat(), stop.isoformat(),
                project_id=project_id, limit=limit, marker=marker)
        servers = [server_usage(i, start, stop, now) for i in found]
        return servers, start, stop, limit

    @staticmethod
    def _next(req, servers, limit, collection):
        if req.context.api_version < V_PAGES or not servers or \
                len(servers) != limit:
            return None
        return links.collection_next(req, collection,
                                     servers[-1]['instance_id'])


class TenantUsages(_Base):

    def on_get(self, req, resp):
        if req.env.get('PATH_INFO', '').endswith('/'):
            # .../os-simple-tenant-usage/ names an empty tenant id: Nova's
            # router has no such route.
            raise exception.ResourceNotFound()
        policy.authorize(req, ROOT % 'list')
        servers, start, stop, limit = self._usages(req)
        # Nova's clients send 1; openstacksdk (`openstack usage list`)
        # sends its Python bool as text, True.
        detailed = strutils.bool_from_string(req.get_param('detailed'))
        resp.media = {'tenant_usages': summarize(servers, start, stop,
                                                 detailed)}
        found = self._next(req, servers, limit, COLLECTION)
        if found:
            resp.media['tenant_usages_links'] = found


class TenantUsage(_Base):

    def on_get(self, req, resp, tenant_id):
        policy.authorize(req, ROOT % 'show', {'project_id': tenant_id})
        servers, start, stop, limit = self._usages(req, tenant_id)
        summaries = summarize(servers, start, stop, detailed=True)
        resp.media = {'tenant_usage': summaries[0] if summaries else {}}
        found = self._next(req, servers, limit,
                           '%s/%s' % (COLLECTION, tenant_id))
        if found:
            resp.media['tenant_usage_links'] = found
