"""The fast path (HostArrays, filter_mask, weigh_slots) answers exactly as
the per-host path (host_passes, filter_all, weigh_objects) on random
fleets and requests: same hosts kept, same counts and reasons, same
weights and order of the best hosts, same choices end to end."""

import copy
import datetime
import json
import random

import numpy as np
import pytest

from common.conf import CONF
from common import exception
from nova_scheduler import filters
from nova_scheduler import host_manager as host_manager_mod
from nova_scheduler import manager as scheduler_manager
from nova_scheduler import weighers
from tests.unit.nova_scheduler import (NOW, FakeConductor, make_aggregate,
                                       make_group, make_node, make_spec)

ALL_FILTERS = filters.all_filters()
NAMES = [cls.__name__ for cls in ALL_FILTERS]
STATES = [('active', None), ('building', 'spawning'), ('active', 'rebuilding'),
          ('stopped', None), ('active', 'image_snapshot')]


@pytest.fixture(autouse=True)
def _reset_conf():
    yield
    CONF.reset()


class SlowRackFilter(filters.BaseHostFilter):
    """A deployment's own filter with no fast path of its own."""

    def host_passes(self, host_state, spec):
        rack = (spec.get('scheduler_hints') or {}).get('rack')
        return not rack or rack in host_state.aggregate_metadata.get(
            'rack', ())


def _ago(seconds):
    when = (datetime.datetime(2024, 5, 1, 12, tzinfo=datetime.timezone.utc)
            - datetime.timedelta(seconds=seconds))
    return when.isoformat()


def _aggregates(rng, first_id):
    pool = [
        {'availability_zone': rng.choice(['az1', 'az2', 'az1, az2'])},
        {'cpu_allocation_ratio': rng.choice(['2.0', '4', 'bad'])},
        {'ram_allocation_ratio': rng.choice(['0.5', '1.5'])},
        {'disk_allocation_ratio': rng.choice(['0.5', '2'])},
        {'max_io_ops_per_host': rng.choice(['1', '3', '2.5'])},
        {'max_instances_per_host': rng.choice(['2', '5'])},
        {'filter_tenant_id': rng.choice(['p1', 'p1,p2'])},
        {'filter_tenant_id_extra': 'p3'},
        {'os_distro': rng.choice(['ubuntu', 'debian,centos'])},
        {'ns.os_distro': rng.choice(['ubuntu', 'windows'])},
        {'ssd': rng.choice(['true', 'false']),
         'speed': str(rng.randint(1, 40))},
        {'rack': rng.choice(['r1', 'r2'])},
        {'cpu_weight_multiplier': rng.choice(['-1', '2', '0'])},
        {'ram_weight_multiplier': rng.choice(['0', '3'])},
        {'io_ops_weight_multiplier': '2'},
        {'build_failure_weight_multiplier': '0'},
        {'soft_anti_affinity_weight_multiplier': '5'},
    ]
    return [make_aggregate(first_id + i, **metadata)
            for i, metadata in enumerate(rng.sample(pool, rng.randint(0, 4)))]


def _profile(rng, profile_id):
    """Static attributes several nodes share, as a rack of one model."""
    arch = rng.choice(['x86_64', 'aarch64'])
    return {
        'aggregates': _aggregates(rng, profile_id * 10),
        'hypervisor_type': rng.choice(['QEMU', 'xen']),
        'hypervisor_version': rng.choice([6000000, 8002000, '8002000']),
        'cpu_info': json.dumps({'arch': arch, 'features': rng.sample(
            ['sse2', 'vmx', 'avx'], 2), 'topology': {'cores': 4}}),
        'supported_instances': rng.choice(
            [[], [[arch, 'kvm', 'hvm'], [arch, 'qemu', 'hvm']]])}


