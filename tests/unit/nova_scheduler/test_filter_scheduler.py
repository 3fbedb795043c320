"""select_destinations end to end over a fake conductor."""

import time

import pytest

from common.conf import CONF
from common import exception
from nova_scheduler import manager as scheduler_manager
from tests.unit.nova_scheduler import (FakeConductor, make_group, make_node,
                                       make_spec)

GB = 1024


@pytest.fixture(autouse=True)
def _reset_conf():
    yield
    CONF.reset()


def _scheduler(*nodes):
    conductor = FakeConductor(nodes)
    return scheduler_manager.SchedulerManager(conductor_api=conductor)


def _ram_hosts(*free_mb):
    return [make_node(i + 1, memory_mb=mb) for i, mb in enumerate(free_mb)]


def _select(manager, spec, count=1):
    uuids = ['instance-%d' % i for i in range(count)]
    return manager.select_destinations(None, spec, uuids)


def test_picks_the_host_with_most_free_ram():
    manager = _scheduler(*_ram_hosts(2 * GB, 6 * GB, 4 * GB))
    [[chosen, *_alternates]] = _select(manager, make_spec())
    assert chosen == {'host': 'host2', 'nodename': 'node2',
                      'compute_node_id': 2,
                      'limits': {'vcpu': 8.0, 'memory_mb': 6144.0,
                                 'disk_gb': 100.0}}


def test_returns_distinct_alternates_best_first_up_to_max_attempts():
    nodes = _ram_hosts(2 * GB, 6 * GB, 4 * GB, 5 * GB)
    # A second node on host2 must not count as an alternate host.
    nodes.append(make_node(9, host='host2', memory_mb=5500))
    manager = _scheduler(*nodes)
    [selections] = _select(manager, make_spec())
    assert [s['host'] for s in selections] == ['host2', 'host4', 'host3']
    CONF.set_override('max_attempts', 1, group='scheduler')
    [selections] = _select(manager, make_spec())
    assert len(selections) == 1


def test_each_instance_sees_the_previous_ones_consumption():
    # 3 GB free each: one 2 GB instance per host, never two on one.
    manager = _scheduler(*_ram_hosts(3 * GB, 3 * GB))
    result = _select(manager, make_spec(num_instances=2, memory_mb=2 * GB),
                     count=2)
    assert len(result) == 2
    assert {r[0]['host'] for r in result} == {'host1', 'host2'}


def test_number_of_instances_comes_from_num_instances_without_uuids():
    manager = _scheduler(*_ram_hosts(8 * GB))
    result = manager.select_destinations(None, make_spec(num_instances=3),
                                         None)
    assert len(result) == 3


def test_ignore_hosts_are_never_chosen_nor_alternates():
    manager = _scheduler(*_ram_hosts(2 * GB, 6 * GB, 4 * GB))
    [selections] = _select(manager, make_spec(ignore_hosts=['host2']))
    assert [s['host'] for s in selections] == ['host3', 'host1']


def test_no_valid_host_names_the_filter_counts():
    nodes = _ram_hosts(1 * GB, 1 * GB, 1 * GB, 1 * GB)
    manager = _scheduler(*nodes)
    with pytest.raises(exception.NoValidHost) as raised:
        _select(manager, make_spec(memory_mb=2 * GB))
    assert str(raised.value) == (
        'No valid host was found. There are not enough hosts available. '
        'RamFilter 4 -> 0: the best host has 1024 MB RAM free, 2048 MB '
        'requested.')


def test_no_valid_host_gives_free_ram_in_whole_megabytes():
    # 22569 MB at a ratio of 1.5 is 33853.5 MB free: no flavor can use
    # the half, so the reason rounds it down.
    nodes = [make_node(1, memory_mb=22569, ram_allocation_ratio=1.5)]
    manager = _scheduler(*nodes)
    with pytest.raises(exception.NoValidHost) as raised:
        _select(manager, make_spec(memory_mb=40000))
    assert str(raised.value).endswith(
        'RamFilter 1 -> 0: the best host has 33853 MB RAM free, 40000 MB '
        'requested.')


