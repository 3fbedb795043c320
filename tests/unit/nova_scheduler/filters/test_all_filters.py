"""Every filter together: whole-list paths agree with host_passes, all of
them can run at once, and each names itself in NoValidHost."""

import json
import random

import pytest

from common.conf import CONF
from common import exception
from nova_scheduler import filters
from nova_scheduler import manager as scheduler_manager
from tests.unit.nova_scheduler import (FakeConductor, make_aggregate,
                                       make_group, make_host, make_node,
                                       make_spec)

ALL = filters.all_filters()
NAMES = sorted(cls.__name__ for cls in ALL)
STATES = [('active', None), ('building', 'spawning'), ('active', 'rebuilding'),
          ('stopped', None)]


def test_all_filters_ships_nova_s_filters_under_nova_s_names():
    assert NAMES == sorted([
        'AggregateCoreFilter', 'AggregateDiskFilter',
        'AggregateImagePropertiesIsolation',
        'AggregateInstanceExtraSpecsFilter', 'AggregateIoOpsFilter',
        'AggregateMultiTenancyIsolation', 'AggregateNumInstancesFilter',
        'AggregateRamFilter', 'AllHostsFilter', 'AvailabilityZoneFilter',
        'ComputeCapabilitiesFilter', 'ComputeFilter', 'CoreFilter',
        'DifferentHostFilter', 'DiskFilter', 'ImagePropertiesFilter',
        'IoOpsFilter', 'NumInstancesFilter', 'RamFilter', 'RetryFilter',
        'SameHostFilter', 'ServerGroupAffinityFilter',
        'ServerGroupAntiAffinityFilter'])


def test_default_enabled_filters_keep_core_and_disk_after_ram():
    assert CONF.filter_scheduler.enabled_filters == [
        'RetryFilter', 'AvailabilityZoneFilter', 'RamFilter', 'CoreFilter',
        'DiskFilter', 'ComputeFilter', 'ComputeCapabilitiesFilter',
        'ImagePropertiesFilter', 'ServerGroupAntiAffinityFilter',
        'ServerGroupAffinityFilter']


def _random_node(rng, node_id):
    metadata_pool = [
        {'availability_zone': rng.choice(['az1', 'az2'])},
        {'cpu_allocation_ratio': rng.choice(['2.0', '4', 'bad'])},
        {'ram_allocation_ratio': rng.choice(['0.5', '1.5'])},
        {'max_io_ops_per_host': rng.choice(['1', '3'])},
        {'max_instances_per_host': rng.choice(['2', '5'])},
        {'filter_tenant_id': rng.choice(['p1', 'p1,p2'])},
        {'os_distro': rng.choice(['ubuntu', 'debian,centos'])},
        {'ssd': rng.choice(['true', 'false']),
         'speed': str(rng.randint(1, 40))},
        {'cpu_weight_multiplier': rng.choice(['-1', '2'])},
    ]
    aggregates = [make_aggregate(node_id * 10 + i, **metadata)
                  for i, metadata in enumerate(rng.sample(
                      metadata_pool, rng.randint(0, 3)))]
    instances = {}
    for i in range(rng.randint(0, 4)):
        vm_state, task_state = rng.choice(STATES)
        instances['inst-%d-%d' % (node_id, i)] = {
            'project_id': rng.choice(['p1', 'p2', 'p3']),
            'vm_state': vm_state, 'task_state': task_state}
    arch = rng.choice(['x86_64', 'aarch64'])
    node = make_node(
        node_id, host='host%d' % rng.randint(1, 12),
        memory_mb=rng.choice([2048, 8192, 16384]),
        memory_mb_used=rng.choice([0, 1024, 4096]),
        vcpus=rng.choice([2, 8]), vcpus_used=rng.randint(0, 4),
        local_gb=rng.choice([10, 100]),
        hypervisor_type=rng.choice(['QEMU', 'xen']),
        hypervisor_version=rng.choice([6000000, 8002000]),
        cpu_info=json.dumps({'arch': arch, 'features': rng.sample(
            ['sse2', 'vmx', 'avx'], 2)}),
        service_disabled=rng.random() < 0.1,
        aggregates=aggregates, instances=instances,
        supported_instances=rng.choice(
            [[], [[arch, 'kvm', 'hvm'], [arch, 'qemu', 'hvm']]]),
        failed_builds=rng.choice([0, 0, 2]))
    if rng.random() < 0.3:
        node['num_io_ops'] = rng.randint(0, 10)
    return node