def _random_node(rng, node_id, profiles):
    instances = {}
    for i in range(rng.randint(0, 4)):
        vm_state, task_state = rng.choice(STATES)
        instances['inst-%d-%d' % (node_id, i)] = {
            'project_id': rng.choice(['p1', 'p2', 'p3']),
            'vm_state': vm_state, 'task_state': task_state}
    node = make_node(
        node_id, host='host%d' % rng.randint(1, 15),
        memory_mb=rng.choice([2048, 8192, 16384]),
        memory_mb_used=rng.choice([0, 1024, 4096]),
        memory_mb_reserved=rng.choice([0, 512]),
        vcpus=rng.choice([2, 8]), vcpus_used=rng.randint(0, 6),
        local_gb=rng.choice([10, 100]), local_gb_used=rng.randint(0, 9),
        cpu_allocation_ratio=rng.choice([1.0, 2, 16.0]),
        service_disabled=rng.random() < 0.1,
        service_forced_down=rng.random() < 0.05,
        service_updated_at=rng.choice([NOW] * 8 + [_ago(3600), None]),
        instances=instances, failed_builds=rng.choice([0, 0, 0, 1, 3]))
    node.update(copy.deepcopy(rng.choice(profiles)))
    if rng.random() < 0.1:
        # A node of its own kind.
        node.update(_profile(rng, 1000 + node_id))
    if rng.random() < 0.3:
        node['num_io_ops'] = rng.randint(0, 10)
    return node


def _random_spec(rng, uuids):
    extra_specs = dict(rng.sample([
        ('capabilities:hypervisor_type', 's== QEMU'),
        ('capabilities:cpu_info:features', '<in> vmx'),
        ('capabilities:cpu_info:topology:cores', '>= 4'),
        ('capabilities:hypervisor_version', '>= 7000000'),
        ('capabilities:free_ram_mb', '>= 4096'),
        ('capabilities:num_instances', '<= 2'),
        ('capabilities:no_such_thing', 'x'),
        ('vcpus', '>= 8'),
        ('aggregate_instance_extra_specs:ssd', 'true'),
        ('aggregate_instance_extra_specs:speed', '>= 20'),
        ('ssd', '<or> true <or> false'),
        ('hw:cpu_policy', 'dedicated'),
    ], rng.choice([0, 0, 1, 1, 2, 3])))
    spec = make_spec(memory_mb=rng.choice([512, 2048, 4096]),
                     vcpus=rng.choice([1, 2, 4]), root_gb=rng.choice([1, 20]),
                     swap=rng.choice([0, 1500]), extra_specs=extra_specs,
                     ignore_hosts=rng.sample(['host1', 'host2', 'host9'],
                                             rng.randint(0, 2)))
    spec['project_id'] = rng.choice(['p1', 'p2', 'p3', 'p4'])
    spec['availability_zone'] = rng.choice([None] * 5 + [
        'az1', 'az2', 'nova', 'az1, az2'])
    spec['image']['properties'] = dict(rng.sample([
        ('hw_architecture', rng.choice(['x86_64', 'aarch64', 'amd64'])),
        ('img_hv_type', rng.choice(['kvm', 'xen'])),
        ('hw_vm_mode', 'hvm'),
        ('img_hv_requested_version', rng.choice(['>= 8', '< 7', 'junk'])),
        ('os_distro', rng.choice(['ubuntu', 'centos', 'windows'])),
        ('ns.os_distro', rng.choice(['ubuntu', 'windows'])),
        ('ssd', ['true', 'false']),
    ], rng.choice([0, 0, 1, 1, 2, 3])))
    spec['scheduler_hints'] = rng.choice([
        {}, {}, {'same_host': rng.sample(uuids, min(2, len(uuids)))},
        {'different_host': rng.sample(uuids, min(3, len(uuids)))},
        {'different_host': 'inst-1-0'}, {'rack': rng.choice(['r1', 'r2'])}])
    if rng.random() < 0.3:
        spec['retry'] = {'hosts': rng.sample(
            [['host3', 'node3'], 'host4', ['host5', 'node99'], ['host6']],
            rng.randint(1, 3))}
    if rng.random() < 0.6:
        spec['instance_group'] = make_group(
            rng.choice(['affinity', 'anti-affinity', 'soft-affinity',
                        'soft-anti-affinity']),
            hosts=rng.sample(['host1', 'host2', 'host5', 'host11'],
                             rng.randint(0, 3)),
            members=rng.sample(uuids, min(rng.randint(0, 4), len(uuids))),
            max_server_per_host=rng.choice([1, 2, 3]))
    return spec