def test_no_valid_host_lists_each_step_that_dropped_hosts():
    nodes = _ram_hosts(4 * GB, 1 * GB, 1 * GB, 1 * GB)
    nodes[0]['service_disabled'] = True
    manager = _scheduler(*nodes)
    with pytest.raises(exception.NoValidHost) as raised:
        _select(manager, make_spec(memory_mb=2 * GB))
    assert str(raised.value) == (
        'No valid host was found. There are not enough hosts available. '
        'RamFilter 4 -> 1, ComputeFilter 1 -> 0: the compute service is '
        'disabled.')


def test_no_valid_host_when_every_host_was_ignored():
    manager = _scheduler(*_ram_hosts(4 * GB))
    with pytest.raises(exception.NoValidHost) as raised:
        _select(manager, make_spec(ignore_hosts=['host1']))
    assert 'ignore_hosts 1 -> 0: every host is in ignore_hosts' in str(
        raised.value)


def test_no_valid_host_without_any_compute_node():
    with pytest.raises(exception.NoValidHost) as raised:
        _select(_scheduler(), make_spec())
    assert 'no compute nodes are known' in str(raised.value)


def test_failed_multi_instance_request_releases_its_earlier_choices():
    manager = _scheduler(*_ram_hosts(3 * GB, 3 * GB))
    spec = make_spec(memory_mb=2 * GB)
    with pytest.raises(exception.NoValidHost) as raised:
        _select(manager, spec, count=3)
    assert 'for instance 3 of 3' in str(raised.value)
    # Nothing was placed, so both hosts still take one instance each.
    assert len(_select(manager, spec, count=2)) == 2


def test_filter_counts_are_available_as_data():
    nodes = _ram_hosts(1 * GB, 4 * GB, 4 * GB)
    nodes[2]['vcpus'] = 1
    manager = _scheduler(*nodes)
    manager.host_manager.refresh(None)
    counts = manager.driver.filter_counts(make_spec(memory_mb=2 * GB,
                                                    vcpus=2))
    assert counts == [
        ('RetryFilter', 3, 3), ('AvailabilityZoneFilter', 3, 3),
        ('RamFilter', 3, 2), ('CoreFilter', 2, 1), ('DiskFilter', 1, 1),
        ('ComputeFilter', 1, 1), ('ComputeCapabilitiesFilter', 1, 1),
        ('ImagePropertiesFilter', 1, 1),
        ('ServerGroupAntiAffinityFilter', 1, 1),
        ('ServerGroupAffinityFilter', 1, 1)]


def test_refreshes_incrementally_before_each_request_at_max_age_0():
    CONF.set_override('host_cache_max_age', 0, group='scheduler')
    manager = _scheduler(*_ram_hosts(2 * GB, 6 * GB))
    conductor = manager.host_manager.conductor_api
    _select(manager, make_spec())
    conductor.changed = [{'id': 2, 'deleted': True}]
    [[chosen, *_rest]] = _select(manager, make_spec())
    assert conductor.calls == [None, conductor.now]
    assert chosen['host'] == 'host1'


def _clocked_scheduler(*nodes):
    manager = _scheduler(*nodes)
    # Heartbeat ages read time.monotonic(): move only the cache's clock.
    clock = [0.0]
    manager.host_manager._clock = lambda: time.monotonic() + clock[0]
    return manager, manager.host_manager.conductor_api, clock


def test_a_young_cache_is_used_without_asking_the_conductor():
    manager, conductor, clock = _clocked_scheduler(*_ram_hosts(2 * GB,
                                                               6 * GB))
    _select(manager, make_spec())
    clock[0] += 0.5
    _select(manager, make_spec())
    assert conductor.calls == [None]
    # The cache counts its own placements.
    free = sorted(hs.free_ram_mb
                  for hs in manager.host_manager.get_all_host_states())
    assert free == [2 * GB - 512, 6 * GB - 512]
    clock[0] += 0.6
    _select(manager, make_spec())
    assert conductor.calls == [None, conductor.now]


def test_invalidation_makes_the_next_request_read_all_hosts_again():
    # An admin change (aggregate membership, a deleted node) may move no
    # node row: only a full read is sure to see it.
    manager, conductor, _clock = _clocked_scheduler(*_ram_hosts(2 * GB,
                                                                6 * GB))
    _select(manager, make_spec())
    conductor.nodes[1] = make_node(2, memory_mb=6 * GB,
                                   service_disabled=True)
    conductor.changed = []
    manager.invalidate_host_cache(None)
    [[chosen, *_rest]] = _select(manager, make_spec())
    assert conductor.calls == [None, None]
    assert chosen['host'] == 'host1'


