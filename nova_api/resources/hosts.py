"""/v2.1/os-hosts (admin; deprecated, 404 from 2.43): hosts and their
services, a host's resources and their use by project, and the host
actions.

The actions answer as Nova does on a driver without host power or
maintenance control (libvirt, and so every driver here): 501 while the
host's compute service is up, 400 while it is down, 404 for a host with
no compute service.
"""

from common import exception
from common import servicegroup
from nova_api import microversion
from nova_api import policy
from nova_api import validation
from nova_api.resources import hypervisors
from nova_api.resources import services

MAX_VERSION = (2, 42)
ROOT = 'os_compute_api:os-hosts:%s'
# Services that are not hosts' workers (Nova leaves its API services out).
API_BINARIES = ('nova-osapi_compute', 'nova-metadata', 'nova-api')
_TOGGLE = {'type': 'string',
           'enum': ['enable', 'disable', 'Enable', 'Disable', 'ENABLE',
                    'DISABLE']}
# One of the two at least (Nova's schema means to, but its anyOf sits
# where jsonschema never reads it, so `{}` passes there and changes
# nothing).
UPDATE_SCHEMA = {
    'type': 'object',
    'properties': {'status': _TOGGLE, 'maintenance_mode': _TOGGLE},
    'minProperties': 1, 'additionalProperties': False,
}


def _resource(host, project, cpu, memory_mb, disk_gb):
    return {'resource': {'host': host, 'project': project, 'cpu': cpu,
                         'memory_mb': memory_mb, 'disk_gb': disk_gb}}


def host_resources(host, node, instances):
    """Nova's rows: the node's totals, what is claimed now, the sum of
    the instances' flavors, then that sum per project."""
    used = hypervisors.usage(node)
    rows = [_resource(host, '(total)', node['vcpus'], node['memory_mb'],
                      node['local_gb']),
            _resource(host, '(used_now)', node['vcpus_used'],
                      used['memory_mb_used'], node['local_gb_used'])]
    total = _resource(host, '(used_max)', 0, 0, 0)
    by_project = {}
    for inst in instances:
        disk = inst['root_gb'] + (inst['ephemeral_gb'] or 0)
        project = by_project.setdefault(inst['project_id'], _resource(
            host, inst['project_id'], 0, 0, 0))
        for row in (total, project):
            row['resource']['cpu'] += inst['vcpus']
            row['resource']['memory_mb'] += inst['memory_mb']
            row['resource']['disk_gb'] += disk
    return rows + [total] + list(by_project.values())


class _Base:

    def __init__(self, conductor_api):
        self.conductor = conductor_api

    @staticmethod
    def _check(req, rule):
        microversion.require(req, microversion.MIN_VERSION, MAX_VERSION)
        policy.authorize(req, ROOT % rule)

    def _compute_service(self, req, host_name):
        """The host's compute service, up; HostNotFound or
        ComputeServiceUnavailable otherwise."""
        found = [s for s in self.conductor.service_get_all(
            req.context.ctxt, binary='nova-compute', hosts=[host_name])
            if s['host'] == host_name]
        if not found:
            raise exception.HostNotFound(host=host_name)
        if not servicegroup.service_is_up(found[0]):
            raise exception.ComputeServiceUnavailable(host=host_name)
        return found[0]


class Hosts(_Base):

    def on_get(self, req, resp):
        self._check(req, 'list')
        ctxt = req.context.ctxt
        zones = services.zone_index(
            self.conductor.availability_zones_get(ctxt))
        zone = req.get_param('zone')
        hosts = []
        for svc in self.conductor.service_get_all(ctxt):
            if svc['disabled'] or svc['binary'] in API_BINARIES:
                continue
            svc_zone = zones.get((svc['host'], svc['binary']), 'internal')
            if zone and svc_zone != zone:
                continue
            hosts.append({'host_name': svc['host'],
                          'service': svc['topic'] or
                          svc['binary'].replace('nova-', '', 1),
                          'zone': svc_zone})
        resp.media = {'hosts': hosts}


class Host(_Base):

    def on_get(self, req, resp, host_name):
        self._check(req, 'show')
        ctxt = req.context.ctxt
        nodes = self.conductor.compute_nodes_where(ctxt, hosts=[host_name])
        if not nodes:
            raise exception.ComputeHostNotFound(host=host_name)
        node = min(nodes, key=lambda n: n['id'])
        instances = self.conductor.instance_get_all(
            ctxt, filters={'host': host_name})
        resp.media = {'host': host_resources(host_name, node, instances)}

    @validation.schema(UPDATE_SCHEMA, max_version=MAX_VERSION)
    def on_put(self, req, resp, host_name, body):
        self._check(req, 'update')
        self._compute_service(req, host_name)
        # Neither enabling (the driver's own switch, not the service's)
        # nor maintenance is offered by the drivers here.
        raise exception.NotSupported()


class HostPowerAction(_Base):
    """GET /os-hosts/{host_name}/startup, /shutdown and /reboot."""

    RULES = {'startup': 'start', 'shutdown': 'shutdown', 'reboot': 'reboot'}

    def __init__(self, conductor_api, action):
        super().__init__(conductor_api)
        self.action = action

    def on_get(self, req, resp, host_name):
        self._check(req, self.RULES[self.action])
        self._compute_service(req, host_name)
        raise exception.NotSupported()
