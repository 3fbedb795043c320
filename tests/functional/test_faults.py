"""Faults during a boot burst, over separate daemons (issue 16).

One deployment per backend (PostgreSQL, MySQL): nova-api, two conductors
of two workers each, two schedulers, two computes with room for 25% more
than a burst. Each test boots BOOTS servers from CLIENTS keep-alive
clients, injects its fault once 30% of the creates are answered, lets
the deployment settle, checks the invariants of faults/invariants.py,
deletes everything and checks that all was freed. A kill is a kill -9 of
the whole daemon (its workers too), restarted 2 s later as systemd's
RestartSec=2 does. The assertion message is the run's whole report.
"""

import collections
import threading
import time

import pytest

from tests.functional.faults import harness
from tests.functional.faults import inject
from tests.functional.faults import probe

BOOTS = 40
CLIENTS = 8


@pytest.fixture(scope='module', params=['postgresql', 'mysql'])
def env(request):
    fault_env = harness.FaultEnv.start(request.param, BOOTS)
    yield fault_env
    fault_env.stop()


def _assert_holds(report):
    print(report.text())
    assert not report.findings(), report.text()


def test_burst_without_a_fault_holds_every_invariant(env):
    # The harness's control: a healthy deployment passes every check.
    report = env.run(None, boots=BOOTS, clients=CLIENTS)
    assert report.active == BOOTS
    _assert_holds(report)


def test_conductor_killed_beside_another_loses_no_build(env):
    _assert_holds(env.run(env.kill(['conductor'], 'conductor'),
                          boots=BOOTS, clients=CLIENTS))


def test_sole_conductor_killed_and_restarted_loses_no_build(env):
    with env.without('conductor1'):
        _assert_holds(env.run(env.kill(['conductor'], 'conductor'),
                              boots=BOOTS, clients=CLIENTS))


def test_conductor_worker_killed_loses_no_build_and_holds_no_create(env):
    _assert_holds(env.run(inject.KillConductorWorker(env.dep),
                          boots=BOOTS, clients=CLIENTS))


def test_scheduler_killed_beside_another_loses_no_build(env):
    _assert_holds(env.run(env.kill(['scheduler'], 'scheduler'),
                          boots=BOOTS, clients=CLIENTS))


def test_sole_scheduler_killed_and_restarted_loses_no_build(env):
    with env.without('scheduler1'):
        _assert_holds(env.run(env.kill(['scheduler'], 'scheduler'),
                              boots=BOOTS, clients=CLIENTS))


def test_compute_killed_and_restarted_finishes_every_build_sent_to_it(env):
    host = env.dep.compute_hosts[0]
    report = env.run(env.kill([host], 'compute'), boots=BOOTS,
                     clients=CLIENTS)
    _assert_holds(report)


def test_api_killed_and_restarted_every_accepted_build_goes_active(env):
    report = env.run(env.kill(['api'], 'api'), boots=BOOTS, clients=CLIENTS)
    _assert_holds(report)


def test_broker_connections_closed_mid_burst_lose_nothing(env):
    _assert_holds(env.run(inject.CloseBrokerConnections(env.dep),
                          boots=BOOTS, clients=CLIENTS))


def test_database_connections_terminated_mid_burst_lose_nothing(env):
    _assert_holds(env.run(inject.TerminateDatabaseConnections(env.dep),
                          boots=BOOTS, clients=CLIENTS))


# Reads that each reach the conductor's database.
READS = ('/v2.1/servers/detail', '/v2.1/os-hypervisors/detail',
         '/v2.1/flavors/detail', '/v2.1/os-services')


def test_reads_while_database_connections_are_terminated_never_fail(env):
    # One client per read, in a loop, while the database drops every
    # connection of the deployment 10 times (each conductor worker's pool,
    # mid-query too): each read is answered, none with an error.
    fault = inject.TerminateDatabaseConnections(env.dep)
    answers = collections.Counter()
    failures = []
    stop = threading.Event()

    def read(path):
        reader = probe.ApiReader(env.dep.api)
        while not stop.is_set():
            resp = reader.request('GET', path)
            answers[resp.status_code] += 1
            if resp.status_code != 200:
                failures.append((path, resp.status_code, resp.text[:300]))
    threads = [threading.Thread(target=read, args=(path,)) for path in READS]
    for thread in threads:
        thread.start()
    try:
        for _ in range(10):
            time.sleep(0.5)
            fault.inject()
    finally:
        stop.set()
        for thread in threads:
            thread.join(60)
    print(dict(answers), fault.injected)
    assert sum(answers.values()) > 40
    assert failures == []