def _options(rng):
    """Random settings of every option a filter or weigher reads."""
    CONF.set_override('default_availability_zone',
                      rng.choice(['nova', 'az1']))
    CONF.set_override('max_io_ops_per_host', rng.choice([2, 8]),
                      group='filter_scheduler')
    CONF.set_override('max_instances_per_host', rng.choice([3, 50]),
                      group='filter_scheduler')
    CONF.set_override('aggregate_image_properties_isolation_namespace',
                      rng.choice([None, 'ns']), group='filter_scheduler')
    for option in ('ram_weight_multiplier', 'cpu_weight_multiplier',
                   'disk_weight_multiplier', 'io_ops_weight_multiplier',
                   'num_instances_weight_multiplier',
                   'build_failure_weight_multiplier'):
        CONF.set_override(option, rng.choice([-1.5, 0.0, 1.0, 3.0, 1e6]),
                          group='filter_scheduler')
    CONF.set_override('host_subset_size', rng.choice([1, 1, 2, 3]),
                      group='filter_scheduler')
    CONF.set_override('max_attempts', rng.choice([1, 3, 5]),
                      group='scheduler')


def _fleet(seed, size=60):
    rng = random.Random(seed)
    profiles = [_profile(rng, i) for i in range(6)]
    nodes = [_random_node(rng, i, profiles) for i in range(1, size + 1)]
    return rng, profiles, nodes


def _uuids(host_manager):
    return sorted(u for hs in host_manager.get_all_host_states()
                  for u in hs.instances) or ['none']


def _loaded(nodes, down=None):
    conductor = FakeConductor(nodes)
    conductor.down = down
    manager = host_manager_mod.HostManager(conductor)
    manager.refresh(None)
    return manager


def _all_filters_scheduler(filter_classes=None):
    classes = list(filter_classes or ALL_FILTERS) + [SlowRackFilter]
    CONF.set_override('available_filters', [
        'nova_scheduler.filters.all_filters',
        'tests.unit.nova_scheduler.test_fast_path.SlowRackFilter'],
        group='filter_scheduler')
    CONF.set_override('enabled_filters', [cls.__name__ for cls in classes],
                      group='filter_scheduler')
    return classes


@pytest.mark.parametrize('seed', range(6))
def test_each_filter_mask_agrees_with_host_passes(seed):
    rng, _profiles, nodes = _fleet(seed)
    _options(rng)
    # Odd seeds: the conductor names the nodes down (ComputeFilter then
    # ignores heartbeat ages); even ones: an older conductor's answer.
    down = ([n['id'] for n in nodes if rng.random() < 0.2]
            if seed % 2 else None)
    manager = _loaded(nodes, down)
    hosts = manager.arrays
    states = manager.get_all_host_states()
    uuids = _uuids(manager)
    for _ in range(25):
        spec = _random_spec(rng, uuids)
        mask = np.array([rng.random() < 0.8 for _ in states])
        for cls in ALL_FILTERS + [SlowRackFilter]:
            f = cls()
            passed = f.filter_mask(hosts, mask, spec)
            fast = [hs for hs, keep in zip(states, mask) if keep
                    and (passed is None or passed[hs.slot])]
            slow = [hs for hs, keep in zip(states, mask)
                    if keep and f.host_passes(hs, spec)]
            assert fast == slow, cls.__name__


def _compare_filtering(scheduler, host_manager, spec):
    slow = scheduler.run_filters(host_manager.get_all_host_states(), spec)
    fast = scheduler.run_filters_fast(host_manager.arrays, spec)
    assert fast.counts == slow.counts
    assert fast.reason == slow.reason
    assert host_manager.arrays.states_in(fast.mask) == slow.hosts
    return slow, fast