def _random_spec(rng, uuids):
    extra_specs = dict(rng.sample([
        ('capabilities:hypervisor_type', 's== QEMU'),
        ('capabilities:cpu_info:features', '<in> vmx'),
        ('capabilities:hypervisor_version', '>= 7000000'),
        ('aggregate_instance_extra_specs:ssd', 'true'),
        ('aggregate_instance_extra_specs:speed', '>= 20'),
        ('hw:cpu_policy', 'dedicated'),
    ], rng.randint(0, 2)))
    spec = make_spec(memory_mb=rng.choice([512, 4096]),
                     vcpus=rng.choice([1, 4]), extra_specs=extra_specs,
                     ignore_hosts=rng.sample(['host1', 'host2'],
                                             rng.randint(0, 1)))
    spec['project_id'] = rng.choice(['p1', 'p2', 'p3'])
    spec['availability_zone'] = rng.choice([None, None, 'az1', 'nova'])
    spec['image']['properties'] = dict(rng.sample([
        ('hw_architecture', 'x86_64'), ('img_hv_type', 'kvm'),
        ('img_hv_requested_version', '>= 8'), ('os_distro', 'ubuntu'),
    ], rng.randint(0, 2)))
    spec['scheduler_hints'] = rng.choice([
        {}, {'same_host': rng.sample(uuids, min(2, len(uuids)))},
        {'different_host': rng.sample(uuids, min(2, len(uuids)))}])
    if rng.random() < 0.3:
        spec['retry'] = {'hosts': [['host3', 'node3'], 'host4']}
    if rng.random() < 0.5:
        members = rng.sample(uuids, min(3, len(uuids)))
        spec['instance_group'] = make_group(
            rng.choice(['affinity', 'anti-affinity', 'soft-affinity',
                        'soft-anti-affinity']),
            hosts=rng.sample(['host1', 'host2', 'host5'], rng.randint(0, 2)),
            members=members, max_server_per_host=rng.choice([1, 2]))
    return spec


def _fleet(seed, size=40):
    rng = random.Random(seed)
    nodes = [_random_node(rng, i) for i in range(1, size + 1)]
    uuids = sorted(u for n in nodes for u in n['instances'])
    return rng, nodes, uuids


@pytest.mark.parametrize('seed', range(5))
def test_whole_list_path_agrees_with_host_passes(seed):
    rng, nodes, uuids = _fleet(seed)
    hosts = [make_host(n['id'], **{k: v for k, v in n.items() if k != 'id'})
             for n in nodes]
    for _ in range(30):
        spec = _random_spec(rng, uuids)
        for cls in ALL:
            f = cls()
            assert f.filter_all(hosts, spec) == [
                hs for hs in hosts if f.host_passes(hs, spec)], cls.__name__


@pytest.mark.parametrize('seed', range(5))
def test_every_filter_enabled_at_once_on_a_random_fleet(seed):
    CONF.set_override('enabled_filters', NAMES, group='filter_scheduler')
    rng, nodes, uuids = _fleet(seed)
    manager = scheduler_manager.SchedulerManager(
        conductor_api=FakeConductor(nodes))
    placed = 0
    for _ in range(20):
        spec = _random_spec(rng, uuids)
        try:
            result = manager.select_destinations(None, spec, ['new-1',
                                                              'new-2'])
        except exception.NoValidHost as e:
            assert any('%s ' % name in str(e) for name in NAMES
                       + ['ignore_hosts']), str(e)
            continue
        placed += 1
        assert len(result) == 2
    assert placed
    # A plain request fits somewhere in every random fleet.
    plain = make_spec()
    plain['project_id'] = 'p1'
    result = manager.select_destinations(None, plain, ['new-3'])
    assert result[0][0]['host']


def _spec_with(**changes):
    spec = make_spec()
    for key, value in changes.items():
        if key == 'image_properties':
            spec['image']['properties'] = value
        elif key in ('extra_specs',):
            spec['flavor'][key] = value
        else:
            spec[key] = value
    return spec


