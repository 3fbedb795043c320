"""/v2.1/os-hypervisors (admin): compute nodes, their usage and servers.

Microversions: 2.28 gives cpu_info as an object; 2.33 pages lists (limit,
marker); 2.53 identifies nodes and services by uuid, adds the
`hypervisor_hostname_pattern` and `with_servers` queries and retires the
/search and /servers routes; 2.88 drops the usage fields, puts `uptime`
in show and retires /statistics and /uptime.
"""

import json
import re

from oslo_utils import uuidutils

from common import exception
from common import servicegroup
from nova_api import links
from nova_api import microversion
from nova_api import policy
from nova_api import query

V_UUIDS = (2, 53)
V_NO_STATS = (2, 88)
USAGE_FIELDS = ('vcpus', 'vcpus_used', 'memory_mb', 'memory_mb_used',
                'free_ram_mb', 'local_gb', 'local_gb_used', 'free_disk_gb',
                'disk_available_least', 'running_vms', 'current_workload')


def _state(node):
    svc = {'forced_down': node['service_forced_down'],
           'last_seen_up': node['service_updated_at']}
    return 'up' if servicegroup.service_is_up(svc) else 'down'


def _node_id(text):
    """A node id as the API shows it before 2.53 (ASCII digits, within
    the column's range), or None."""
    if re.fullmatch('[0-9]{1,18}', text):
        return int(text)
    return None


def _id(req, node):
    return node['uuid'] if req.context.api_version >= V_UUIDS else node['id']


def basic(req, node):
    return {'id': _id(req, node),
            'hypervisor_hostname': node['hypervisor_hostname'],
            'state': _state(node),
            'status': 'disabled' if node['service_disabled'] else 'enabled'}


def usage(node):
    used_mb = node['memory_mb_used'] + node['memory_mb_reserved']
    free_gb = node['local_gb'] - node['local_gb_used']
    return {
        'vcpus': node['vcpus'], 'vcpus_used': node['vcpus_used'],
        'memory_mb': node['memory_mb'], 'memory_mb_used': used_mb,
        'free_ram_mb': node['memory_mb'] - used_mb,
        'local_gb': node['local_gb'], 'local_gb_used': node['local_gb_used'],
        'free_disk_gb': free_gb, 'disk_available_least': free_gb,
        'running_vms': node['running_vms'], 'current_workload': 0,
    }


def _cpu_info(req, node):
    text = node['cpu_info'] or ''
    if req.context.api_version < (2, 28):
        return text
    try:
        return json.loads(text) if text else {}
    except ValueError:
        return {}


def detail(req, node):
    version = req.context.api_version
    out = basic(req, node)
    if version < V_NO_STATS:
        out.update(usage(node))
    out.update({
        'hypervisor_type': node['hypervisor_type'],
        'hypervisor_version': node['hypervisor_version'],
        'host_ip': node['host_ip'], 'cpu_info': _cpu_info(req, node),
        'service': {'host': node['host'],
                    'id': (node['service_uuid'] if version >= V_UUIDS
                           else node['service_id']),
                    'disabled_reason': node['service_disabled_reason']},
    })
    return out


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    def _nodes(self, req):
        policy.authorize(req, self.RULE)
        return self.conductor.compute_nodes_get_all(req.context.ctxt)[
            'nodes']

    def _servers(self, req, nodes):
        found = self.conductor.hypervisor_servers(
            req.context.ctxt, [n['id'] for n in nodes])
        return {n['id']: found.get(str(n['id']), []) for n in nodes}

    def _node(self, req, hypervisor_id):
        policy.authorize(req, self.RULE)
        ctxt = req.context.ctxt
        found = []
        if req.context.api_version >= V_UUIDS:
            if not uuidutils.is_uuid_like(hypervisor_id):
                raise exception.Invalid('Invalid uuid %s' % hypervisor_id)
            found = self.conductor.compute_nodes_where(
                ctxt, uuids=[hypervisor_id])
        elif _node_id(hypervisor_id) is not None:
            # Only its own node is read, not every node of the fleet.
            found = self.conductor.compute_nodes_where(
                ctxt, ids=[_node_id(hypervisor_id)])
        if not found:
            raise exception.NotFound('Hypervisor with ID %s could not be '
                                     'found.' % hypervisor_id)
        return found[0]

    def _page(self, req, marker, limit):
        """A page by id after the marker's node: read as a page, not cut
        out of every node."""
        policy.authorize(req, self.RULE)
        ctxt = req.context.ctxt
        after_id = None
        if marker is not None:
            if req.context.api_version >= V_UUIDS:
                found = self.conductor.compute_nodes_where(
                    ctxt, uuids=[marker]) if uuidutils.is_uuid_like(
                        marker) else []
            else:
                found = self.conductor.compute_nodes_where(
                    ctxt, ids=[_node_id(marker)]) if _node_id(
                        marker) is not None else []
            if not found:
                raise exception.MarkerNotFound(marker=marker)
            after_id = found[0]['id']
        return self.conductor.compute_nodes_page(ctxt, after_id, limit)

    def _matching(self, req, pattern):
        found = [n for n in self._nodes(req)
                 if pattern in n['hypervisor_hostname']]
        if not found:
            raise exception.NotFound('No hypervisor matching \'%s\' could be '
                                     'found.' % pattern)
        return found

    def _list(self, req, view, collection):
        version = req.context.api_version
        pattern = with_servers = None
        limit = marker = None
        if version >= (2, 33):
            limit = query.limit(req)
            marker = req.get_param('marker')
        if version >= V_UUIDS:
            pattern = req.get_param('hypervisor_hostname_pattern')
            with_servers = query.boolean(req, 'with_servers')
            if pattern is not None and (limit is not None or marker):
                raise exception.Invalid(
                    'Paging over hypervisors with the '
                    'hypervisor_hostname_pattern query parameter is not '
                    'supported.')
        if pattern is not None:
            nodes = self._matching(req, pattern)
        elif limit is None and marker is None:
            nodes = self._nodes(req)
        else:
            nodes = self._page(req, marker, limit)
        servers = self._servers(req, nodes) if with_servers else {}
        out = []
        for node in nodes:
            item = view(req, node)
            if with_servers:
                item['servers'] = servers[node['id']]
            out.append(item)
        body = {'hypervisors': out}
        if limit and len(nodes) == limit:
            body['hypervisors_links'] = links.collection_next(
                req, collection, _id(req, nodes[-1]))
        return body


