"""Shared fakes for scheduler tests: node dicts, request specs, a conductor."""

import copy

from nova_scheduler import host_state

NOW = '2024-05-01T12:00:00Z'


def make_node(node_id, **overrides):
    """A node dict as the conductor returns it: 8 vCPUs, 8 GB, 100 GB,
    nothing used, ratios 1.0, service up as of NOW."""
    node = {
        'id': node_id, 'uuid': 'uuid-%d' % node_id,
        'host': 'host%d' % node_id,
        'hypervisor_hostname': 'node%d' % node_id,
        'vcpus': 8, 'vcpus_reserved': 0, 'vcpus_used': 0,
        'memory_mb': 8192, 'memory_mb_reserved': 0, 'memory_mb_used': 0,
        'local_gb': 100, 'local_gb_reserved': 0, 'local_gb_used': 0,
        'running_vms': 0,
        'cpu_allocation_ratio': 1.0, 'ram_allocation_ratio': 1.0,
        'disk_allocation_ratio': 1.0,
        'hypervisor_type': 'QEMU', 'hypervisor_version': 8002000,
        'cpu_info': '{}',
        'service_disabled': False, 'service_disabled_reason': None,
        'service_forced_down': False, 'service_updated_at': NOW,
        'updated_at': NOW, 'deleted': False,
    }
    node.update(overrides)
    return node


def make_spec(num_instances=1, ignore_hosts=None, **flavor):
    """A request_spec for a 1 vCPU, 512 MB, 1 GB flavor unless overridden."""
    values = {'flavorid': '1', 'name': 'm1.test', 'vcpus': 1,
              'memory_mb': 512, 'root_gb': 1, 'ephemeral_gb': 0, 'swap': 0,
              'extra_specs': {}}
    values.update(flavor)
    return {'num_instances': num_instances, 'flavor': values,
            'image': {'id': 'image-1', 'properties': {}, 'min_disk': 0,
                      'min_ram': 0},
            'project_id': 'project', 'user_id': 'user',
            'availability_zone': None, 'scheduler_hints': {},
            'ignore_hosts': list(ignore_hosts or [])}


def make_aggregate(agg_id, **metadata):
    """An aggregate as the node feed carries it; metadata values as the
    API stores them, strings."""
    return {'id': agg_id, 'name': 'agg%d' % agg_id,
            'metadata': {key: str(value) for key, value in metadata.items()}}


def make_host(node_id=1, **node):
    """The HostState of make_node(node_id, **node), read at NOW."""
    return host_state.HostState(make_node(node_id, **node), now=NOW)


def make_group(policy, hosts=(), members=(), uuid='group-1', **rules):
    """A request spec's instance_group."""
    return {'uuid': uuid, 'policy': policy, 'rules': dict(rules),
            'hosts': list(hosts), 'members': list(members)}


class FakeConductor:
    """Stands in for ConductorAPI.compute_nodes_get_all.

    `nodes` is the full set; `changed` (when not None) is what the next
    incremental call returns; `down` (when not None) the ids it names as
    down now. Every call is recorded.
    """

    def __init__(self, nodes=(), now=NOW):
        self.nodes = [copy.deepcopy(n) for n in nodes]
        self.changed = None
        self.down = None
        self.now = now
        self.calls = []
        self.error = None

    def compute_nodes_get_all(self, ctxt, changed_since=None):
        self.calls.append(changed_since)
        if self.error is not None:
            raise self.error
        if changed_since is None or self.changed is None:
            nodes = self.nodes
        else:
            nodes = self.changed
        result = {'nodes': copy.deepcopy(nodes), 'now': self.now}
        if self.down is not None:
            result['down'] = list(self.down)
        return result
