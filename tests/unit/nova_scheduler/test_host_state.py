"""HostState: capacity arithmetic, consumption and heartbeat age."""

import pytest

from nova_scheduler import host_state
from tests.unit.nova_scheduler import NOW, make_node, make_spec


def test_free_capacity_follows_the_claim_rule():
    hs = host_state.HostState(make_node(
        1, vcpus=8, vcpus_reserved=2, vcpus_used=3, cpu_allocation_ratio=4.0,
        memory_mb=8192, memory_mb_reserved=1024, memory_mb_used=2048,
        ram_allocation_ratio=1.5, local_gb=100, local_gb_reserved=10,
        local_gb_used=50, disk_allocation_ratio=2.0), now=NOW)
    assert hs.vcpus_usable == 24 and hs.free_vcpus == 21
    assert hs.memory_mb_usable == 10752 and hs.free_ram_mb == 8704
    assert hs.disk_gb_usable == 180 and hs.free_disk_gb == 130
    assert hs.limits() == {'vcpu': 24, 'memory_mb': 10752, 'disk_gb': 180}


def test_requested_disk_rounds_swap_up_to_whole_gb():
    flavor = make_spec(root_gb=10, ephemeral_gb=5, swap=1025)['flavor']
    assert host_state.requested_disk_gb(flavor) == 17
    flavor = make_spec(root_gb=10, ephemeral_gb=0, swap=0)['flavor']
    assert host_state.requested_disk_gb(flavor) == 10


def test_consume_and_release_are_symmetric():
    hs = host_state.HostState(make_node(1), now=NOW)
    spec = make_spec(vcpus=2, memory_mb=2048, root_gb=20, swap=512)
    hs.consume(spec)
    assert (hs.free_vcpus, hs.free_ram_mb, hs.free_disk_gb) == (6, 6144, 79)
    assert hs.running_vms == 1
    hs.release(spec)
    assert (hs.free_vcpus, hs.free_ram_mb, hs.free_disk_gb) == (8, 8192, 100)
    assert hs.running_vms == 0


def test_selection_names_host_node_and_limits():
    hs = host_state.HostState(make_node(7), now=NOW)
    assert hs.selection() == {
        'host': 'host7', 'nodename': 'node7', 'compute_node_id': 7,
        'limits': {'vcpu': 8.0, 'memory_mb': 8192.0, 'disk_gb': 100.0}}


def test_heartbeat_age_is_measured_on_the_conductor_clock():
    # The conductor's 'now' is far from our wall clock; only the gap
    # between it and the heartbeat matters.
    node = make_node(1, service_updated_at='2001-01-01T00:00:00Z')
    hs = host_state.HostState(node, now='2001-01-01T00:02:00+00:00',
                              now_mono=1000.0)
    assert hs.heartbeat_age(now_mono=1000.0) == pytest.approx(120)
    assert hs.heartbeat_age(now_mono=1030.0) == pytest.approx(150)


def test_naive_timestamps_are_read_as_utc():
    node = make_node(1, service_updated_at='2001-01-01T00:00:00')
    hs = host_state.HostState(node, now='2001-01-01T00:00:30Z',
                              now_mono=50.0)
    assert hs.heartbeat_age(now_mono=50.0) == pytest.approx(30)


def test_missing_heartbeat_has_no_age():
    hs = host_state.HostState(make_node(1, service_updated_at=None), now=NOW)
    assert hs.heartbeat_age() is None


# -- what filters read beyond resources ---------------------------------

def test_optional_node_keys_default_sensibly():
    node = make_node(1, running_vms=3)
    hs = host_state.HostState(node, now=NOW)
    assert hs.aggregates == [] and hs.aggregate_metadata == {}
    assert hs.aggregate_availability_zones == set()
    assert hs.instances == {}
    assert hs.num_instances == 3            # running_vms, without instances
    assert hs.num_io_ops == 0
    assert hs.failed_builds == 0
    assert hs.supported_instances == []
    assert hs.cpu_info_dict == {}


def test_reads_aggregates_instances_and_counts():
    instances = {
        'a': {'project_id': 'p', 'vm_state': 'building',
              'task_state': 'spawning'},
        'b': {'project_id': 'p', 'vm_state': 'active', 'task_state': None},
        'c': {'project_id': 'q', 'vm_state': 'active',
              'task_state': 'rebuilding'}}
    node = make_node(
        1, instances=instances, failed_builds=2,
        supported_instances=[['x86_64', 'kvm', 'hvm']],
        cpu_info='{"arch": "x86_64"}',
        aggregates=[
            {'id': 1, 'name': 'fast', 'metadata': {
                'availability_zone': 'az1', 'ssd': 'true'}},
            {'id': 2, 'name': 'tenants', 'metadata': {
                'filter_tenant_id': 'p1, p2'}}])
    hs = host_state.HostState(node, now=NOW)
    assert hs.num_instances == 3 and hs.num_io_ops == 2
    assert hs.failed_builds == 2
    assert hs.supported_instances == [('x86_64', 'kvm', 'hvm')]
    assert hs.cpu_info_dict == {'arch': 'x86_64'}
    assert hs.aggregate_availability_zones == {'az1'}
    assert hs.aggregate_metadata == {'availability_zone': {'az1'},
                                     'ssd': {'true'},
                                     'filter_tenant_id': {'p1', 'p2'}}


def test_reported_counts_win_over_derived_ones():
    node = make_node(1, instances={'a': {'vm_state': 'building'}},
                     num_instances=5, num_io_ops=4)
    hs = host_state.HostState(node, now=NOW)
    assert (hs.num_instances, hs.num_io_ops) == (5, 4)


def test_consume_adds_the_instance_and_release_removes_it():
    node = make_node(1, instances={'old': {'vm_state': 'active'}})
    hs = host_state.HostState(node, now=NOW)
    spec = make_spec()
    hs.consume(spec, 'new')
    assert hs.instances['new'] == {'project_id': 'project',
                                   'vm_state': 'building',
                                   'task_state': 'scheduling'}
    assert (hs.num_instances, hs.num_io_ops) == (2, 1)
    # The conductor's dict is not ours to change.
    assert 'new' not in node['instances']
    hs.release(spec, 'new')
    assert set(hs.instances) == {'old'}
    assert (hs.num_instances, hs.num_io_ops) == (1, 0)


def test_aggregate_ratios_override_node_ratios():
    node = make_node(1, cpu_allocation_ratio=16.0, aggregates=[
        {'id': 1, 'name': 'a', 'metadata': {'cpu_allocation_ratio': '4'}},
        {'id': 2, 'name': 'b', 'metadata': {'cpu_allocation_ratio': '2.0'}}])
    hs = host_state.HostState(node, now=NOW)
    assert hs.cpu_allocation_ratio == 2.0
    assert hs.ram_allocation_ratio == 1.0
    assert hs.free_vcpus == 16
