"""CPU, disk, I/O, instance-count and build-failure weighers."""

import pytest

from common.conf import CONF
from nova_scheduler import weighers
from nova_scheduler.weighers import build_failure
from nova_scheduler.weighers import cpu
from nova_scheduler.weighers import disk
from nova_scheduler.weighers import io_ops
from nova_scheduler.weighers import num_instances
from nova_scheduler.weighers import ram
from tests.unit.nova_scheduler import make_aggregate, make_host, make_spec

# weigher, its option, its default, node key varied, values (low to high
# measure) giving hosts host1..host3
CASES = [
    (cpu.CPUWeigher, 'cpu_weight_multiplier', 1.0, 'vcpus_used', [6, 0, 3]),
    (disk.DiskWeigher, 'disk_weight_multiplier', 1.0, 'local_gb_used',
     [60, 0, 30]),
    (io_ops.IoOpsWeigher, 'io_ops_weight_multiplier', -1.0, 'num_io_ops',
     [0, 6, 3]),
    (num_instances.NumInstancesWeigher, 'num_instances_weight_multiplier',
     0.0, 'num_instances', [0, 6, 3]),
    (build_failure.BuildFailureWeigher, 'build_failure_weight_multiplier',
     1000000.0, 'failed_builds', [6, 0, 3]),
]


def _hosts(key, values):
    return [make_host(i + 1, **{key: value}) for i, value in enumerate(values)]


def _order(weigher_classes, hosts):
    weighed = weighers.weigh_hosts([cls() for cls in weigher_classes], hosts,
                                   make_spec())
    return [hs.host for _w, hs in weighed]


@pytest.mark.parametrize('cls,option,default,key,values', CASES)
def test_default_multiplier_matches_nova(cls, option, default, key, values):
    assert getattr(CONF.filter_scheduler, option) == default
    assert cls().weight_multiplier(make_host(1)) == default


@pytest.mark.parametrize('cls,option,default,key,values', CASES)
def test_positive_multiplier_prefers_host2(cls, option, default, key,
                                           values):
    # host2 has the most free vCPUs / disk, the most I/O or instances, or
    # the fewest failed builds; host3 is in between.
    CONF.set_override(option, 2.0, group='filter_scheduler')
    assert _order([cls], _hosts(key, values)) == ['host2', 'host3', 'host1']


@pytest.mark.parametrize('cls,option,default,key,values', CASES)
def test_negative_multiplier_reverses_the_order(cls, option, default, key,
                                                values):
    CONF.set_override(option, -2.0, group='filter_scheduler')
    assert _order([cls], _hosts(key, values)) == ['host1', 'host3', 'host2']


@pytest.mark.parametrize('cls,option,default,key,values', CASES)
def test_aggregate_metadata_overrides_the_multiplier(cls, option, default,
                                                     key, values):
    hosts = _hosts(key, values)
    hosts[1] = make_host(2, aggregates=[make_aggregate(1, **{option: 0})],
                         **{key: values[1]})
    CONF.set_override(option, 1.0, group='filter_scheduler')
    # host2 scores best but its aggregate zeroes its multiplier.
    assert _order([cls], hosts) == ['host3', 'host1', 'host2']


def test_smallest_aggregate_multiplier_wins():
    host = make_host(1, aggregates=[
        make_aggregate(1, ram_weight_multiplier=3.0),
        make_aggregate(2, ram_weight_multiplier=-0.5),
        make_aggregate(3, ram_weight_multiplier='junk')])
    assert ram.RAMWeigher().weight_multiplier(host) == -0.5
    assert ram.RAMWeigher().weight_multipliers([host, make_host(2)]) == [
        -0.5, 1.0]


def test_io_ops_weigher_prefers_quiet_hosts_by_default():
    assert _order([io_ops.IoOpsWeigher], _hosts('num_io_ops', [4, 0, 2])) == [
        'host2', 'host3', 'host1']


def test_num_instances_weigher_is_off_by_default():
    hosts = _hosts('num_instances', [0, 6, 3])
    assert _order([num_instances.NumInstancesWeigher], hosts) == [
        'host1', 'host2', 'host3']


def test_one_failed_build_outweighs_any_free_ram():
    hosts = [make_host(1, memory_mb=65536, failed_builds=1),
             make_host(2, memory_mb=1024)]
    assert _order([ram.RAMWeigher, build_failure.BuildFailureWeigher],
                  hosts) == ['host2', 'host1']
    CONF.set_override('build_failure_weight_multiplier', 0.0,
                      group='filter_scheduler')
    assert _order([ram.RAMWeigher, build_failure.BuildFailureWeigher],
                  hosts) == ['host1', 'host2']


def test_every_shipped_weigher_names_a_registered_option():
    for cls in weighers.all_weighers():
        assert cls.multiplier_option in CONF.filter_scheduler, cls
