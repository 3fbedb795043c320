"""Server list benchmark: GET /servers[/detail] latency and CPU per request.

Boots N servers (multi-create, with metadata and tags, on the flat
network so each has an address) on separate daemons over RabbitMQ and
PostgreSQL, then times, one request at a time:

    GET /v2.1/servers/detail?limit=1000
    GET /v2.1/servers/detail?limit=100
    GET /v2.1/servers?limit=1000

and the same on the all-in-one (one process, SQLite, in-process
messaging) with --aio-servers servers in detail. For each it prints p50
and p95 latency and the CPU each process used per request (psutil), with
the whole machine's.

    python bench/server_list.py [--servers 1000] [--aio-servers 300]
                                [--requests 30] [--profile api|conductor]
                                [--only separate|aio] [--baseline TREE]

Measured figures, before and after the list's redesign, are in
docs/list-performance.md.
"""

import argparse
import concurrent.futures
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psutil  # noqa: E402
import requests  # noqa: E402

from bench.boot import CpuMeter, percentile, py_spy  # noqa: E402
from tests.functional import deployment as deployment_mod  # noqa: E402

BIN = os.path.dirname(sys.executable)
HEADERS = {'X-Auth-Token': 'admin:admin',
           'X-OpenStack-Nova-API-Version': '2.100'}
BATCH = 50


def boot_many(base, image_id, count, headers):
    """`count` servers in multi-create batches; waits for all ACTIVE."""
    session = requests.Session()

    def batch(i):
        n = min(BATCH, count - i)
        resp = session.post(base + '/v2.1/servers', headers=headers, json={
            'server': {'name': 'list-%d' % i, 'flavorRef': '1',
                       'imageRef': image_id, 'min_count': n,
                       'max_count': n, 'networks': 'auto',
                       'metadata': {'role': 'web', 'batch': str(i)},
                       'tags': ['bench', 'b%d' % i]}}, timeout=120)
        assert resp.status_code == 202, resp.text

    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        list(pool.map(batch, range(0, count, BATCH)))
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        servers = session.get(base + '/v2.1/servers/detail?limit=1000',
                              headers=headers).json()['servers']
        pending = [s for s in servers if s['status'] not in ('ACTIVE',
                                                             'ERROR')]
        if len(servers) >= count and not pending:
            errors = [s for s in servers if s['status'] == 'ERROR']
            assert not errors, errors[0].get('fault')
            return
        time.sleep(1)
    raise AssertionError('servers never all ACTIVE')


class ProcMeter(CpuMeter):
    """CpuMeter over an arbitrary {name: Popen} map (the all-in-one)."""

    def __init__(self, procs):
        self.dep = type('Procs', (), {'procs': {
            name: (proc, None) for name, proc in procs.items()}})()


