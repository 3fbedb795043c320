"""/healthcheck: oslo.middleware's views over nova's conductor and broker
checks, the admin's detailed view, and the result cache."""

import socket
import threading
import time

import falcon.testing
import oslo_messaging as messaging
import pytest

from common import exception
from common import rpc
from common.conf import CONF
from nova_api import app as api_app
from nova_api import healthcheck
from tests.unit.nova_api.test_app import FakeConductor

UP = {'dialect': 'postgresql', 'ms': 1.5}


class CheckedConductor:
    """What the conductor check calls: check_database's answer or error."""

    def __init__(self, answer=UP):
        self.answer = answer
        self.calls = 0

    def check_database(self, ctxt, timeout=None):
        self.calls += 1
        assert timeout == CONF.healthcheck.timeout
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.fixture
def conductor(monkeypatch):
    fake = CheckedConductor()
    monkeypatch.setattr(healthcheck, '_conductor', fake)
    monkeypatch.setattr(rpc, 'TRANSPORT_URL', 'inproc://')
    # Fresh caches, and every request checks again unless a test says.
    monkeypatch.setattr(healthcheck, '_CONDUCTOR', healthcheck.Remembered(
        healthcheck.check_conductor, healthcheck.NO_CONDUCTOR))
    monkeypatch.setattr(healthcheck, '_BROKER', healthcheck.Remembered(
        healthcheck.check_message_broker, healthcheck.NO_BROKER))
    CONF.set_override('cache_seconds', 0, group='healthcheck')
    yield fake
    CONF.clear_override('cache_seconds', group='healthcheck')


@pytest.fixture
def client(conductor):
    return falcon.testing.TestClient(api_app.create_app(FakeConductor()))


def test_without_a_token_the_brief_view_says_what_passed(client):
    resp = client.simulate_get('/healthcheck')
    assert resp.status_code == 200
    assert resp.text.splitlines() == [
        'A conductor answers and reaches the database.',
        'Messaging is inproc (no broker).']
    # No details (dialect, hosts, threads) for an anonymous caller.
    assert 'postgresql' not in resp.text
    resp = client.simulate_get('/healthcheck',
                               headers={'Accept': 'application/json'})
    assert resp.json == {'detailed': False, 'reasons': [
        'A conductor answers and reaches the database.',
        'Messaging is inproc (no broker).']}
    assert client.simulate_head('/healthcheck').status_code == 204
    # keystoneauth1's `none` plugin token is no token.
    assert client.simulate_get('/healthcheck', headers={
        'X-Auth-Token': 'notused'}).status_code == 200


@pytest.mark.parametrize('error,reason', [
    (exception.DatabaseUnavailable(reason='lost'),
     'The conductor cannot reach the database.'),
    (exception.ServiceUnavailable(service='nova-conductor', reason='x'),
     'No conductor answered.'),
    (messaging.MessagingTimeout('no reply'), 'No conductor answered.'),
])
def test_a_failed_check_is_a_503_with_its_reason(client, conductor,
                                                 error, reason):
    conductor.answer = error
    resp = client.simulate_get('/healthcheck')
    assert resp.status_code == 503
    assert reason in resp.text.splitlines()
    assert client.simulate_head('/healthcheck').status_code == 503


def test_a_conductor_older_than_1_23_answered_a_ping(client, conductor):
    conductor.answer = None
    resp = client.simulate_get('/healthcheck')
    assert resp.status_code == 200
    assert resp.text.splitlines()[0] == 'A conductor answers.'


def test_an_admin_token_gets_the_detailed_view(client):
    resp = client.simulate_get('/healthcheck', headers={
        'X-Auth-Token': 'admin:admin', 'Accept': 'application/json'})
    assert resp.status_code == 200, resp.text
    assert resp.json['detailed'] is True
    assert [(r['reason'], r['details']) for r in resp.json['reasons']] == [
        ('A conductor answers and reaches the database.',
         'postgresql answered in 1.5 ms'),
        ('Messaging is inproc (no broker).', '')]
    assert resp.json['threads']
    assert resp.headers['x-openstack-request-id'].startswith('req-')


def test_a_member_token_is_refused_the_detailed_view(client):
    resp = client.simulate_get('/healthcheck', headers={
        'X-Auth-Token': 'bob:p2'})
    assert resp.status_code == 403
    assert resp.json['forbidden']['message'] == (
        "Policy doesn't allow os_compute_api:os-healthcheck:detailed to "
        "be performed.")