# filter name -> (node overrides, spec, reason the NoValidHost gives)
REJECTIONS = {
    'RetryFilter': ({}, _spec_with(retry={'hosts': ['host1']}),
                    'every host was already tried'),
    'AvailabilityZoneFilter': ({}, _spec_with(availability_zone='az9'),
                               "no host is in availability zone 'az9'"),
    'RamFilter': ({}, make_spec(memory_mb=99999), 'MB RAM free'),
    'AggregateRamFilter': (
        {'aggregates': [make_aggregate(1, ram_allocation_ratio=0.1)]},
        make_spec(memory_mb=1024), 'the best host has 819 MB RAM free'),
    'CoreFilter': ({}, make_spec(vcpus=99), 'vCPUs free'),
    'AggregateCoreFilter': (
        {'aggregates': [make_aggregate(1, cpu_allocation_ratio=0.25)]},
        make_spec(vcpus=3), 'the best host has 2 vCPUs free, 3 requested'),
    'DiskFilter': ({}, make_spec(root_gb=999), 'GB disk free'),
    'AggregateDiskFilter': (
        {'aggregates': [make_aggregate(1, disk_allocation_ratio=0.5)]},
        make_spec(root_gb=60), 'the best host has 50 GB disk free'),
    'ComputeFilter': ({'service_forced_down': True}, make_spec(),
                      'forced down'),
    'ComputeCapabilitiesFilter': (
        {}, _spec_with(extra_specs={'capabilities:hypervisor_type': 'xen'}),
        "the flavor asks capabilities:hypervisor_type='xen'"),
    'ImagePropertiesFilter': (
        {}, _spec_with(image_properties={'hw_architecture': 'ppc64le'}),
        'the image asks hw_architecture=ppc64le'),
    'ServerGroupAffinityFilter': (
        {}, _spec_with(instance_group=make_group('affinity', ['host7'])),
        'server group group-1 (affinity) has its members on host7'),
    'ServerGroupAntiAffinityFilter': (
        {}, _spec_with(instance_group=make_group('anti-affinity', ['host1'])),
        'server group group-1, the most its anti-affinity policy allows'),
    'AggregateImagePropertiesIsolation': (
        {'aggregates': [make_aggregate(1, os_distro='ubuntu')]},
        _spec_with(image_properties={'os_distro': 'windows'}),
        'the image has os_distro=windows'),
    'AggregateInstanceExtraSpecsFilter': (
        {}, _spec_with(extra_specs={
            'aggregate_instance_extra_specs:ssd': 'true'}),
        "the flavor asks aggregate_instance_extra_specs:ssd='true'"),
    'IoOpsFilter': ({'num_io_ops': 8}, make_spec(),
                    '8 I/O operations under way, the most allowed is 8'),
    'AggregateIoOpsFilter': (
        {'num_io_ops': 2,
         'aggregates': [make_aggregate(1, max_io_ops_per_host=2)]},
        make_spec(), '2 I/O operations under way, the most allowed is 2'),
    'NumInstancesFilter': ({'num_instances': 50}, make_spec(),
                           'holds 50 instances, the most allowed is 50'),
    'AggregateNumInstancesFilter': (
        {'num_instances': 3,
         'aggregates': [make_aggregate(1, max_instances_per_host=3)]},
        make_spec(), 'holds 3 instances, the most allowed is 3'),
    'AggregateMultiTenancyIsolation': (
        {'aggregates': [make_aggregate(1, filter_tenant_id='other')]},
        make_spec(), 'reserved for other projects'),
    'SameHostFilter': ({}, _spec_with(scheduler_hints={'same_host': ['x']}),
                       'no host left holds any of the same_host instances'),
    'DifferentHostFilter': (
        {'instances': {'x': {}}},
        _spec_with(scheduler_hints={'different_host': ['x']}),
        'every host left holds one of the different_host instances (x)'),
}


def test_every_filter_but_all_hosts_has_a_rejection_case():
    assert sorted(REJECTIONS) == sorted(set(NAMES) - {'AllHostsFilter'})


@pytest.mark.parametrize('name', sorted(REJECTIONS))
def test_no_valid_host_names_the_filter_and_why(name):
    node_overrides, spec, reason = REJECTIONS[name]
    CONF.set_override('enabled_filters', [name], group='filter_scheduler')
    manager = scheduler_manager.SchedulerManager(
        conductor_api=FakeConductor([make_node(1, **node_overrides)]))
    with pytest.raises(exception.NoValidHost) as raised:
        manager.select_destinations(None, spec, ['new-1'])
    message = str(raised.value)
    assert '%s 1 -> 0: ' % name in message
    assert reason in message
