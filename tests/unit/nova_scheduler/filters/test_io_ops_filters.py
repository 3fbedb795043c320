"""IoOpsFilter and AggregateIoOpsFilter."""

from common.conf import CONF
from nova_scheduler.filters import aggregate_io_ops_filter
from nova_scheduler.filters import io_ops_filter
from tests.unit.nova_scheduler import make_aggregate, make_host, make_spec

IO = io_ops_filter.IoOpsFilter
AGG_IO = aggregate_io_ops_filter.AggregateIoOpsFilter


def test_passes_below_the_limit_of_eight_by_default():
    assert IO().host_passes(make_host(1, num_io_ops=7), make_spec())
    assert not IO().host_passes(make_host(1, num_io_ops=8), make_spec())


def test_num_io_ops_is_derived_from_instance_states_when_absent():
    building = {'vm_state': 'building', 'task_state': 'spawning'}
    busy = {'vm_state': 'active', 'task_state': 'rebuilding'}
    idle = {'vm_state': 'active', 'task_state': None}
    instances = dict({'b%d' % i: building for i in range(5)},
                     r1=busy, r2=busy, r3=busy, i1=idle)
    host = make_host(1, instances=instances)
    assert host.num_io_ops == 8
    assert not IO().host_passes(host, make_spec())


def test_option_sets_the_limit():
    CONF.set_override('max_io_ops_per_host', 2, group='filter_scheduler')
    assert IO().host_passes(make_host(1, num_io_ops=1), make_spec())
    assert not IO().host_passes(make_host(1, num_io_ops=2), make_spec())


def test_plain_filter_ignores_aggregate_limits():
    host = make_host(1, num_io_ops=3, aggregates=[
        make_aggregate(1, max_io_ops_per_host=2)])
    assert IO().host_passes(host, make_spec())
    assert not AGG_IO().host_passes(host, make_spec())


def test_aggregate_limit_overrides_the_option_and_smallest_wins():
    host = make_host(1, num_io_ops=4, aggregates=[
        make_aggregate(1, max_io_ops_per_host=20),
        make_aggregate(2, max_io_ops_per_host=5)])
    assert AGG_IO().host_passes(host, make_spec())
    host.num_io_ops = 5
    assert not AGG_IO().host_passes(host, make_spec())
    # Raised above the option by an aggregate too, not only lowered.
    roomy = make_host(1, num_io_ops=12, aggregates=[
        make_aggregate(1, max_io_ops_per_host=16)])
    assert AGG_IO().host_passes(roomy, make_spec())


def test_aggregate_filter_falls_back_to_the_option():
    CONF.set_override('max_io_ops_per_host', 3, group='filter_scheduler')
    host = make_host(1, num_io_ops=3, aggregates=[make_aggregate(1, x='y')])
    assert not AGG_IO().host_passes(host, make_spec())


def test_explains_the_least_busy_host():
    hosts = [make_host(1, num_io_ops=9), make_host(2, num_io_ops=12)]
    assert IO().explain_rejection(hosts, make_spec()) == (
        'the least busy host has 9 I/O operations under way, the most '
        'allowed is 8')