def test_the_detailed_view_fails_as_the_brief_one(client, conductor):
    conductor.answer = exception.DatabaseUnavailable(reason='lost')
    resp = client.simulate_get('/healthcheck', headers={
        'X-Auth-Token': 'admin:admin', 'Accept': 'application/json'})
    assert resp.status_code == 503
    assert resp.json['reasons'][0]['details'].startswith(
        'The database is unavailable (lost)')


def test_disable_by_file_drains_the_node(conductor, tmp_path):
    flag = tmp_path / 'drain'
    CONF.set_override('backends', ['conductor', 'message_broker',
                                   'disable_by_file'], group='healthcheck')
    CONF.set_override('disable_by_file_path', str(flag),
                      group='healthcheck')
    try:
        client = falcon.testing.TestClient(
            api_app.create_app(FakeConductor()))
        assert client.simulate_get('/healthcheck').status_code == 200
        flag.write_text('')
        resp = client.simulate_get('/healthcheck')
        assert resp.status_code == 503
        assert 'DISABLED BY FILE' in resp.text
    finally:
        CONF.clear_override('backends', group='healthcheck')
        CONF.clear_override('disable_by_file_path', group='healthcheck')


def test_results_are_reused_for_cache_seconds(conductor):
    CONF.set_override('cache_seconds', 2, group='healthcheck')
    now = [0.0]
    remembered = healthcheck.Remembered(healthcheck.check_conductor,
                                        'late', clock=lambda: now[0])
    for t in (0.0, 1.0, 1.9):
        now[0] = t
        assert remembered.get().available
    assert conductor.calls == 1
    now[0] = 2.0
    conductor.answer = exception.DatabaseUnavailable(reason='lost')
    assert not remembered.get().available
    assert conductor.calls == 2


def test_concurrent_polls_run_one_check(conductor):
    CONF.set_override('cache_seconds', 5, group='healthcheck')
    slow = threading.Event()

    def check():
        slow.wait(0.2)
        return healthcheck.check_conductor()
    remembered = healthcheck.Remembered(check, 'late')
    threads = [threading.Thread(target=remembered.get) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert conductor.calls == 1


def test_an_unreachable_broker_is_reported_with_its_hosts(monkeypatch):
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    closed_port = listener.getsockname()[1]
    listener.close()
    monkeypatch.setattr(rpc, 'TRANSPORT_URL',
                        'rabbit://u:secret@127.0.0.1:%d/' % closed_port)
    CONF.set_override('timeout', 1, group='healthcheck')
    try:
        started = time.monotonic()
        result = healthcheck.check_message_broker()
    finally:
        CONF.clear_override('timeout', group='healthcheck')
    assert time.monotonic() - started < 5
    assert (result.available, result.reason) == (
        False, 'The message broker is unreachable.')
    assert result.details.startswith('127.0.0.1:%d unreachable (' %
                                     closed_port)
    assert 'secret' not in result.details


def test_nova_checks_are_the_default_backends():
    assert CONF.healthcheck.backends == ['conductor', 'message_broker']


def test_a_check_that_breaks_is_a_503_not_a_500(client, conductor):
    conductor.answer = KeyError('dialect')
    resp = client.simulate_get('/healthcheck')
    assert resp.status_code == 503
    assert 'A health check failed unexpectedly.' in resp.text.splitlines()


def test_a_check_that_hangs_answers_late_and_runs_once(conductor):
    CONF.set_override('timeout', 0.1, group='healthcheck')
    release = threading.Event()
    calls = []

    def hanging():
        calls.append(1)
        release.wait(10)
        return healthcheck.Result(True, 'fine')
    remembered = healthcheck.Remembered(hanging, 'No conductor answered.')
    try:
        for _ in range(3):
            started = time.monotonic()
            result = remembered.get()
            assert time.monotonic() - started < 3
            assert (result.available, result.reason, result.details) == (
                False, 'No conductor answered.', 'No answer in 1.1 s.')
        # Still the first check: the polls did not pile up threads.
        assert calls == [1]
        release.set()
        remembered.running.join(5)
        assert remembered.get().reason == 'fine'
    finally:
        release.set()
        CONF.clear_override('timeout', group='healthcheck')
