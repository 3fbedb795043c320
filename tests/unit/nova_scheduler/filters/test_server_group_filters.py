"""ServerGroupAffinityFilter and ServerGroupAntiAffinityFilter."""

from nova_scheduler.filters import server_group_affinity_filter
from nova_scheduler.filters import server_group_anti_affinity_filter
from tests.unit.nova_scheduler import make_group, make_host, make_spec

AFF = server_group_affinity_filter.ServerGroupAffinityFilter
ANTI = server_group_anti_affinity_filter.ServerGroupAntiAffinityFilter


def _spec(group):
    spec = make_spec()
    spec['instance_group'] = group
    return spec


def _hosts():
    return [make_host(1, instances={'m1': {}}), make_host(2), make_host(3)]


def test_no_group_passes_every_host():
    for cls in (AFF, ANTI):
        assert len(cls().filter_all(_hosts(), make_spec())) == 3


def test_affinity_keeps_the_hosts_of_the_members():
    spec = _spec(make_group('affinity', hosts=['host1'], members=['m1']))
    assert [hs.host for hs in AFF().filter_all(_hosts(), spec)] == ['host1']
    assert not AFF().host_passes(_hosts()[1], spec)


def test_affinity_takes_any_host_for_the_first_member():
    spec = _spec(make_group('affinity'))
    assert len(AFF().filter_all(_hosts(), spec)) == 3


def test_filters_ignore_groups_of_other_policies():
    group = make_group('anti-affinity', hosts=['host1'], members=['m1'])
    assert len(AFF().filter_all(_hosts(), _spec(group))) == 3
    group = make_group('soft-anti-affinity', hosts=['host1'], members=['m1'])
    assert len(ANTI().filter_all(_hosts(), _spec(group))) == 3


def test_anti_affinity_rejects_hosts_holding_a_member():
    spec = _spec(make_group('anti-affinity', hosts=['host1'],
                            members=['m1']))
    assert [hs.host for hs in ANTI().filter_all(_hosts(), spec)] == [
        'host2', 'host3']


def test_anti_affinity_counts_members_found_in_host_instances():
    # The group's hosts list may lag; the host's instances say enough.
    spec = _spec(make_group('anti-affinity', members=['m1']))
    assert not ANTI().host_passes(_hosts()[0], spec)


def test_anti_affinity_allows_max_server_per_host_members():
    hosts = [make_host(1, instances={'m1': {}, 'm2': {}}),
             make_host(2, instances={'m3': {}})]
    group = make_group('anti-affinity', hosts=['host1', 'host1', 'host2'],
                       members=['m1', 'm2', 'm3'], max_server_per_host=2)
    assert [hs.host for hs in ANTI().filter_all(hosts, _spec(group))] == [
        'host2']
    group['rules']['max_server_per_host'] = 3
    assert len(ANTI().filter_all(hosts, _spec(group))) == 2


def test_explanations_name_the_group():
    spec = _spec(make_group('affinity', hosts=['host9'], members=['m9']))
    assert AFF().explain_rejection(_hosts(), spec) == (
        'server group group-1 (affinity) has its members on host9, which '
        'no host left is')
    spec = _spec(make_group('anti-affinity', hosts=['host1'], members=['m1']))
    assert ANTI().explain_rejection(_hosts()[:1], spec) == (
        'every host left already holds 1 member(s) of server group '
        'group-1, the most its anti-affinity policy allows per host')
