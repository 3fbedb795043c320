"""Boot benchmark: API -> ACTIVE latency and boots/s against real daemons.

Starts nova-api, nova-conductor, nova-scheduler and two nova-compute
processes (libvirt test driver) on RabbitMQ and PostgreSQL, boots N servers
with C concurrent clients, and prints p50/p95 latency and throughput.

    python bench/boot.py [--servers 300] [--concurrency 16] [--backend postgresql]
"""

import argparse
import concurrent.futures
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.functional import deployment as deployment_mod  # noqa: E402


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, int(round(pct / 100.0 * (len(ordered) - 1))))
    return ordered[index]


class ActiveWatcher(threading.Thread):
    """One poller for all servers, so polling load does not grow with N."""

    def __init__(self, dep, interval=0.005):
        super().__init__(daemon=True)
        self.dep = dep
        self.interval = interval
        self.seen = {}
        self.errors = set()
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            resp = self.dep.request('GET', '/v2.1/servers/detail?limit=1000'
                                    '&status=ACTIVE')
            now = time.perf_counter()
            for server in resp.json()['servers']:
                self.seen.setdefault(server['id'], now)
            err = self.dep.request('GET', '/v2.1/servers?status=ERROR')
            self.errors.update(s['id'] for s in err.json()['servers'])
            time.sleep(self.interval)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--servers', type=int, default=300)
    parser.add_argument('--concurrency', type=int, default=16)
    parser.add_argument('--sequential', type=int, default=50,
                        help='boots measured one at a time first')
    parser.add_argument('--backend', default='postgresql',
                        choices=['postgresql', 'mysql', 'sqlite'])
    args = parser.parse_args()

    dep = deployment_mod.Deployment(
        args.backend, host_vcpus=4096, host_memory_mb=4 * 1024 * 1024,
        host_local_gb=100000,
        extra_conf='[DEFAULT]\ndefault_log_levels = amqp=WARN,'
                   'nova_conductor=WARN,nova_compute=WARN,common=WARN\n'
                   '[quota]\ninstances = -1\ncores = -1\nram = -1\n')
    dep.start()
    try:
        # Warm up every path once.
        body = {'server': {'name': 'warm', 'flavorRef': '1',
                           'imageRef': dep.image['id']}}
        warm = dep.request('POST', '/v2.1/servers', json=body).json()
        dep.wait_for_server(warm['server']['id'])

        watcher = ActiveWatcher(dep)
        watcher.start()
        started = {}

        def boot(i):
            body = {'server': {'name': 'bench-%d' % i, 'flavorRef': '1',
                               'imageRef': dep.image['id'],
                               'networks': 'none'}}
            t0 = time.perf_counter()
            resp = dep.request('POST', '/v2.1/servers', json=body)
            assert resp.status_code == 202, resp.text
            started[resp.json()['server']['id']] = t0
            return time.perf_counter() - t0

        # Phase 1: one at a time, so latency is the path's, not a queue's.
        sequential = []
        for i in range(args.sequential):
            t0 = time.perf_counter()
            resp = dep.request('POST', '/v2.1/servers', json={'server': {
                'name': 'seq-%d' % i, 'flavorRef': '1',
                'imageRef': dep.image['id'], 'networks': 'none'}})
            server_id = resp.json()['server']['id']
            while True:
                server = dep.request('GET', '/v2.1/servers/%s'
                                     % server_id).json()['server']
                if server['status'] in ('ACTIVE', 'ERROR'):
                    break
                time.sleep(0.002)
            sequential.append(time.perf_counter() - t0)

        # Phase 2: a burst from concurrent clients, for throughput.
        t_start = time.perf_counter()
        with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
            api_times = list(pool.map(boot, range(args.servers)))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            done = [s for s in started if s in watcher.seen or
                    s in watcher.errors]
            if len(done) == len(started):
                break
            time.sleep(0.01)
        watcher.stop.set()
        watcher.join()
        for server_id in sorted(set(started) & watcher.errors)[:5]:
            fault = dep.request('GET', '/v2.1/servers/%s' % server_id).json(
                )['server'].get('fault', {})
            print('error: %s' % fault.get('message'))
        active = {s: watcher.seen[s] - t0 for s, t0 in started.items()
                  if s in watcher.seen}
        t_end = max(watcher.seen[s] for s in active)
        latencies = list(active.values())
        print('backend=%s servers=%d concurrency=%d' % (
            args.backend, args.servers, args.concurrency))
        print('active=%d error=%d' % (len(active), len(
            set(started) & watcher.errors)))
        print('sequential API -> ACTIVE  p50 %.1f ms  p95 %.1f ms (%d boots)'
              % (percentile(sequential, 50) * 1000,
                 percentile(sequential, 95) * 1000, len(sequential)))
        print('burst: POST /servers      p50 %.1f ms  p95 %.1f ms' % (
            percentile(api_times, 50) * 1000,
            percentile(api_times, 95) * 1000))
        print('burst: API -> ACTIVE      p50 %.1f ms  p95 %.1f ms  mean %.1f ms' % (
            percentile(latencies, 50) * 1000,
            percentile(latencies, 95) * 1000,
            statistics.mean(latencies) * 1000))
        print('burst: throughput         %.1f boots/s (%d in %.2f s)' % (
            len(active) / (t_end - t_start), len(active), t_end - t_start))
    finally:
        dep.stop()


if __name__ == '__main__':
    main()
