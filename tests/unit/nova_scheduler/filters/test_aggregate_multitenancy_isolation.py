"""AggregateMultiTenancyIsolation: aggregates reserved for projects."""

from nova_scheduler.filters import aggregate_multitenancy_isolation
from tests.unit.nova_scheduler import make_aggregate, make_host, make_spec

AMTI = aggregate_multitenancy_isolation.AggregateMultiTenancyIsolation


def _spec(project_id):
    spec = make_spec()
    spec['project_id'] = project_id
    return spec


def test_host_in_no_reserved_aggregate_takes_any_project():
    assert AMTI().host_passes(make_host(1), _spec('p1'))
    host = make_host(1, aggregates=[make_aggregate(1, ssd='true')])
    assert AMTI().host_passes(host, _spec('p1'))


def test_reserved_host_takes_only_listed_projects():
    host = make_host(1, aggregates=[
        make_aggregate(1, filter_tenant_id='p1,p2')])
    assert AMTI().host_passes(host, _spec('p1'))
    assert AMTI().host_passes(host, _spec('p2'))
    assert not AMTI().host_passes(host, _spec('p3'))


def test_numbered_keys_and_several_aggregates_add_up():
    host = make_host(1, aggregates=[
        make_aggregate(1, filter_tenant_id='p1', filter_tenant_id_1='p2'),
        make_aggregate(2, filter_tenant_id_2='p3, p4'),
        make_aggregate(3, other='p5')])
    for project in ('p1', 'p2', 'p3', 'p4'):
        assert AMTI().host_passes(host, _spec(project))
    assert not AMTI().host_passes(host, _spec('p5'))


def test_explains_the_project_is_not_allowed():
    host = make_host(1, aggregates=[make_aggregate(1, filter_tenant_id='p1')])
    assert AMTI().filter_all([host], _spec('p9')) == []
    assert AMTI().explain_rejection([host], _spec('p9')) == (
        'every host left is in an aggregate reserved for other projects '
        '(filter_tenant_id), not project p9')
