"""Ram/Core/Disk filters and their Aggregate* names: per-aggregate ratios."""

import pytest

from nova_scheduler.filters import aggregate_core_filter
from nova_scheduler.filters import aggregate_disk_filter
from nova_scheduler.filters import aggregate_ram_filter
from nova_scheduler.filters import core_filter
from nova_scheduler.filters import disk_filter
from nova_scheduler.filters import ram_filter
from tests.unit.nova_scheduler import make_aggregate, make_host, make_spec

# (filter classes, ratio key, node with 4 units of the resource, spec
# asking for n units)
CASES = [
    ((ram_filter.RamFilter, aggregate_ram_filter.AggregateRamFilter),
     'ram_allocation_ratio', {'memory_mb': 4096},
     lambda n: make_spec(memory_mb=1024 * n)),
    ((core_filter.CoreFilter, aggregate_core_filter.AggregateCoreFilter),
     'cpu_allocation_ratio', {'vcpus': 4}, lambda n: make_spec(vcpus=n)),
    ((disk_filter.DiskFilter, aggregate_disk_filter.AggregateDiskFilter),
     'disk_allocation_ratio', {'local_gb': 4}, lambda n: make_spec(root_gb=n)),
]
PARAMS = [(cls, key, node, spec) for classes, key, node, spec in CASES
          for cls in classes]


def _host(key, node, *ratios):
    node = dict(node, **{key: 1.0})
    return make_host(1, aggregates=[
        make_aggregate(i, **{key: ratio}) for i, ratio in enumerate(ratios)],
        **node)


@pytest.mark.parametrize('cls,key,node,spec', PARAMS)
def test_node_ratio_applies_without_aggregate_ratio(cls, key, node, spec):
    host = _host(key, node)
    assert cls().host_passes(host, spec(4))
    assert not cls().host_passes(host, spec(5))


@pytest.mark.parametrize('cls,key,node,spec', PARAMS)
def test_aggregate_ratio_overrides_the_node_ratio(cls, key, node, spec):
    host = _host(key, node, 2.0)
    assert cls().host_passes(host, spec(8))
    assert not cls().host_passes(host, spec(9))


@pytest.mark.parametrize('cls,key,node,spec', PARAMS)
def test_smallest_ratio_of_several_aggregates_wins(cls, key, node, spec):
    host = _host(key, node, 3.0, 1.5, 2.0)
    assert cls().host_passes(host, spec(6))
    assert not cls().host_passes(host, spec(7))


@pytest.mark.parametrize('cls,key,node,spec', PARAMS)
def test_non_numeric_aggregate_ratio_is_ignored(cls, key, node, spec):
    host = _host(key, node, 'lots', 2.0)
    assert cls().host_passes(host, spec(8))
    assert not cls().host_passes(host, spec(9))
    assert not cls().host_passes(_host(key, node, 'lots'), spec(5))


def test_aggregate_ratio_reaches_the_claim_limits():
    host = make_host(1, memory_mb=4096, vcpus=4, local_gb=10, aggregates=[
        make_aggregate(1, ram_allocation_ratio=1.5, cpu_allocation_ratio=4,
                       disk_allocation_ratio=2)])
    assert host.limits() == {'vcpu': 16, 'memory_mb': 6144, 'disk_gb': 20}


def test_aggregate_filter_explains_with_its_own_name():
    f = aggregate_ram_filter.AggregateRamFilter()
    host = make_host(1, memory_mb=4096, aggregates=[
        make_aggregate(1, ram_allocation_ratio=0.5)])
    assert f.name() == 'AggregateRamFilter'
    assert f.explain_rejection([host], make_spec(memory_mb=4096)) == (
        'the best host has 2048 MB RAM free, 4096 MB requested')
