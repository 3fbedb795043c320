"""Boot benchmark: API -> ACTIVE latency and boots/s against real daemons.

Starts nova-api, nova-conductor, nova-scheduler and two nova-compute
processes (libvirt test driver) on RabbitMQ and PostgreSQL, boots N servers
with C concurrent clients, and prints p50/p95 latency and throughput.

    python bench/boot.py [--servers 300] [--concurrency 16] [--backend postgresql]
                         [--conductor-workers N] [--profile DAEMON]

It prints the CPU each process used per boot during the burst, and the
whole machine's: on this 2-core machine 100 boots/s means at most 20 ms of
CPU per boot, everything included.
"""

import argparse
import concurrent.futures
import datetime
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psutil  # noqa: E402
import requests  # noqa: E402

from tests.functional import deployment as deployment_mod  # noqa: E402


def percentile(values, pct):
    ordered = sorted(values)
    index = min(len(ordered) - 1, int(round(pct / 100.0 * (len(ordered) - 1))))
    return ordered[index]


_local = threading.local()


def api(dep, method, path, **kwargs):
    """A request on this thread's keep-alive session, as real clients
    (openstacksdk, novaclient) send them."""
    session = getattr(_local, 'session', None)
    if session is None:
        session = _local.session = requests.Session()
    return session.request(method, dep.api + path, timeout=30,
                           headers={'X-Auth-Token': 'admin:admin'}, **kwargs)


class ActiveWatcher(threading.Thread):
    """One poller for all servers, so polling load does not grow with N.

    Each poll asks only for servers changed since shortly before the last
    poll, as a dashboard would, so the watcher's own load stays small next
    to the boots it measures."""

    def __init__(self, dep, interval=0.1):
        super().__init__(daemon=True)
        self.dep = dep
        self.interval = interval
        # MySQL's DATETIME keeps whole seconds.
        self.overlap = datetime.timedelta(
            seconds=2 if dep.backend == 'mysql' else 0.5)
        self.seen = {}
        self.errors = set()
        self.stop = threading.Event()

    def run(self):
        since = datetime.datetime.now(datetime.timezone.utc)
        while not self.stop.is_set():
            poll_start = datetime.datetime.now(datetime.timezone.utc)
            resp = api(self.dep, 'GET',
                       '/v2.1/servers/detail?limit=1000&changes-since=%s'
                       % urllib.parse.quote(since.isoformat()))
            now = time.perf_counter()
            for server in resp.json()['servers']:
                if server['status'] == 'ACTIVE':
                    self.seen.setdefault(server['id'], now)
                elif server['status'] == 'ERROR':
                    self.errors.add(server['id'])
            # Overlap the windows: a row committed during the last poll
            # may carry a timestamp from before it began.
            since = poll_start - self.overlap
            time.sleep(self.interval)


class CpuMeter:
    """CPU seconds used by each part of the deployment over an interval.

    Tells where a boot's time goes: our daemons, PostgreSQL, RabbitMQ, or
    this benchmark's own HTTP clients."""

    SERVICES = {'postgres': 'postgresql', 'beam.smp': 'rabbitmq',
                'mariadbd': 'mysql', 'mysqld': 'mysql'}

    def __init__(self, dep):
        self.dep = dep

    def _groups(self):
        groups = {}
        for name, (proc, _log) in self.dep.procs.items():
            # With worker processes (the conductor's), the workers count.
            parent = psutil.Process(proc.pid)
            groups[name] = [parent] + parent.children(recursive=True)
        groups['bench client'] = [psutil.Process()]
        counted = {p.pid for procs in groups.values() for p in procs}
        for proc in psutil.process_iter(['name']):
            if proc.pid in counted:
                continue
            # Anything else busy (kernel threads, py-spy...) shows by name.
            group = self.SERVICES.get(proc.info['name'],
                                      '(%s)' % proc.info['name'])
            groups.setdefault(group, []).append(proc)
        return groups

    def sample(self):
        totals = {}
        for name, procs in self._groups().items():
            for proc in procs:
                try:
                    times = proc.cpu_times()
                except psutil.Error:
                    continue
                totals[name] = totals.get(name, 0.0) + times.user + \
                    times.system
        # The whole machine too: PostgreSQL backends that come and go
        # between samples escape the per-process sums.
        machine = psutil.cpu_times()
        totals['(whole machine)'] = machine.user + machine.system + \
            machine.nice + machine.irq + machine.softirq
        return totals

    @staticmethod
    def report(before, after, boots):
        print('CPU during the burst (ms per boot):')
        used = {n: after[n] - before.get(n, 0.0) for n in after}
        machine = used.pop('(whole machine)')
        for name, secs in sorted(used.items(), key=lambda kv: -kv[1]):
            if secs * 1000 / boots >= 0.1:
                print('  %-18s %6.1f' % (name, secs * 1000 / boots))
        print('  %-18s %6.1f' % ('sum of the above',
                                 sum(used.values()) * 1000 / boots))
        print('  %-18s %6.1f' % ('whole machine', machine * 1000 / boots))


