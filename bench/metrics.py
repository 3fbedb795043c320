"""Metrics benchmark: what a scrape costs, and what recording costs a boot.

Runs the all-in-one twice, [metrics] off then on, each time booting N
servers (multi-create batches, as bench/server_list.py) and timing the
burst; with metrics on it then times GET /metrics (and, as the same
run's baseline, GET /v2.1/flavors) one request at a time. Prints boots/s
and the all-in-one's CPU ms per boot for both runs, and p50/p95 ms, CPU
ms and bytes per scrape.

    python bench/metrics.py [--servers 1000] [--scrapes 200]
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import psutil  # noqa: E402
import requests  # noqa: E402

from bench.boot import percentile  # noqa: E402
from bench.server_list import HEADERS, boot_many  # noqa: E402

BIN = os.path.dirname(sys.executable)


def start(state, enabled):
    conf = os.path.join(state, 'extra.conf')
    with open(conf, 'w') as f:
        f.write('[quota]\ninstances = -1\ncores = -1\nram = -1\n'
                'metadata_items = -1\n[network]\n'
                'fixed_range_v4 = 10.128.0.0/16\n'
                '[libvirt]\ntest_node_local_gb = 100000\n'
                '[metrics]\nenabled = %s\n' % str(enabled).lower())
    proc = subprocess.Popen(
        [os.path.join(BIN, 'nova-all-in-one'), '--port', '0',
         '--metadata-port', '0', '--ec2-port', '0',
         '--serial-proxy-port', '0',
         '--novnc-proxy-port', '0', '--state-dir', state,
         '--compute-hosts', '2', '--host-vcpus', '100000',
         '--host-memory-mb', str(100 * 1024 * 1024), '--config-file', conf],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(r'Compute API: (http://\S+)/v2\.1/',
                          proc.stdout.readline())
        if match:
            # Drain its output so it never blocks on a full pipe.
            subprocess.Popen(['cat'], stdin=proc.stdout,
                             stdout=subprocess.DEVNULL)
            return proc, match.group(1)
    proc.kill()
    raise AssertionError('no all-in-one banner')


def cpu_ms(proc):
    times = psutil.Process(proc.pid).cpu_times()
    return (times.user + times.system) * 1000


def timed_gets(base, path, count, proc):
    session = requests.Session()
    latencies = []
    size = 0
    cpu_before = cpu_ms(proc)
    for _ in range(count):
        started = time.monotonic()
        resp = session.get(base + path, headers=HEADERS, timeout=30)
        latencies.append((time.monotonic() - started) * 1000)
        assert resp.status_code == 200, resp.text
        size = len(resp.content)
    return {'p50': percentile(latencies, 50),
            'p95': percentile(latencies, 95),
            'cpu': (cpu_ms(proc) - cpu_before) / count, 'bytes': size}


def run(enabled, args):
    state = tempfile.mkdtemp(prefix='nova-metrics-bench-')
    proc, base = start(state, enabled)
    try:
        image = requests.get(base + '/v2.1/images',
                             headers=HEADERS).json()['images'][0]
        cpu_before = cpu_ms(proc)
        started = time.monotonic()
        boot_many(base, image['id'], args.servers, HEADERS)
        took = time.monotonic() - started
        result = {'boots/s': args.servers / took,
                  'cpu/boot': (cpu_ms(proc) - cpu_before) / args.servers}
        if enabled:
            result['scrape'] = timed_gets(base, '/metrics', args.scrapes,
                                          proc)
            result['flavors'] = timed_gets(base, '/v2.1/flavors',
                                           args.scrapes, proc)
        return result
    finally:
        proc.terminate()
        proc.wait(60)
        subprocess.run(['rm', '-rf', state])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--servers', type=int, default=1000)
    parser.add_argument('--scrapes', type=int, default=200)
    args = parser.parse_args()
    off = run(False, args)
    on = run(True, args)
    print('all-in-one, %d servers booted in batches of 50, then %d GETs'
          % (args.servers, args.scrapes))
    print('%-12s %9s %12s' % ('metrics', 'boots/s', 'CPU ms/boot'))
    for name, result in (('off', off), ('on', on)):
        print('%-12s %9.1f %12.2f' % (name, result['boots/s'],
                                      result['cpu/boot']))
    print('\n%-16s %8s %8s %8s %8s' % ('request', 'p50 ms', 'p95 ms',
                                       'CPU ms', 'bytes'))
    for path in ('scrape', 'flavors'):
        r = on[path]
        print('%-16s %8.2f %8.2f %8.2f %8d' % (
            'GET /metrics' if path == 'scrape' else 'GET /v2.1/flavors',
            r['p50'], r['p95'], r['cpu'], r['bytes']))


if __name__ == '__main__':
    main()