def measure(base, paths, count, meter, headers, profiled=None):
    """{path: (p50 ms, p95 ms, {process: CPU ms per request}, bytes)}."""
    session = requests.Session()
    out = {}
    for path in paths:
        for _ in range(3):   # warm up
            resp = session.get(base + path, headers=headers)
            assert resp.ok, resp.text
        profilers = [subprocess.Popen(
            [py_spy(), 'record', '--format', 'raw', '--nonblocking',
             '--subprocesses', '--rate', '400', '--output',
             'profile-%s-%s.txt' % (name, re.sub(r'\W+', '_', path)),
             '--pid', str(pid)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, pid in (profiled or {}).items()]
        before = meter.sample()
        times = []
        for _ in range(count):
            t0 = time.perf_counter()
            resp = session.get(base + path, headers=headers)
            times.append(time.perf_counter() - t0)
            assert resp.ok, resp.text
        after = meter.sample()
        for profiler in profilers:
            profiler.send_signal(signal.SIGINT)
            profiler.wait()
        cpu = {n: (after[n] - before.get(n, 0.0)) * 1000 / count
               for n in after}
        out[path] = (percentile(times, 50) * 1000,
                     percentile(times, 95) * 1000, cpu, len(resp.content),
                     len(resp.json()['servers']))
    return out


def print_table(title, results):
    print('\n%s' % title)
    print('  %-36s %5s %8s %8s %7s  %s' % (
        'request', 'items', 'p50 ms', 'p95 ms', 'KiB',
        'CPU ms/request (by process; whole machine)'))
    for path, (p50, p95, cpu, size, items) in results.items():
        machine = cpu.pop('(whole machine)')
        # Our daemons, PostgreSQL and RabbitMQ; other users' processes
        # (names in brackets) count in the machine's figure only.
        parts = ', '.join('%s %.1f' % (n, v) for n, v in sorted(
            cpu.items(), key=lambda kv: -kv[1])
            if v >= 0.5 and not n.startswith('('))
        print('  %-36s %5d %8.1f %8.1f %7.0f  %s; machine %.1f' % (
            path, items, p50, p95, size / 1024, parts, machine))


def run_separate(args):
    dep = deployment_mod.Deployment(
        'postgresql', host_vcpus=100000, host_memory_mb=100 * 1024 * 1024,
        host_local_gb=10 ** 7, fixed_range_v4='10.128.0.0/16',
        extra_conf='[DEFAULT]\ndefault_log_levels = amqp=WARN\n'
                   '[quota]\ninstances = -1\ncores = -1\nram = -1\n'
                   'metadata_items = -1\n')
    dep.start()
    try:
        boot_many(dep.api, dep.image['id'], args.servers, HEADERS)
        profiled = {}
        for name in args.profile:
            for daemon, (proc, _log) in sorted(dep.procs.items()):
                if daemon.startswith(name):
                    profiled[name] = proc.pid
                    break
        results = measure(dep.api, [
            '/v2.1/servers/detail?limit=1000',
            '/v2.1/servers/detail?limit=100',
            '/v2.1/servers?limit=1000'], args.requests, CpuMeter(dep),
            HEADERS, profiled)
        print_table('separate daemons, RabbitMQ + PostgreSQL, %d servers'
                    % args.servers, results)
    finally:
        dep.stop()


def run_aio(args):
    state = tempfile.mkdtemp(prefix='nova-list-aio-')
    conf = os.path.join(state, 'extra.conf')
    with open(conf, 'w') as f:
        f.write('[quota]\ninstances = -1\ncores = -1\nram = -1\n'
                'metadata_items = -1\n[network]\n'
                'fixed_range_v4 = 10.128.0.0/16\n')
    proc = subprocess.Popen(
        [os.path.join(BIN, 'nova-all-in-one'), '--port', '0',
         '--metadata-port', '0', '--ec2-port', '0',
         '--serial-proxy-port', '0',
         '--novnc-proxy-port', '0', '--state-dir', state,
         '--compute-hosts', '2', '--host-vcpus', '100000',
         '--host-memory-mb', str(100 * 1024 * 1024), '--config-file', conf],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    drain = None
    try:
        base = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and base is None:
            line = proc.stdout.readline()
            match = re.search(r'Compute API: (http://\S+)/v2\.1/', line)
            base = match and match.group(1)
        assert base, 'no all-in-one banner'
        # Drain its output so it never blocks on a full pipe.
        drain = subprocess.Popen(['cat'], stdin=proc.stdout,
                                 stdout=subprocess.DEVNULL)
        image = requests.get(base + '/v2.1/images',
                             headers=HEADERS).json()['images'][0]
        boot_many(base, image['id'], args.aio_servers, HEADERS)
        profiled = {'aio': proc.pid} if 'aio' in args.profile else {}
        results = measure(base, ['/v2.1/servers/detail',
                                 '/v2.1/servers?limit=1000'],
                          args.requests, ProcMeter({'all-in-one': proc}),
                          HEADERS, profiled)
        print_table('all-in-one (SQLite, in-process messaging), %d servers'
                    % args.aio_servers, results)
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        if drain:
            drain.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--servers', type=int, default=1000)
    parser.add_argument('--aio-servers', type=int, default=300)
    parser.add_argument('--requests', type=int, default=30)
    parser.add_argument('--profile', action='append', default=[],
                        help='py-spy record DAEMON (api, conductor, aio) '
                             'during each timed series')
    parser.add_argument('--only', choices=['separate', 'aio'])
    parser.add_argument('--baseline', metavar='TREE',
                        help='a checkout of the code to compare with '
                             '(e.g. `git worktree add /tmp/base main`): '
                             'each deployment runs on it first, then on '
                             'this tree, in the same window')
    args = parser.parse_args()
    print('machine: %d CPUs, load %.2f %.2f %.2f' % (
        (psutil.cpu_count(),) + os.getloadavg()))
    trees = [('baseline %s' % args.baseline, args.baseline),
             ('this tree', None)] if args.baseline else [('', None)]
    runs = ([run_separate] if args.only != 'aio' else []) + (
        [run_aio] if args.only != 'separate' else [])
    for run in runs:
        for label, tree in trees:
            # The daemons import the tree first on their path.
            if tree:
                os.environ['PYTHONPATH'] = os.path.abspath(tree)
            else:
                os.environ.pop('PYTHONPATH', None)
            if label:
                print('\n== %s' % label)
            run(args)


if __name__ == '__main__':
    main()