def run_sequential(dep, count, prefix='seq'):
    """Boot `count` servers one at a time, each polled until ACTIVE (or
    ERROR): the latencies in seconds, so they are the path's, not a
    queue's."""
    sequential = []
    for i in range(count):
        t0 = time.perf_counter()
        resp = api(dep, 'POST', '/v2.1/servers', json={'server': {
            'name': '%s-%d' % (prefix, i), 'flavorRef': '1',
            'imageRef': dep.image['id'], 'networks': 'none'}})
        assert resp.status_code == 202, resp.text
        server_id = resp.json()['server']['id']
        while True:
            server = api(dep, 'GET',
                         '/v2.1/servers/%s' % server_id).json()['server']
            if server['status'] in ('ACTIVE', 'ERROR'):
                break
            time.sleep(0.002)
        sequential.append(time.perf_counter() - t0)
    return sequential


def run_burst(dep, servers, concurrency, prefix='bench'):
    """Boot `servers` servers from `concurrency` clients at once and wait
    until all are ACTIVE or ERROR: a dict of api_times and latencies (s),
    active, error, started, seconds, boots_per_s and up to 5 faults."""
    watcher = ActiveWatcher(dep)
    watcher.start()
    started = {}

    def boot(i):
        body = {'server': {'name': '%s-%d' % (prefix, i), 'flavorRef': '1',
                           'imageRef': dep.image['id'],
                           'networks': 'none'}}
        t0 = time.perf_counter()
        resp = api(dep, 'POST', '/v2.1/servers', json=body)
        assert resp.status_code == 202, resp.text
        started[resp.json()['server']['id']] = t0
        return time.perf_counter() - t0

    t_start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        api_times = list(pool.map(boot, range(servers)))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        done = [s for s in started if s in watcher.seen or
                s in watcher.errors]
        if len(done) == len(started):
            break
        time.sleep(0.01)
    watcher.stop.set()
    watcher.join()
    failed = sorted(set(started) & watcher.errors)
    faults = [dep.request('GET', '/v2.1/servers/%s' % server_id).json(
              )['server'].get('fault', {}).get('message')
              for server_id in failed[:5]]
    active = {s: watcher.seen[s] - t0 for s, t0 in started.items()
              if s in watcher.seen}
    t_end = max([watcher.seen[s] for s in active] or [t_start])
    seconds = t_end - t_start
    return {'api_times': api_times, 'latencies': list(active.values()),
            'active': len(active), 'error': len(failed),
            'started': len(started), 'seconds': seconds,
            'boots_per_s': len(active) / seconds if seconds else 0.0,
            'faults': faults}