@pytest.mark.parametrize('seed', range(6))
def test_filtering_and_weighing_agree_on_random_fleets(seed):
    rng, _profiles, nodes = _fleet(seed)
    _options(rng)
    classes = _all_filters_scheduler(rng.sample(ALL_FILTERS, 12))
    manager = scheduler_manager.SchedulerManager(
        conductor_api=FakeConductor(nodes))
    scheduler = manager.driver
    assert [f.name() for f in scheduler.filters] == [
        cls.__name__ for cls in classes]
    host_manager = manager.host_manager
    host_manager.refresh(None)
    uuids = _uuids(host_manager)
    empty = 0
    for _ in range(40):
        spec = _random_spec(rng, uuids)
        slow, fast = _compare_filtering(scheduler, host_manager, spec)
        if not slow.hosts:
            empty += 1
            continue
        _slow_result, slow_weighed = scheduler.filter_and_weigh(spec)
        _fast_result, fast_weighed = scheduler.filter_and_weigh(
            spec, host_manager.arrays)
        # The best few (what picking reads), then the whole order.
        assert fast_weighed[:3] == slow_weighed[:3]
        assert list(fast_weighed) == slow_weighed
    assert empty < 40


@pytest.mark.parametrize('seed', range(4))
def test_weighing_agrees_with_aggregate_multipliers_and_groups(seed):
    rng, _profiles, nodes = _fleet(seed, size=40)
    _options(rng)
    manager = _loaded(nodes)
    states = manager.get_all_host_states()
    every = [cls() for cls in weighers.all_weighers()]
    uuids = _uuids(manager)
    for _ in range(30):
        spec = _random_spec(rng, uuids)
        chosen = sorted(rng.sample(range(len(states)),
                                   rng.randint(1, len(states))))
        some = rng.sample(every, rng.randint(1, len(every)))
        slots = np.array([states[i].slot for i in chosen])
        totals = weighers.weigh_slots(some, manager.arrays, slots, spec)
        assert list(weighers.Ranking(manager.arrays, slots, totals)) == (
            weighers.weigh_hosts(some, [states[i] for i in chosen], spec))


def test_best_first_breaks_ties_by_position_like_a_stable_sort():
    rng = random.Random(3)
    for _ in range(200):
        totals = np.array([float(rng.choice([0, 0, 1, 2, -0.0, 2.5]))
                           for _ in range(rng.randint(1, 30))])
        expected = sorted(range(len(totals)), key=lambda i: -totals[i])
        for count in (1, 2, 5, len(totals)):
            assert weighers.best_first(totals, count).tolist() == (
                expected[:count])


def _changes(rng, model, profiles, next_id):
    """What the conductor reports between two requests: usage and
    heartbeats moving, aggregates changing, nodes deleted and added."""
    changed = []
    for node_id in rng.sample(sorted(model), min(len(model),
                                                 rng.randint(0, 4))):
        node = copy.deepcopy(model[node_id])
        roll = rng.random()
        if roll < 0.4:
            node['memory_mb_used'] = rng.choice([0, 2048, 6000])
            node['vcpus_used'] = rng.randint(0, 8)
            node['instances'].pop(next(iter(node['instances']), None), None)
        elif roll < 0.6:
            node.update(copy.deepcopy(rng.choice(profiles)))
        elif roll < 0.7:
            node['host'] = 'host%d' % rng.randint(1, 15)
        elif roll < 0.8:
            node['service_disabled'] = not node['service_disabled']
        elif roll < 0.9:
            del model[node_id]
            changed.append({'id': node_id, 'deleted': True})
            continue
        model[node_id] = node
        changed.append(node)
    if rng.random() < 0.3:
        node = _random_node(rng, next_id, profiles)
        model[next_id] = node
        changed.append(node)
        next_id += 1
    return changed, next_id


@pytest.mark.parametrize('seed', range(6))
def test_select_destinations_same_on_both_paths(seed):
    rng, profiles, nodes = _fleet(seed, size=50)
    _options(rng)
    _all_filters_scheduler(rng.sample(ALL_FILTERS, 14))
    model = {n['id']: n for n in nodes}
    conductors = [FakeConductor(nodes), FakeConductor(nodes)]
    managers = [scheduler_manager.SchedulerManager(conductor_api=c)
                for c in conductors]
    managers[1].driver.use_arrays = False
    next_id = len(nodes) + 1
    placed = 0
    for step in range(60):
        uuids = _uuids(managers[0].host_manager)
        spec = _random_spec(rng, uuids)
        instance_uuids = ['new-%d-%d' % (step, i)
                          for i in range(rng.choice([1, 1, 2, 3]))]
        outcomes = []
        for manager in managers:
            random.seed(step)
            try:
                outcomes.append(manager.select_destinations(
                    None, copy.deepcopy(spec), instance_uuids))
            except exception.NoValidHost as e:
                outcomes.append(str(e))
        assert outcomes[0] == outcomes[1]
        placed += not isinstance(outcomes[0], str)
        changed, next_id = _changes(rng, model, profiles, next_id)
        for conductor in conductors:
            conductor.nodes = [copy.deepcopy(model[i]) for i in sorted(model)]
            conductor.changed = changed
        if step % 20 == 19:
            for manager in managers:
                manager.host_manager.refresh(None, full=True)
        _assert_arrays_match_states(managers[0].host_manager)
    assert placed