class Hypervisors(_Base):
    RULE = 'os_compute_api:os-hypervisors:list'

    def on_get(self, req, resp):
        resp.media = self._list(req, basic, 'os-hypervisors')


class HypervisorsDetail(_Base):
    RULE = 'os_compute_api:os-hypervisors:list-detail'

    def on_get(self, req, resp):
        resp.media = self._list(req, detail, 'os-hypervisors/detail')


class HypervisorStatistics(_Base):
    RULE = 'os_compute_api:os-hypervisors:statistics'

    def on_get(self, req, resp):
        microversion.require(req, (2, 1), (2, 87))
        nodes = [usage(n) for n in self._nodes(req)]
        stats = {k: sum(n[k] for n in nodes) for k in USAGE_FIELDS}
        stats['count'] = len(nodes)
        resp.media = {'hypervisor_statistics': stats}


class Hypervisor(_Base):
    RULE = 'os_compute_api:os-hypervisors:show'

    def on_get(self, req, resp, hypervisor_id):
        node = self._node(req, hypervisor_id)
        out = detail(req, node)
        version = req.context.api_version
        if version >= V_UUIDS and query.boolean(req, 'with_servers'):
            out['servers'] = self._servers(req, [node])[node['id']]
        if version >= V_NO_STATS:
            out['uptime'] = self.conductor.hypervisor_uptime(
                req.context.ctxt, node['host'])
        resp.media = {'hypervisor': out}


class HypervisorUptime(_Base):
    RULE = 'os_compute_api:os-hypervisors:uptime'

    def on_get(self, req, resp, hypervisor_id):
        microversion.require(req, (2, 1), (2, 87))
        node = self._node(req, hypervisor_id)
        out = basic(req, node)
        out['uptime'] = self.conductor.hypervisor_uptime(req.context.ctxt,
                                                         node['host'])
        resp.media = {'hypervisor': out}


class HypervisorSearch(_Base):
    """GET /os-hypervisors/{pattern}/search, before 2.53."""
    RULE = 'os_compute_api:os-hypervisors:search'

    def on_get(self, req, resp, hypervisor_id):
        microversion.require(req, (2, 1), (2, 52))
        resp.media = {'hypervisors': [
            basic(req, n) for n in self._matching(req, hypervisor_id)]}


class HypervisorServers(_Base):
    """GET /os-hypervisors/{pattern}/servers, before 2.53."""
    RULE = 'os_compute_api:os-hypervisors:servers'

    def on_get(self, req, resp, hypervisor_id):
        microversion.require(req, (2, 1), (2, 52))
        nodes = self._matching(req, hypervisor_id)
        servers = self._servers(req, nodes)
        out = []
        for node in nodes:
            item = basic(req, node)
            if servers[node['id']]:
                item['servers'] = servers[node['id']]
            out.append(item)
        resp.media = {'hypervisors': out}
