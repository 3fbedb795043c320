"""Rescue and unrescue on the test driver: API request -> settled, p50.

    python bench/rescue.py [--rounds 20] [--backend postgresql]

Starts the daemons (two libvirt test-driver computes, RabbitMQ and the
backend), boots --rounds servers one at a time (the boot p50, measured
in the same run as the baseline), then times on one server, one request
at a time, each of rescue -> RESCUE, unrescue -> ACTIVE, os-stop ->
SHUTOFF and os-start -> ACTIVE (task_state cleared), and a
trigger_crash_dump answer (202). Prints p50 and p95 of each in ms.
"""

import argparse
import os
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import requests  # noqa: E402

from tests.functional import deployment as deployment_mod  # noqa: E402

SESSION = requests.Session()
HEADERS = {'X-Auth-Token': 'admin:admin',
           'OpenStack-API-Version': 'compute 2.17'}


def api(dep, method, path, **kwargs):
    return SESSION.request(method, dep.api + path, headers=HEADERS,
                           timeout=30, **kwargs)


def settled(dep, server_id, status):
    while True:
        server = api(dep, 'GET', '/v2.1/servers/%s' % server_id).json(
            )['server']
        if server['status'] == status and \
                server['OS-EXT-STS:task_state'] is None:
            return
        if server['status'] == 'ERROR':
            raise SystemExit('server went to ERROR: %s' % server)
        time.sleep(0.005)


def timed(func):
    start = time.perf_counter()
    func()
    return (time.perf_counter() - start) * 1000


def action(dep, server_id, body, expect, status=None):
    def run():
        resp = api(dep, 'POST', '/v2.1/servers/%s/action' % server_id,
                   json=body)
        assert resp.status_code == expect, resp.text
        if status:
            settled(dep, server_id, status)
    return run


def boot(dep):
    resp = api(dep, 'POST', '/v2.1/servers', json={'server': {
        'name': 'bench', 'flavorRef': '1', 'imageRef': dep.image['id'],
        'networks': 'none'}})
    assert resp.status_code == 202, resp.text
    server_id = resp.json()['server']['id']
    settled(dep, server_id, 'ACTIVE')
    return server_id


def report(name, times):
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]
    print('%-22s p50 %7.1f ms  p95 %7.1f ms  (n=%d)' % (
        name, statistics.median(times), p95, len(times)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--rounds', type=int, default=20)
    parser.add_argument('--backend', default='postgresql')
    args = parser.parse_args()
    dep = deployment_mod.Deployment(
        args.backend, extra_conf='[DEFAULT]\nshutdown_timeout = 0\n')
    dep.start()
    try:
        resp = api(dep, 'PUT', '/v2.1/os-quota-sets/admin', json={
            'quota_set': {'instances': -1, 'cores': -1, 'ram': -1}})
        assert resp.status_code == 200, resp.text
        servers = []
        boots = []
        for _ in range(args.rounds):
            start = time.perf_counter()
            servers.append(boot(dep))
            boots.append((time.perf_counter() - start) * 1000)
        server_id = servers[0]
        results = {name: [] for name in (
            'rescue', 'unrescue', 'stop', 'start', 'trigger_crash_dump')}
        for _ in range(args.rounds):
            results['rescue'].append(timed(action(
                dep, server_id, {'rescue': None}, 200, 'RESCUE')))
            results['unrescue'].append(timed(action(
                dep, server_id, {'unrescue': None}, 202, 'ACTIVE')))
            results['stop'].append(timed(action(
                dep, server_id, {'os-stop': None}, 202, 'SHUTOFF')))
            results['start'].append(timed(action(
                dep, server_id, {'os-start': None}, 202, 'ACTIVE')))
            results['trigger_crash_dump'].append(timed(action(
                dep, server_id, {'trigger_crash_dump': None}, 202)))
        report('boot (baseline)', boots)
        for name, times in results.items():
            report(name, times)
    finally:
        dep.stop()


if __name__ == '__main__':
    main()