def _assert_arrays_match_states(host_manager):
    """The arrays hold what a fresh load of the same HostStates would."""
    arrays = host_manager.arrays
    states = host_manager.get_all_host_states()
    assert arrays.states_in(arrays.present) == states
    for column in ('free_vcpus', 'free_ram_mb', 'free_disk_gb', 'num_io_ops',
                   'num_instances', 'failed_builds'):
        assert getattr(arrays, column)[arrays.present].tolist() == [
            getattr(hs, column) for hs in states], column
    by_host = {}
    by_instance = {}
    for hs in states:
        group = arrays.groups[arrays.group[hs.slot]]
        assert group.aggregate_metadata == hs.aggregate_metadata
        assert group.supported_instances == hs.supported_instances
        by_host.setdefault(hs.host, set()).add(hs.slot)
        for uuid in hs.instances:
            by_instance.setdefault(uuid, set()).add(hs.slot)
    # The indexes hold exactly what the hosts do: nothing stale.
    assert {name: arrays.slots_of_hosts([name])
            for name in arrays._by_host} == by_host
    assert {uuid: arrays.slots_holding([uuid])
            for uuid in arrays._by_instance} == by_instance


def test_consume_and_release_keep_the_arrays_in_step():
    manager = _loaded([make_node(1), make_node(2)])
    hs = manager.host_states[1]
    spec = make_spec(memory_mb=1024, vcpus=2)
    hs.consume(spec, 'new')
    assert manager.arrays.free_ram_mb.tolist() == [7168, 8192]
    assert manager.arrays.slots_holding(['new']) == {hs.slot}
    hs.release(spec, 'new')
    assert manager.arrays.free_ram_mb.tolist() == [8192, 8192]
    assert manager.arrays.slots_holding(['new']) == set()


def test_an_instance_reported_on_two_nodes_is_found_on_both():
    both = {'twice': {'vm_state': 'active'}}
    manager = _loaded([make_node(1, instances=both),
                       make_node(2, instances=both), make_node(3)])
    arrays = manager.arrays
    assert arrays.slots_holding(['twice']) == {0, 1}
    spec = make_spec()
    spec['scheduler_hints'] = {'different_host': ['twice']}
    f = filters.all_filters()[NAMES.index('DifferentHostFilter')]()
    assert f.filter_mask(arrays, arrays.all_hosts(), spec).tolist() == [
        False, False, True]
    manager.conductor_api.changed = [make_node(1)]
    manager.refresh(None)
    assert arrays.slots_holding(['twice']) == {1}
    manager.conductor_api.changed = [{'id': 2, 'deleted': True}]
    manager.refresh(None)
    assert arrays.slots_holding(['twice']) == set()


def test_hosts_with_identical_static_attributes_share_one_group():
    agg = make_aggregate(1, availability_zone='az1', ssd='true')
    manager = _loaded([make_node(1, aggregates=[agg]),
                       make_node(2, aggregates=[agg], memory_mb_used=4096),
                       make_node(3),
                       make_node(4, hypervisor_version='8002000')])
    arrays = manager.arrays
    assert arrays.group.tolist() == [0, 0, 1, 2]
    calls = []

    def rule(group):
        calls.append(group)
        return 'az1' in group.aggregate_availability_zones
    assert arrays.group_answer(('test', 'az1'), rule).tolist() == [
        True, True, False, False]
    assert len(calls) == 3
    # Remembered: a second request for az1 asks no group again...
    arrays.group_answer(('test', 'az1'), rule)
    assert len(calls) == 3
    # ...and a new kind of host is asked about alone.
    manager.conductor_api.changed = [make_node(5, cpu_info='{"arch": "x"}')]
    manager.refresh(None)
    assert arrays.group_answer(('test', 'az1'), rule).tolist() == [
        True, True, False, False, False]
    assert len(calls) == 4


