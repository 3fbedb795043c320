"""SameHostFilter, DifferentHostFilter and AllHostsFilter."""

from nova_scheduler.filters import all_hosts_filter
from nova_scheduler.filters import different_host_filter
from nova_scheduler.filters import same_host_filter
from tests.unit.nova_scheduler import make_host, make_spec

SAME = same_host_filter.SameHostFilter
DIFF = different_host_filter.DifferentHostFilter


def _spec(**hints):
    spec = make_spec()
    spec['scheduler_hints'] = hints
    return spec


def _hosts():
    return [make_host(1, instances={'i1': {}, 'i2': {}}),
            make_host(2, instances={'i3': {}}), make_host(3)]


def _names(hosts):
    return [hs.host for hs in hosts]


def test_without_hints_every_host_passes():
    assert len(SAME().filter_all(_hosts(), _spec())) == 3
    assert len(DIFF().filter_all(_hosts(), _spec())) == 3
    assert SAME().host_passes(_hosts()[2], _spec())
    assert DIFF().host_passes(_hosts()[2], _spec())


def test_same_host_keeps_hosts_holding_a_named_instance():
    assert _names(SAME().filter_all(_hosts(), _spec(same_host=['i2']))) == [
        'host1']
    assert _names(SAME().filter_all(
        _hosts(), _spec(same_host=['i1', 'i3']))) == ['host1', 'host2']
    # A single uuid, not a list, is accepted too.
    assert _names(SAME().filter_all(_hosts(), _spec(same_host='i3'))) == [
        'host2']


def test_different_host_drops_hosts_holding_a_named_instance():
    assert _names(DIFF().filter_all(
        _hosts(), _spec(different_host=['i1', 'i3']))) == ['host3']
    assert not DIFF().host_passes(_hosts()[1], _spec(different_host='i3'))


def test_explanations_name_the_instances():
    assert SAME().explain_rejection(_hosts(), _spec(same_host=['i9'])) == (
        'no host left holds any of the same_host instances (i9)')
    assert DIFF().explain_rejection(
        _hosts()[:1], _spec(different_host=['i1'])) == (
        'every host left holds one of the different_host instances (i1)')


def test_all_hosts_filter_passes_everything():
    f = all_hosts_filter.AllHostsFilter()
    assert f.host_passes(make_host(1, service_disabled=True), make_spec())
    assert len(f.filter_all(_hosts(), make_spec())) == 3
