"""A filter of a deployment's own, loaded by dotted path (see the how-to in
nova_scheduler/filters/__init__.py)."""

import pytest

from common.conf import CONF
from common import exception
from nova_scheduler import filters
from nova_scheduler import manager as scheduler_manager
from tests.unit.nova_scheduler import (FakeConductor, make_aggregate,
                                       make_node, make_spec)


class RackFilter(filters.BaseHostFilter):
    """Passes, when the 'rack' scheduler hint is given, only hosts in an
    aggregate whose 'rack' metadata names that rack."""

    def host_passes(self, host_state, spec):
        rack = (spec.get('scheduler_hints') or {}).get('rack')
        return not rack or rack in host_state.aggregate_metadata.get(
            'rack', ())

    def explain(self, host_state, spec):
        return 'no host is in rack %s' % spec['scheduler_hints']['rack']


def _manager():
    nodes = [make_node(1, aggregates=[make_aggregate(1, rack='r1')]),
             make_node(2, aggregates=[make_aggregate(2, rack='r2')]),
             make_node(3)]
    return scheduler_manager.SchedulerManager(
        conductor_api=FakeConductor(nodes))


def _spec(rack=None):
    spec = make_spec()
    if rack:
        spec['scheduler_hints'] = {'rack': rack}
    return spec


@pytest.fixture
def rack_filter_enabled():
    CONF.set_override('available_filters', [
        'nova_scheduler.filters.all_filters',
        'tests.unit.nova_scheduler.test_custom_filter.RackFilter'],
        group='filter_scheduler')
    CONF.set_override('enabled_filters', ['ComputeFilter', 'RamFilter',
                                          'RackFilter'],
                      group='filter_scheduler')


def test_custom_filter_loaded_from_available_filters(rack_filter_enabled):
    manager = _manager()
    assert [f.name() for f in manager.driver.filters] == [
        'ComputeFilter', 'RamFilter', 'RackFilter']
    [[chosen, *_alternates]] = manager.select_destinations(
        None, _spec('r2'), ['instance-1'])
    assert chosen['host'] == 'host2'
    # Without the hint the filter keeps every host.
    [selections] = manager.select_destinations(None, _spec(), ['instance-2'])
    assert len(selections) == 3


def test_custom_filter_explains_no_valid_host(rack_filter_enabled):
    with pytest.raises(exception.NoValidHost,
                       match='RackFilter 3 -> 0: no host is in rack r9'):
        _manager().select_destinations(None, _spec('r9'), ['instance-1'])


def test_custom_filter_must_be_available_to_be_enabled():
    CONF.set_override('enabled_filters', ['RackFilter'],
                      group='filter_scheduler')
    with pytest.raises(ValueError, match='RackFilter'):
        _manager()