def test_zones_split_differently_make_different_groups():
    # Equal metadata index ({'az1', 'az2'}) but one zone named 'az1, az2'
    # against two zones: the AZ filter tells them apart, so must groups.
    one = make_node(1, aggregates=[make_aggregate(1, availability_zone=
                                                  'az1, az2')])
    two = make_node(2, aggregates=[make_aggregate(2, availability_zone='az1'),
                                   make_aggregate(3, availability_zone='az2')])
    manager = _loaded([one, two])
    assert manager.arrays.group.tolist() == [0, 1]
    spec = make_spec()
    spec['availability_zone'] = 'az1'
    f = filters.all_filters()[NAMES.index('AvailabilityZoneFilter')]()
    assert f.filter_mask(manager.arrays, manager.arrays.all_hosts(),
                         spec).tolist() == [False, True]


class _Counting:
    def __init__(self, monkeypatch, owner, name):
        self.calls = 0
        original = getattr(owner, name)

        def counted(*args, **kwargs):
            self.calls += 1
            return original(*args, **kwargs)
        monkeypatch.setattr(owner, name, counted)


def test_incremental_refresh_costs_only_the_changed_hosts(monkeypatch):
    from nova_scheduler import host_arrays
    from nova_scheduler import host_state
    manager = _loaded([make_node(i) for i in range(1, 501)])
    updates = _Counting(monkeypatch, host_state.HostState, 'update')
    stores = _Counting(monkeypatch, host_arrays.HostArrays, 'store')
    keys = _Counting(monkeypatch, host_state.HostState, 'static_key')
    loads = _Counting(monkeypatch, host_arrays.HostArrays, 'load')
    manager.conductor_api.changed = [make_node(7, memory_mb_used=1024),
                                     make_node(9, vcpus_used=3),
                                     {'id': 11, 'deleted': True}]
    manager.refresh(None)
    assert (updates.calls, stores.calls, keys.calls, loads.calls) == (
        2, 2, 2, 0)
    assert np.count_nonzero(manager.arrays.present) == 499
    assert manager.host_states[7].free_ram_mb == 7168
    assert manager.arrays.free_ram_mb[manager.host_states[7].slot] == 7168


def test_full_refresh_repacks_the_arrays_in_host_order():
    manager = _loaded([make_node(1), make_node(2), make_node(3)])
    manager.conductor_api.changed = [{'id': 2, 'deleted': True},
                                     make_node(4)]
    manager.refresh(None)
    assert len(manager.arrays.states) == 4
    manager.conductor_api.nodes = [make_node(1), make_node(3), make_node(4)]
    manager.refresh(None, full=True)
    assert [hs.slot for hs in manager.get_all_host_states()] == [0, 1, 2]
    assert len(manager.arrays.states) == 3


def test_forced_hosts_take_the_per_host_path():
    manager = scheduler_manager.SchedulerManager(
        conductor_api=FakeConductor([make_node(1), make_node(2)]))
    spec = make_spec()
    spec['force_hosts'] = ['host2']
    assert manager.driver._arrays_for(spec) is None
    [[chosen]] = manager.select_destinations(None, spec, ['x'])
    assert chosen['host'] == 'host2'


def test_no_valid_host_reason_is_the_same_on_the_fast_path():
    nodes = [make_node(i, memory_mb=1024) for i in range(1, 5)]
    nodes[0]['memory_mb'] = 4096
    nodes[0]['service_disabled'] = True
    managers = [scheduler_manager.SchedulerManager(
        conductor_api=FakeConductor(nodes)) for _ in range(2)]
    managers[1].driver.use_arrays = False
    messages = []
    for manager in managers:
        with pytest.raises(exception.NoValidHost) as raised:
            manager.select_destinations(None, make_spec(memory_mb=2048),
                                        ['x'])
        messages.append(str(raised.value))
    assert messages[0] == messages[1]
    assert 'RamFilter 4 -> 1, ComputeFilter 1 -> 0: the compute service ' \
        'is disabled' in messages[0]
