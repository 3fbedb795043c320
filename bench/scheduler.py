"""select_destinations latency over fleets of 100, 1,000 and 10,000 hosts.

Drives the real SchedulerManager (refresh + FilterScheduler) with a fake
conductor serving a realistic fleet: racks of one hardware model each,
availability zone aggregates, aggregates with metadata (ssd, allocation
ratios, io/instance limits, a tenant-reserved aggregate, an image-isolated
one), varied usage and instances. Before every request the conductor
reports the 1-10 nodes a running cloud would have changed since the last
one (the previous request's claims plus heartbeats and usage drift), so
each measured call includes an incremental refresh.

    python bench/scheduler.py [--calls 200] [--sizes 100,1000,10000]
                              [--per-host]

--per-host also times the per-host reference path (use_arrays=False) on
the same fleet and requests, for comparison.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common.conf import CONF  # noqa: E402
from common import exception  # noqa: E402
from nova_scheduler import manager as scheduler_manager  # noqa: E402

AGGREGATE_FILTERS = [
    'AggregateCoreFilter', 'AggregateRamFilter', 'AggregateDiskFilter',
    'AggregateInstanceExtraSpecsFilter', 'AggregateImagePropertiesIsolation',
    'AggregateMultiTenancyIsolation', 'AggregateIoOpsFilter',
    'AggregateNumInstancesFilter']

# (vcpus, memory_mb, local_gb, cpu model) of the fleet's hardware models.
MODELS = [(32, 131072, 1000, 'Broadwell'), (48, 262144, 2000, 'Skylake'),
          (64, 393216, 2000, 'Cascadelake'), (96, 524288, 4000, 'Icelake')]
FLAVORS = [(1, 2048, 20), (2, 4096, 40), (4, 8192, 80), (8, 16384, 160)]
RACK_SIZE = 40
BASE = datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.timezone.utc)


def iso(seconds):
    return (BASE + datetime.timedelta(seconds=seconds)).isoformat()


def aggregate(agg_id, name, **metadata):
    return {'id': agg_id, 'name': name, 'metadata': metadata}


def rack_aggregates(rng, rack):
    """The aggregates one rack's hosts are in."""
    zone = 'az%d' % (rack % 3 + 1)
    aggs = [aggregate(1 + rack % 3, zone, availability_zone=zone)]
    if rng.random() < 0.25:
        aggs.append(aggregate(10, 'ssd', ssd='true'))
    if rng.random() < 0.1:
        aggs.append(aggregate(11, 'highcpu', cpu_allocation_ratio='4.0',
                              max_io_ops_per_host='4'))
    if rng.random() < 0.1:
        aggs.append(aggregate(12, 'batch', max_instances_per_host='80',
                              ram_weight_multiplier='2.0'))
    if rng.random() < 0.05:
        aggs.append(aggregate(13, 'gold', filter_tenant_id='project-gold'))
    if rng.random() < 0.05:
        aggs.append(aggregate(14, 'windows', os_distro='windows'))
    return aggs


