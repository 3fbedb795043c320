"""nova-api's /healthcheck against real daemons: a conductor on
PostgreSQL and RabbitMQ, the conductor killed and back, a node drained by
file, and an API whose broker is unreachable."""

import os
import subprocess
import time

import pytest
import requests

from tests.functional import deployment as deployment_mod

BROKER_UP = 'The message broker is reachable.'
CONDUCTOR_UP = 'A conductor answers and reaches the database.'


@pytest.fixture(scope='module')
def dep():
    d = deployment_mod.Deployment('postgresql', compute_hosts=())
    d.drain_flag = os.path.join(d.dir, 'drain')
    # Every poll checks again; a missing conductor is told within 5 s
    # (1 s was too short for a first call on a loaded CI machine).
    d.extra_conf = ('[healthcheck]\ncache_seconds = 0\ntimeout = 5\n'
                    'backends = conductor,message_broker,disable_by_file\n'
                    'disable_by_file_path = %s\n' % d.drain_flag)
    d.start()
    yield d
    d.stop()


def health(url, token=None, accept='text/plain'):
    headers = {'Accept': accept}
    if token:
        headers['X-Auth-Token'] = token
    return requests.get(url + '/healthcheck', headers=headers, timeout=30)


def _wait_for_status(url, code, timeout=60):
    deadline = time.monotonic() + timeout
    while True:
        resp = health(url)
        if resp.status_code == code or time.monotonic() > deadline:
            return resp
        time.sleep(0.2)


def test_healthy_deployment(dep):
    resp = health(dep.api)
    assert resp.status_code == 200, resp.text
    # disable_by_file says OK while its file is absent.
    assert resp.text.splitlines() == [CONDUCTOR_UP, BROKER_UP, 'OK']
    detailed = health(dep.api, token='admin:admin',
                      accept='application/json').json()
    details = {r['reason']: r['details'] for r in detailed['reasons']}
    assert details[CONDUCTOR_UP].startswith('postgresql answered in ')
    assert details[BROKER_UP] == '127.0.0.1:5672 reachable'
    assert health(dep.api, token='bob:p2').status_code == 403


def test_a_drained_node_fails_until_the_file_goes(dep):
    open(dep.drain_flag, 'w').close()
    try:
        resp = health(dep.api)
        assert resp.status_code == 503
        assert 'DISABLED BY FILE' in resp.text
    finally:
        os.unlink(dep.drain_flag)
    assert health(dep.api).status_code == 200


def test_a_dead_conductor_is_a_503_until_it_is_back(dep):
    dep.kill('conductor', tree=True)
    started = time.monotonic()
    resp = health(dep.api)
    assert time.monotonic() - started < 10
    assert resp.status_code == 503
    assert resp.text.splitlines() == ['No conductor answered.', BROKER_UP,
                                      'OK']
    dep.restart('conductor')
    resp = _wait_for_status(dep.api, 200)
    assert resp.status_code == 200, resp.text


def test_an_api_whose_broker_is_unreachable(dep, tmp_path):
    port = deployment_mod._free_port()
    closed = deployment_mod._free_port()
    conf = tmp_path / 'broken-broker.conf'
    conf.write_text('[DEFAULT]\ntransport_url = rabbit://guest:guest@'
                    '127.0.0.1:%d/\nosapi_compute_listen_port = %d\n'
                    % (closed, port))
    url = 'http://127.0.0.1:%d' % port
    log = open(tmp_path / 'api.log', 'w')
    proc = subprocess.Popen(
        [os.path.join(deployment_mod.BIN, 'nova-api'), '--config-file',
         dep.conf, '--config-file', str(conf)], stdout=log,
        stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                resp = health(url)
                break
            except requests.ConnectionError:
                assert proc.poll() is None, (tmp_path / 'api.log').read_text()
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert resp.status_code == 503
        assert resp.text.splitlines() == [
            'No conductor answered.', 'The message broker is unreachable.',
            'OK']
        detailed = health(url, token='admin:admin',
                          accept='application/json').json()
        assert detailed['reasons'][1]['details'].startswith(
            '127.0.0.1:%d unreachable (' % closed)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