def py_spy():
    # pip puts py-spy beside this interpreter, which may not be on PATH.
    beside = os.path.join(os.path.dirname(sys.executable), 'py-spy')
    return beside if os.path.exists(beside) else 'py-spy'


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--servers', type=int, default=300)
    parser.add_argument('--concurrency', type=int, default=16)
    parser.add_argument('--sequential', type=int, default=50,
                        help='boots measured one at a time first')
    parser.add_argument('--backend', default='postgresql',
                        choices=['postgresql', 'mysql', 'sqlite'])
    parser.add_argument('--conductor-workers', type=int,
                        help='[conductor] workers (default: one per CPU)')
    parser.add_argument('--profile', metavar='DAEMON', action='append',
                        default=[],
                        help='record DAEMON (conductor, api, ...) with '
                             'py-spy during the burst; collapsed stacks go '
                             'to profile-DAEMON.txt (needs py-spy)')
    parser.add_argument('--conf', metavar='FILE', action='append',
                        default=[],
                        help='append FILE to every daemon\'s nova.conf '
                             '(to measure an option)')
    args = parser.parse_args()

    dep = deployment_mod.Deployment(
        args.backend, host_vcpus=4096, host_memory_mb=4 * 1024 * 1024,
        host_local_gb=100000,
        # Our daemons log at INFO, as deployed.
        extra_conf='[DEFAULT]\ndefault_log_levels = amqp=WARN\n'
                   '[quota]\ninstances = -1\ncores = -1\nram = -1\n' +
                   ('[conductor]\nworkers = %d\n' % args.conductor_workers
                    if args.conductor_workers else '') +
                   ''.join(open(path).read() + '\n' for path in args.conf))
    dep.start()
    try:
        # Warm up every path once.
        body = {'server': {'name': 'warm', 'flavorRef': '1',
                           'imageRef': dep.image['id']}}
        warm = api(dep, 'POST', '/v2.1/servers', json=body).json()
        dep.wait_for_server(warm['server']['id'])

        sequential = run_sequential(dep, args.sequential)
        meter = CpuMeter(dep)
        # Compute daemons are named after their host and the run id:
        # a prefix ('compute1') is enough.
        profiled = {name: next(proc for daemon, (proc, _log) in
                               sorted(dep.procs.items())
                               if daemon.startswith(name))
                    for name in args.profile}
        profilers = [subprocess.Popen(
            [py_spy(), 'record', '--format', 'raw', '--nonblocking',
             '--subprocesses', '--gil', '--rate', '400',
             '--output', 'profile-%s.txt' % name, '--pid', str(proc.pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, proc in profiled.items()]
        cpu_before = meter.sample()
        result = run_burst(dep, args.servers, args.concurrency)
        cpu_after = meter.sample()
        for profiler in profilers:
            profiler.send_signal(signal.SIGINT)
            profiler.wait()
        for message in result['faults']:
            print('error: %s' % message)
        print('backend=%s servers=%d concurrency=%d' % (
            args.backend, args.servers, args.concurrency))
        print('active=%d error=%d' % (result['active'], result['error']))
        if sequential:
            print('sequential API -> ACTIVE  p50 %.1f ms  p95 %.1f ms '
                  '(%d boots)' % (percentile(sequential, 50) * 1000,
                                  percentile(sequential, 95) * 1000,
                                  len(sequential)))
        api_times, latencies = result['api_times'], result['latencies']
        print('burst: POST /servers      p50 %.1f ms  p95 %.1f ms' % (
            percentile(api_times, 50) * 1000,
            percentile(api_times, 95) * 1000))
        print('burst: API -> ACTIVE      p50 %.1f ms  p95 %.1f ms  '
              'mean %.1f ms' % (percentile(latencies, 50) * 1000,
                                percentile(latencies, 95) * 1000,
                                statistics.mean(latencies) * 1000))
        print('burst: throughput         %.1f boots/s (%d in %.2f s)' % (
            result['boots_per_s'], result['active'], result['seconds']))
        CpuMeter.report(cpu_before, cpu_after, result['started'])
    finally:
        dep.stop()


if __name__ == '__main__':
    main()
