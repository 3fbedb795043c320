"""/v2.1/os-hypervisors (admin): compute nodes and their usage (2.1 shape)."""

from common import servicegroup
from nova_api import errors
from nova_api import policy


def _state(node):
    svc = {'forced_down': node['service_forced_down'],
           'last_seen_up': node['service_updated_at']}
    return 'up' if servicegroup.service_is_up(svc) else 'down'


def basic(node):
    return {'id': node['id'],
            'hypervisor_hostname': node['hypervisor_hostname'],
            'state': _state(node),
            'status': 'disabled' if node['service_disabled'] else 'enabled'}


def detail(node):
    out = basic(node)
    out.update({
        'vcpus': node['vcpus'], 'vcpus_used': node['vcpus_used'],
        'memory_mb': node['memory_mb'],
        'memory_mb_used': node['memory_mb_used'] + node[
            'memory_mb_reserved'],
        'free_ram_mb': node['memory_mb'] - node['memory_mb_used'] - node[
            'memory_mb_reserved'],
        'local_gb': node['local_gb'], 'local_gb_used': node['local_gb_used'],
        'free_disk_gb': node['local_gb'] - node['local_gb_used'],
        'disk_available_least': node['local_gb'] - node['local_gb_used'],
        'running_vms': node['running_vms'], 'current_workload': 0,
        'hypervisor_type': node['hypervisor_type'],
        'hypervisor_version': node['hypervisor_version'],
        'host_ip': node['host_ip'], 'cpu_info': node['cpu_info'],
        'service': {'host': node['host'], 'id': node['service_id'],
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


class Hypervisors(_Base):
    RULE = 'os_compute_api:os-hypervisors:list'

    def on_get(self, req, resp):
        resp.media = {'hypervisors': [basic(n) for n in self._nodes(req)]}


class HypervisorsDetail(_Base):
    RULE = 'os_compute_api:os-hypervisors:list-detail'

    def on_get(self, req, resp):
        resp.media = {'hypervisors': [detail(n) for n in self._nodes(req)]}


class HypervisorStatistics(_Base):
    RULE = 'os_compute_api:os-hypervisors:statistics'

    def on_get(self, req, resp):
        nodes = [detail(n) for n in self._nodes(req)]
        keys = ('vcpus', 'vcpus_used', 'memory_mb', 'memory_mb_used',
                'free_ram_mb', 'local_gb', 'local_gb_used', 'free_disk_gb',
                'disk_available_least', 'running_vms', 'current_workload')
        stats = {k: sum(n[k] for n in nodes) for k in keys}
        stats['count'] = len(nodes)
        resp.media = {'hypervisor_statistics': stats}


class Hypervisor(_Base):
    RULE = 'os_compute_api:os-hypervisors:show'

    def on_get(self, req, resp, hypervisor_id):
        for node in self._nodes(req):
            if str(node['id']) == hypervisor_id:
                resp.media = {'hypervisor': detail(node)}
                return
        raise errors.not_found('Hypervisor with ID %s could not be found.'
                               % hypervisor_id)
