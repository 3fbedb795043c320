"""RetryFilter: hosts already tried for the request are skipped."""

from nova_scheduler.filters import retry_filter
from tests.unit.nova_scheduler import make_host, make_spec


def test_passes_every_host_on_a_first_attempt():
    f = retry_filter.RetryFilter()
    assert f.host_passes(make_host(1), make_spec())
    assert f.filter_all([make_host(1), make_host(2)], make_spec())


def test_rejects_hosts_in_retry_hosts_by_name_or_host_node_pair():
    f = retry_filter.RetryFilter()
    spec = make_spec()
    spec['retry'] = {'num_attempts': 2, 'hosts': ['host1', ['host2', 'node2']]}
    hosts = [make_host(1), make_host(2), make_host(3),
             make_host(4, host='host2', hypervisor_hostname='other-node')]
    assert [hs.nodename for hs in f.filter_all(hosts, spec)] == [
        'node3', 'other-node']
    assert not f.host_passes(hosts[0], spec)


def test_rejects_hosts_in_ignore_hosts():
    f = retry_filter.RetryFilter()
    spec = make_spec(ignore_hosts=['host2'])
    assert f.host_passes(make_host(1), spec)
    assert not f.host_passes(make_host(2), spec)


def test_explains_which_hosts_were_tried():
    spec = make_spec(ignore_hosts=['host1', 'host2'])
    text = retry_filter.RetryFilter().explain_rejection(
        [make_host(1), make_host(2)], spec)
    assert text == ('every host was already tried for this request '
                    '(host1, host2)')
