"""ServerGroupSoftAffinityWeigher and ServerGroupSoftAntiAffinityWeigher."""

from common.conf import CONF
from nova_scheduler import weighers
from nova_scheduler.weighers import soft_affinity
from nova_scheduler.weighers import soft_anti_affinity
from tests.unit.nova_scheduler import (make_aggregate, make_group, make_host,
                                       make_spec)

SOFT = soft_affinity.ServerGroupSoftAffinityWeigher
SOFT_ANTI = soft_anti_affinity.ServerGroupSoftAntiAffinityWeigher


def _hosts():
    # host1 holds two members, host2 one, host3 none.
    return [make_host(1, instances={'m1': {}, 'm2': {}}),
            make_host(2, instances={'m3': {}}), make_host(3)]


def _spec(policy):
    spec = make_spec()
    spec['instance_group'] = make_group(
        policy, hosts=['host1', 'host2'], members=['m1', 'm2', 'm3'])
    return spec


def _order(cls, spec, hosts=None):
    weighed = weighers.weigh_hosts([cls()], hosts or _hosts(), spec)
    return [(round(w, 2), hs.host) for w, hs in weighed]


def test_soft_affinity_prefers_hosts_with_more_members():
    assert _order(SOFT, _spec('soft-affinity')) == [
        (1.0, 'host1'), (0.5, 'host2'), (0.0, 'host3')]


def test_soft_anti_affinity_prefers_hosts_with_fewer_members():
    assert _order(SOFT_ANTI, _spec('soft-anti-affinity')) == [
        (1.0, 'host3'), (0.5, 'host2'), (0.0, 'host1')]


def test_other_policies_and_no_group_weigh_nothing():
    for spec in (make_spec(), _spec('affinity'), _spec('soft-affinity')):
        assert [w for w, _h in _order(SOFT_ANTI, spec)] == [0.0] * 3
    assert [w for w, _h in _order(SOFT, _spec('soft-anti-affinity'))] == [
        0.0] * 3


def test_members_counted_from_the_group_hosts_when_instances_lag():
    hosts = [make_host(1), make_host(2), make_host(3)]
    spec = make_spec()
    spec['instance_group'] = make_group('soft-anti-affinity',
                                        hosts=['host1', 'host1', 'host2'])
    assert [h for _w, h in _order(SOFT_ANTI, spec, hosts)] == [
        'host3', 'host2', 'host1']


def test_multipliers_from_options_and_aggregates():
    CONF.set_override('soft_affinity_weight_multiplier', 3.0,
                      group='filter_scheduler')
    assert _order(SOFT, _spec('soft-affinity'))[0] == (3.0, 'host1')
    hosts = _hosts()
    hosts[0] = make_host(1, instances={'m1': {}, 'm2': {}}, aggregates=[
        make_aggregate(1, soft_affinity_weight_multiplier=0.1)])
    assert _order(SOFT, _spec('soft-affinity'), hosts)[0] == (1.5, 'host2')
    CONF.set_override('soft_anti_affinity_weight_multiplier', 0.0,
                      group='filter_scheduler')
    assert [w for w, _h in _order(SOFT_ANTI, _spec('soft-anti-affinity'))] \
        == [0.0] * 3
