"""The fault harness's checker finds each breach it is meant to find.

No deployment: the API's answers and each compute's domains are given,
so every invariant of faults/invariants.py is shown to fail when broken
(the fault tests themselves pass only when nothing is).
"""

import time

from tests.functional.faults import burst as burst_mod
from tests.functional.faults import invariants

TINY = {'id': '1', 'vcpus': 1, 'ram': 512, 'disk': 1}
RATIOS = {'cpu': 1.0, 'ram': 1.0, 'disk': 1.0}


class FakeDep:
    backend = 'fake'
    api = 'http://fake'
    compute_hosts = ['c1', 'c2']


class FakeReader:
    def __init__(self, servers, hypervisors):
        self._servers = servers
        self._hypervisors = hypervisors
        self.server_errors = []

    def servers(self):
        return self._servers

    def hypervisors(self):
        return self._hypervisors

    def get(self, path):
        assert path == '/v2.1/flavors/detail'
        return {'flavors': [TINY]}


class FakeProbe:
    def __init__(self, domains):
        self._domains = domains

    def domains(self, host):
        return set(self._domains.get(host, ()))


def _server(name, status='ACTIVE', host='c1', ip=None):
    return {'id': 'id-%s' % name, 'name': name, 'status': status,
            'OS-EXT-SRV-ATTR:host': host, 'OS-EXT-STS:task_state': None,
            'flavor': {'id': '1'}, 'fault': {'message': 'boom'},
            'addresses': {'private': [{'addr': ip or '10.0.0.%d' % (
                int(name.split('-')[1]) + 2)}]}}


def _hyp(count, vcpus=10):
    return {'vcpus': vcpus, 'memory_mb': vcpus * 512, 'local_gb': vcpus,
            'vcpus_used': count, 'memory_mb_used': count * 512,
            'local_gb_used': count, 'running_vms': count}


def _burst(answers):
    """A finished Burst whose clients got `answers`: [(status, name)]."""
    burst = burst_mod.Burst('http://fake', 'img', len(answers), prefix='b')
    for index, (status, name) in enumerate(answers):
        answer = burst_mod.Answer(index, name)
        answer.status = status
        answer.server_id = 'id-%s' % name if status == 202 else None
        burst.answers[index] = answer
    burst.finished = time.monotonic()
    return burst


def _check(burst, servers, hypervisors, domains, lost_hosts=()):
    checker = invariants.Checker(FakeDep(), FakeReader(servers, hypervisors),
                                 FakeProbe(domains), RATIOS, deadline=0)
    return checker.check(burst, lost_hosts=lost_hosts)


def test_a_clean_run_has_no_finding():
    servers = [_server('b-0'), _server('b-1', host='c2')]
    report = _check(_burst([(202, 'b-0'), (202, 'b-1')]), servers,
                    {'c1': _hyp(1), 'c2': _hyp(1)},
                    {'c1': ['id-b-0'], 'c2': ['id-b-1']})
    assert report.findings() == []
    assert report.active == 2


def test_stuck_lost_vanished_and_phantom_servers_are_each_found():
    servers = [_server('b-0', status='BUILD', host=None),
               _server('b-1', status='ERROR', host=None),
               _server('b-3'), _server('b-4', host='c2')]
    report = _check(
        _burst([(202, 'b-0'), (202, 'b-1'), (202, 'b-2'), (503, 'b-3'),
                (202, 'b-4')]), servers,
        {'c1': _hyp(1), 'c2': _hyp(1)}, {'c1': ['id-b-3'],
                                         'c2': ['id-b-4']})
    found = '\n'.join(report.findings())
    assert len(report.stuck) == 1 and 'b-0 BUILD' in report.stuck[0]
    assert report.lost == ['b-1 ERROR: boom', 'b-2 id-b-2 vanished']
    assert 'b-3 id-b-3 (ACTIVE) exists though its create got no 202' in found
    assert '1 API 5xx answers: b-3 -> 503' in found


def test_over_commit_and_usage_unlike_the_servers_placed_are_found():
    servers = [_server('b-0'), _server('b-1')]
    report = _check(_burst([(202, 'b-0'), (202, 'b-1')]), servers,
                    {'c1': _hyp(3, vcpus=2), 'c2': _hyp(0)},
                    {'c1': ['id-b-0', 'id-b-1']})
    assert 'c1: vcpus_used 3 > 2 x 1.0' in report.over_commit
    assert 'c1: running_vms 3, servers 2' in report.usage_mismatch


def test_orphan_missing_and_duplicate_domains_are_found():
    servers = [_server('b-0'), _server('b-1'), _server('b-2', 'ERROR')]
    report = _check(_burst([(202, 'b-0'), (202, 'b-1'), (202, 'b-2')]),
                    servers, {'c1': _hyp(2), 'c2': _hyp(0)},
                    {'c1': ['id-b-0', 'id-b-2'], 'c2': ['id-b-0']})
    assert [o.split(' ')[0] for o in report.orphan] == ['id-b-2', 'id-b-0']
    assert report.missing == ['b-1 id-b-1 on c1']
    assert report.duplicate_domains == ['id-b-0 on c1, c2']


def test_guests_of_a_killed_test_driver_host_are_counted_apart():
    servers = [_server('b-0', 'SHUTOFF'), _server('b-1', 'SHUTOFF', 'c2')]
    report = _check(_burst([(202, 'b-0'), (202, 'b-1')]), servers,
                    {'c1': _hyp(1), 'c2': _hyp(1)}, {}, lost_hosts={'c1'})
    assert report.lost_with_host == 1
    assert report.lost == ['b-1 SHUTOFF on c2']


def test_unanswered_creates_count_only_where_the_api_was_killed():
    servers = [_server('b-0'), _server('b-1')]
    burst = _burst([(202, 'b-0'), (burst_mod.UNKNOWN, 'b-1'),
                    (burst_mod.UNKNOWN, 'b-2')])
    hyps = {'c1': _hyp(2), 'c2': _hyp(0)}
    domains = {'c1': ['id-b-0', 'id-b-1']}
    report = _check(burst, servers, hyps, domains)
    assert report.unknown_created == 1
    assert any('2 creates without an answer' in f
               for f in report.findings())
    checker = invariants.Checker(FakeDep(), FakeReader(servers, hyps),
                                 FakeProbe(domains), RATIOS, deadline=0)
    assert checker.check(burst, expect_unknown=True).findings() == []


def test_a_fixed_ip_held_twice_is_found():
    servers = [_server('b-0', ip='10.0.0.5'), _server('b-1', ip='10.0.0.5')]
    report = _check(_burst([(202, 'b-0'), (202, 'b-1')]), servers,
                    {'c1': _hyp(2), 'c2': _hyp(0)},
                    {'c1': ['id-b-0', 'id-b-1']})
    assert report.duplicate_ips == ['10.0.0.5 x2']
