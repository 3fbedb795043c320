"""AvailabilityZoneFilter: zones come from aggregates, else the default."""

from common.conf import CONF
from nova_scheduler.filters import availability_zone_filter
from tests.unit.nova_scheduler import make_aggregate, make_host, make_spec

AZ = availability_zone_filter.AvailabilityZoneFilter


def _spec(zone):
    spec = make_spec()
    spec['availability_zone'] = zone
    return spec


def _in_zone(zone, node_id=1):
    return make_host(node_id, aggregates=[
        make_aggregate(1, availability_zone=zone)])


def test_any_host_passes_when_no_zone_is_requested():
    assert AZ().host_passes(_in_zone('az1'), _spec(None))


def test_host_passes_when_an_aggregate_puts_it_in_the_zone():
    host = make_host(1, aggregates=[
        make_aggregate(1, ssd='true'),
        make_aggregate(2, availability_zone='az1')])
    assert AZ().host_passes(host, _spec('az1'))
    assert not AZ().host_passes(host, _spec('az2'))


def test_host_in_no_zone_is_in_the_default_zone():
    assert AZ().host_passes(make_host(1), _spec('nova'))
    assert not AZ().host_passes(make_host(1), _spec('az1'))
    CONF.set_override('default_availability_zone', 'az1')
    assert AZ().host_passes(make_host(1), _spec('az1'))


def test_host_in_a_named_zone_is_not_in_the_default_zone():
    assert not AZ().host_passes(_in_zone('az1'), _spec('nova'))


def test_explains_the_requested_and_available_zones():
    hosts = [_in_zone('az1', 1), _in_zone('az2', 2), make_host(3)]
    assert AZ().filter_all(hosts, _spec('az3')) == []
    assert AZ().explain_rejection(hosts, _spec('az3')) == (
        "no host is in availability zone 'az3' (the hosts left are in: "
        "az1, az2, nova)")