def test_no_valid_host_on_a_cached_view_is_tried_again_on_a_fresh_one():
    manager, conductor, _clock = _clocked_scheduler(
        make_node(1, memory_mb=1 * GB, memory_mb_used=1 * GB))
    with pytest.raises(exception.NoValidHost):
        _select(manager, make_spec())
    # A delete frees the host; the cache is young but the retry sees it.
    conductor.changed = [make_node(1, memory_mb=1 * GB)]
    [[chosen]] = _select(manager, make_spec())
    assert chosen['host'] == 'host1'
    assert conductor.calls == [None, conductor.now]


def test_no_valid_host_on_a_fresh_view_is_not_retried():
    manager, conductor, _clock = _clocked_scheduler(
        make_node(1, memory_mb=1 * GB, memory_mb_used=1 * GB))
    with pytest.raises(exception.NoValidHost):
        _select(manager, make_spec())
    assert conductor.calls == [None]


def test_host_subset_size_picks_among_the_best_few():
    manager = _scheduler(*_ram_hosts(6 * GB, 6 * GB - 1, 1 * GB))
    CONF.set_override('host_subset_size', 2, group='filter_scheduler')
    # Each request on the unchanged nodes, not on the last one's leftovers.
    CONF.set_override('host_cache_max_age', 0, group='scheduler')
    chosen = {_select(manager, make_spec(memory_mb=1))[0][0]['host']
              for _ in range(60)}
    assert chosen == {'host1', 'host2'}


def _group_spec(policy, **rules):
    spec = make_spec(num_instances=3)
    spec['instance_group'] = make_group(policy, **rules)
    return spec


def _ram_weigher_only():
    CONF.set_override('weight_classes',
                      ['nova_scheduler.weighers.ram.RAMWeigher'],
                      group='filter_scheduler')


def test_anti_affinity_spreads_the_members_of_one_request():
    # RAMWeigher alone would put all three on host1.
    _ram_weigher_only()
    manager = _scheduler(*_ram_hosts(64 * GB, 8 * GB, 8 * GB))
    spec = _group_spec('anti-affinity')
    result = _select(manager, spec, count=3)
    assert sorted(r[0]['host'] for r in result) == ['host1', 'host2',
                                                    'host3']
    # The caller's group is left as it was: a failed or repeated request
    # must not see members that were never built.
    assert spec['instance_group']['hosts'] == []
    assert spec['instance_group']['members'] == []


def test_anti_affinity_request_larger_than_the_fleet_fails_cleanly():
    manager = _scheduler(*_ram_hosts(8 * GB, 8 * GB))
    with pytest.raises(exception.NoValidHost) as raised:
        _select(manager, _group_spec('anti-affinity'), count=3)
    assert 'for instance 3 of 3' in str(raised.value)
    assert 'ServerGroupAntiAffinityFilter 2 -> 0' in str(raised.value)
    # Nothing stays consumed: the hosts hold no phantom instances.
    for hs in manager.host_manager.get_all_host_states():
        assert hs.instances == {} and hs.num_instances == 0


def test_max_server_per_host_packs_members_in_pairs():
    _ram_weigher_only()
    manager = _scheduler(*_ram_hosts(64 * GB, 8 * GB))
    spec = _group_spec('anti-affinity', max_server_per_host=2)
    hosts = [r[0]['host'] for r in _select(manager, spec, count=4)]
    assert sorted(hosts) == ['host1', 'host1', 'host2', 'host2']


def test_affinity_keeps_the_members_of_one_request_together():
    manager = _scheduler(*_ram_hosts(8 * GB, 8 * GB, 8 * GB))
    hosts = {r[0]['host'] for r in _select(manager, _group_spec('affinity'),
                                           count=3)}
    assert len(hosts) == 1


def test_soft_anti_affinity_spreads_while_hosts_last():
    CONF.set_override('soft_anti_affinity_weight_multiplier', 100.0,
                      group='filter_scheduler')
    manager = _scheduler(*_ram_hosts(4 * GB, 8 * GB))
    hosts = [r[0]['host'] for r in _select(
        manager, _group_spec('soft-anti-affinity'), count=3)]
    assert sorted(hosts[:2]) == ['host1', 'host2']


