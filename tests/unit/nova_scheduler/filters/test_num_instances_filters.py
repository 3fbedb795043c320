"""NumInstancesFilter and AggregateNumInstancesFilter."""

from common.conf import CONF
from nova_scheduler.filters import aggregate_num_instances_filter
from nova_scheduler.filters import num_instances_filter
from tests.unit.nova_scheduler import make_aggregate, make_host, make_spec

NUM = num_instances_filter.NumInstancesFilter
AGG_NUM = aggregate_num_instances_filter.AggregateNumInstancesFilter


def test_passes_below_fifty_by_default():
    assert NUM().host_passes(make_host(1, num_instances=49), make_spec())
    assert not NUM().host_passes(make_host(1, num_instances=50), make_spec())


def test_num_instances_falls_back_to_instances_then_running_vms():
    host = make_host(1, instances={'a': {}, 'b': {}}, running_vms=7)
    assert host.num_instances == 2
    assert make_host(1, running_vms=7).num_instances == 7


def test_option_sets_the_limit():
    CONF.set_override('max_instances_per_host', 2, group='filter_scheduler')
    assert NUM().host_passes(make_host(1, num_instances=1), make_spec())
    assert not NUM().host_passes(make_host(1, num_instances=2), make_spec())


def test_aggregate_limit_overrides_the_option_and_smallest_wins():
    host = make_host(1, num_instances=9, aggregates=[
        make_aggregate(1, max_instances_per_host=10),
        make_aggregate(2, max_instances_per_host=100)])
    assert AGG_NUM().host_passes(host, make_spec())
    assert NUM().host_passes(host, make_spec())
    host.num_instances = 10
    assert not AGG_NUM().host_passes(host, make_spec())
    roomy = make_host(1, num_instances=60, aggregates=[
        make_aggregate(1, max_instances_per_host=100)])
    assert AGG_NUM().host_passes(roomy, make_spec())
    assert not NUM().host_passes(roomy, make_spec())


def test_explains_the_emptiest_host():
    hosts = [make_host(1, num_instances=50), make_host(2, num_instances=70)]
    assert NUM().explain_rejection(hosts, make_spec()) == (
        'the emptiest host holds 50 instances, the most allowed is 50')