def build_fleet(rng, size):
    nodes = []
    racks = {}
    for node_id in range(1, size + 1):
        rack = (node_id - 1) // RACK_SIZE
        if rack not in racks:
            racks[rack] = (rng.choice(MODELS), rack_aggregates(rng, rack),
                           rng.choice([6002000, 8002000]))
        (vcpus, memory_mb, local_gb, model), aggs, version = racks[rack]
        fill = rng.random() * 0.9
        used_vcpus = int(vcpus * 4 * fill)
        instances = {}
        for i in range(max(0, used_vcpus // 4)):
            instances['inst-%d-%d' % (node_id, i)] = {
                'project_id': 'project-%d' % rng.randrange(50),
                'vm_state': 'active',
                'task_state': 'spawning' if rng.random() < 0.02 else None}
        nodes.append({
            'id': node_id, 'uuid': 'node-uuid-%d' % node_id,
            'host': 'compute%05d' % node_id,
            'hypervisor_hostname': 'compute%05d.example.org' % node_id,
            'vcpus': vcpus, 'vcpus_reserved': 0, 'vcpus_used': used_vcpus,
            'memory_mb': memory_mb, 'memory_mb_reserved': 4096,
            'memory_mb_used': int(memory_mb * fill),
            'local_gb': local_gb, 'local_gb_reserved': 0,
            'local_gb_used': int(local_gb * fill),
            'running_vms': len(instances),
            'cpu_allocation_ratio': 4.0, 'ram_allocation_ratio': 1.0,
            'disk_allocation_ratio': 1.0,
            'hypervisor_type': 'QEMU', 'hypervisor_version': version,
            'cpu_info': json.dumps({'arch': 'x86_64', 'model': model,
                                    'vendor': 'Intel',
                                    'features': ['sse2', 'vmx', 'avx2']}),
            'supported_instances': [['x86_64', 'kvm', 'hvm'],
                                    ['x86_64', 'qemu', 'hvm']],
            'service_disabled': rng.random() < 0.005,
            'service_disabled_reason': None,
            'service_forced_down': rng.random() < 0.002,
            'service_updated_at': iso(0), 'updated_at': iso(0),
            'deleted': False, 'aggregates': aggs, 'instances': instances,
            'num_instances': len(instances),
            'failed_builds': 1 if rng.random() < 0.01 else 0})
    return nodes


class FakeConductor:
    """Serves compute_nodes_get_all: every node on a full load, else the
    list prepared by the benchmark between requests (built outside the
    timed call, as the real conductor builds it in its own process)."""

    def __init__(self, nodes):
        self.nodes = {n['id']: n for n in nodes}
        self.changed = []
        self.now = iso(0)

    def compute_nodes_get_all(self, ctxt, changed_since=None):
        if changed_since is None:
            return {'nodes': list(self.nodes.values()), 'now': self.now}
        return {'nodes': self.changed, 'now': self.now}

    def prepare_changes(self, rng, seconds, claims):
        """The nodes a cloud changes between two requests: the claims of
        the last one, heartbeats and instances finishing elsewhere."""
        self.now = iso(seconds)
        changed = {}
        for node_id, flavor, uuid in claims:
            node = dict(self.nodes[node_id])
            vcpus, ram, disk = flavor
            node['vcpus_used'] += vcpus
            node['memory_mb_used'] += ram
            node['local_gb_used'] += disk
            node['instances'] = dict(node['instances'])
            node['instances'][uuid] = {'project_id': 'project-1',
                                       'vm_state': 'building',
                                       'task_state': 'spawning'}
            node['num_instances'] = len(node['instances'])
            changed[node_id] = node
        for _ in range(rng.randint(max(0, 1 - len(changed)),
                                   max(0, 10 - len(changed)))):
            node_id = rng.randint(1, len(self.nodes))
            node = dict(changed.get(node_id) or self.nodes[node_id])
            if node['instances'] and rng.random() < 0.3:
                node['instances'] = dict(node['instances'])
                node['instances'].pop(next(iter(node['instances'])))
                node['num_instances'] = len(node['instances'])
                node['vcpus_used'] = max(0, node['vcpus_used'] - 2)
                node['memory_mb_used'] = max(0,
                                             node['memory_mb_used'] - 4096)
            changed[node_id] = node
        for node in changed.values():
            node['service_updated_at'] = node['updated_at'] = self.now
            self.nodes[node['id']] = node
        self.changed = list(changed.values())


def one_of(rng, choices):
    """One roll of `rng` over (below, key, value) choices, in increasing
    `below`: {key: value} of the first the roll is below, else {}."""
    roll = rng.random()
    for below, key, value in choices:
        if roll < below:
            return {key: value}
    return {}


def make_request(rng, fleet_instances, serial):
    vcpus, ram, disk = rng.choice(FLAVORS)
    extra_specs = one_of(rng, [
        (0.2, 'aggregate_instance_extra_specs:ssd', 'true'),
        (0.25, 'capabilities:hypervisor_version', '>= 7000000')])
    properties = one_of(rng, [(0.1, 'os_distro', 'windows'),
                              (0.3, 'os_distro', 'ubuntu'),
                              (0.4, 'hw_architecture', 'x86_64')])
    count = 2 if rng.random() < 0.1 else 1
    spec = {
        'num_instances': count,
        'flavor': {'flavorid': str(vcpus), 'name': 'bench.%d' % vcpus,
                   'vcpus': vcpus, 'memory_mb': ram, 'root_gb': disk,
                   'ephemeral_gb': 0, 'swap': 0, 'extra_specs': extra_specs},
        'image': {'id': 'image-1', 'properties': properties, 'min_disk': 0,
                  'min_ram': 0},
        'project_id': ('project-gold' if rng.random() < 0.05
                       else 'project-%d' % rng.randrange(50)),
        'user_id': 'user',
        'availability_zone': rng.choice([None, None, 'az1', 'az2', 'az3']),
        'scheduler_hints': {}, 'ignore_hosts': []}
    roll = rng.random()
    if roll < 0.15:
        members = rng.sample(fleet_instances, rng.randint(0, 3))
        spec['instance_group'] = {
            'uuid': 'group-%d' % serial,
            'policy': 'anti-affinity' if roll < 0.1 else 'soft-anti-affinity',
            'rules': {}, 'hosts': [], 'members': members}
    uuids = ['bench-%d-%d' % (serial, i) for i in range(count)]
    return spec, uuids, (vcpus, ram, disk)


def percentile(values, pct):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1,
                       int(round(pct / 100.0 * (len(ordered) - 1))))]


