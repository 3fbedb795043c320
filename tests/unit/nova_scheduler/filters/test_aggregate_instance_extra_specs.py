"""AggregateInstanceExtraSpecsFilter: flavor extra specs vs aggregate
metadata."""

import pytest

from nova_scheduler.filters import aggregate_instance_extra_specs
from tests.unit.nova_scheduler import make_aggregate, make_host, make_spec

AIES = aggregate_instance_extra_specs.AggregateInstanceExtraSpecsFilter
SCOPE = 'aggregate_instance_extra_specs:'


def _spec(**extra_specs):
    return make_spec(extra_specs=extra_specs)


def _host(*aggregates):
    return make_host(1, aggregates=list(aggregates))


def test_flavor_without_extra_specs_takes_any_host():
    assert AIES().host_passes(_host(), _spec())


@pytest.mark.parametrize('extra_specs,passes', [
    ({SCOPE + 'ssd': 'true'}, True),
    ({SCOPE + 'ssd': 'false'}, False),
    ({SCOPE + 'ssd': '<or> false <or> true'}, True),
    ({SCOPE + 'speed': '>= 10'}, True),
    ({SCOPE + 'speed': '= 40'}, False),
    ({SCOPE + 'tier': 's!= bronze'}, True),
    ({SCOPE + 'gpu': 'true'}, False),          # metadata key missing
    ({'ssd': 'true'}, True),                   # unscoped: also checked
    ({'ssd': 'false'}, False),
    ({'hw:cpu_policy': 'dedicated'}, True),    # other scopes ignored
    ({'capabilities:hypervisor_type': 'xen'}, True),
])
def test_extra_specs_against_aggregate_metadata(extra_specs, passes):
    host = _host(make_aggregate(1, ssd='true', speed='25', tier='gold'))
    assert AIES().host_passes(host, _spec(**extra_specs)) is passes


def test_host_in_no_aggregate_fails_a_scoped_extra_spec():
    assert not AIES().host_passes(_host(), _spec(**{SCOPE + 'ssd': 'true'}))


def test_any_aggregate_of_the_host_may_meet_the_spec():
    host = _host(make_aggregate(1, tier='gold'),
                 make_aggregate(2, tier='silver, bronze'))
    for tier in ('gold', 'silver', 'bronze'):
        assert AIES().host_passes(host, _spec(**{SCOPE + 'tier': tier}))
    assert not AIES().host_passes(host, _spec(**{SCOPE + 'tier': 'iron'}))


def test_explains_the_unmet_extra_spec():
    host = _host(make_aggregate(1, ssd='false'))
    assert AIES().explain_rejection(
        [host], _spec(**{SCOPE + 'ssd': 'true'})) == (
        "the flavor asks aggregate_instance_extra_specs:ssd='true', the best "
        "host's aggregates have ssd=false")
    assert AIES().explain_rejection([_host()], _spec(gpu='1')) == (
        "the flavor asks gpu='1', the best host's aggregates have no gpu")