def test_forced_host_skips_the_filters():
    nodes = _ram_hosts(8 * GB, 2 * GB, 8 * GB)
    nodes[1]['service_disabled'] = True
    manager = _scheduler(*nodes)
    spec = make_spec()
    spec['force_hosts'] = ['host2']
    [[chosen]] = _select(manager, spec)
    assert chosen['host'] == 'host2'
    spec['force_hosts'] = ['host9']
    with pytest.raises(exception.NoValidHost,
                       match='force_hosts 3 -> 0: no known host matches '
                             'the forced host9'):
        _select(manager, spec)


def test_forced_node_narrows_to_that_node():
    nodes = _ram_hosts(8 * GB, 2 * GB)
    nodes[1]['host'] = 'host1'
    manager = _scheduler(*nodes)
    spec = make_spec()
    spec['force_hosts'] = ['host1']
    spec['force_nodes'] = ['node2']
    [[chosen]] = _select(manager, spec)
    assert chosen['nodename'] == 'node2'


def test_unknown_enabled_filter_fails_at_start():
    CONF.set_override('enabled_filters', ['ComputeFilter', 'NoSuchFilter'],
                      group='filter_scheduler')
    with pytest.raises(ValueError, match='NoSuchFilter'):
        _scheduler()


def test_a_thousand_hosts_are_scheduled_in_milliseconds():
    nodes = [make_node(i, memory_mb=1024 * (1 + i % 64),
                       vcpus_used=i % 9) for i in range(1, 1001)]
    manager = _scheduler(*nodes)
    _select(manager, make_spec())
    spec = make_spec(memory_mb=4096, vcpus=2)
    start = time.perf_counter()
    for _ in range(10):
        manager.driver.select_destinations(None, spec, ['one'])
    per_request = (time.perf_counter() - start) / 10
    # Generous bound for slow CI machines; typically ~2 ms.
    assert per_request < 0.05


def test_decisions_latency_and_the_filter_that_emptied_are_counted():
    from common import metrics
    from tests.unit.common.test_metrics import value
    CONF.set_override('enabled', True, group='metrics')
    metrics.reset()
    metrics.setup()
    try:
        nodes = _ram_hosts(4 * GB, 1 * GB)
        nodes[0]['service_disabled'] = True
        manager = _scheduler(*nodes)
        _select(manager, make_spec(memory_mb=512))
        for _ in range(2):
            with pytest.raises(exception.NoValidHost):
                _select(manager, make_spec(memory_mb=2 * GB))
        with pytest.raises(exception.NoValidHost):
            _select(_scheduler(), make_spec())
        text = metrics.exposition()[0].decode()
    finally:
        metrics.reset()
        CONF.clear_override('enabled', group='metrics')
    assert value(text, 'nova_scheduler_decisions_total',
                 result='placed') == 1
    assert value(text, 'nova_scheduler_decisions_total',
                 result='no_valid_host') == 3
    # RamFilter kept the disabled big host; ComputeFilter dropped it.
    assert value(text, 'nova_scheduler_no_valid_host_total',
                 filter='ComputeFilter') == 2
    assert value(text, 'nova_scheduler_no_valid_host_total',
                 filter='no_hosts') == 1
    assert value(text, 'nova_scheduler_seconds_count') == 4


def _requesting(host, **flavor):
    return dict(make_spec(**flavor), requested_host=host)


@pytest.mark.parametrize('use_arrays', [True, False])
def test_a_requested_host_is_the_only_candidate_and_still_filtered(
        use_arrays):
    manager = _scheduler(*_ram_hosts(8 * GB, 2 * GB, 4 * GB))
    manager.driver.use_arrays = use_arrays
    [selections] = _select(manager, _requesting('host3'))
    assert [s['host'] for s in selections] == ['host3']
    # It gets no favour: a host without room is refused by RamFilter.
    with pytest.raises(exception.NoValidHost) as raised:
        _select(manager, _requesting('host2', memory_mb=3 * GB))
    assert 'requested_host 3 -> 1, RamFilter 1 -> 0' in str(raised.value)
    with pytest.raises(exception.NoValidHost) as raised:
        _select(manager, _requesting('elsewhere'))
    assert ('requested_host 3 -> 0: the requested host elsewhere is not a '
            'known, up compute host') in str(raised.value)