def run(size, calls, use_arrays=True, seed=1):
    rng = random.Random(seed)
    nodes = build_fleet(rng, size)
    fleet_instances = [u for n in nodes for u in n['instances']][:5000]
    conductor = FakeConductor(nodes)
    manager = scheduler_manager.SchedulerManager(conductor_api=conductor)
    manager.driver.use_arrays = use_arrays
    start = time.perf_counter()
    manager.host_manager.refresh(None)
    full_load = time.perf_counter() - start
    start = time.perf_counter()
    manager.host_manager.refresh(None, full=True)
    full_refresh = time.perf_counter() - start
    by_host = {n['host']: n['id'] for n in nodes}
    started = time.monotonic()
    times = []
    failures = 0
    claims = []
    for serial in range(calls):
        conductor.prepare_changes(rng, time.monotonic() - started, claims)
        spec, uuids, flavor = make_request(rng, fleet_instances, serial)
        start = time.perf_counter()
        try:
            result = manager.select_destinations(None, spec, uuids)
        except exception.NoValidHost:
            result = []
            failures += 1
        times.append(time.perf_counter() - start)
        claims = [(by_host[selections[0]['host']], flavor, uuid)
                  for selections, uuid in zip(result, uuids)]
    return full_load, full_refresh, times, failures


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--calls', type=int, default=200)
    parser.add_argument('--sizes', default='100,1000,10000')
    parser.add_argument('--per-host', action='store_true')
    args = parser.parse_args()
    CONF([], project='nova', default_config_files=[])
    enabled = list(CONF.filter_scheduler.enabled_filters) + AGGREGATE_FILTERS
    CONF.set_override('enabled_filters', enabled, group='filter_scheduler')
    # The worst case: a refresh before every request, as with a cache
    # older than [scheduler] host_cache_max_age each time.
    CONF.set_override('host_cache_max_age', 0, group='scheduler')
    names = 'default+aggregate(%d) weighers=all' % len(enabled)
    print('filters: %s' % ','.join(enabled))
    paths = [('arrays', True)] + ([('per-host', False)] if args.per_host
                                  else [])
    for size in [int(s) for s in args.sizes.split(',')]:
        for path, use_arrays in paths:
            full_load, full_refresh, times, failures = run(
                size, args.calls, use_arrays)
            print('hosts=%d filters=%s path=%s calls=%d median=%.2f ms '
                  'p95=%.2f ms (no valid host: %d)' % (
                      size, names, path, len(times),
                      statistics.median(times) * 1000,
                      percentile(times, 95) * 1000, failures))
            sys.stdout.flush()
        print('hosts=%d initial full load=%.0f ms, periodic full '
              'refresh=%.0f ms' % (size, full_load * 1000,
                                   full_refresh * 1000))


if __name__ == '__main__':
    main()
