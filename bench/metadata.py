"""Metadata service benchmark: guests crawling their trees, per GET.

Starts nova-api, nova-conductor, nova-scheduler and two nova-compute
processes (libvirt test driver) on RabbitMQ and PostgreSQL, boots N
servers with user data, then runs nova-api-metadata daemons beside them:
one caching ([api] metadata_cache_expiration, long enough to outlast the
run) and one not (0). Each instance's guest-style crawl is ten GETs (the
OpenStack tree and two EC2 paths), by its fixed IP in X-Forwarded-For
(the daemons trust 127.0.0.1 as a proxy), one keep-alive connection per
client; every answer is checked to be its own instance's.

    python bench/metadata.py [--servers 200] [--concurrency 16]
                             [--baseline /path/to/other/checkout]

With --baseline, a third daemon runs that checkout's nova-api-metadata
(its .venv/bin) with the caching daemon's config, so a change is
measured against what it changes, in the same run on the same servers.

Per phase it prints p50/p95 per GET, GET/s, the conductor calls per
instance (each daemon logs every conductor call at DEBUG; the daemons
counted are told to), the whole machine's CPU per GET (/proc/stat, so
other work on the machine counts too) and the metadata daemon's own
(/proc/PID/stat).
"""

import argparse
import base64
import concurrent.futures
import http.client
import json
import os
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.boot import percentile  # noqa: E402
from tests.functional import deployment as deployment_mod  # noqa: E402

CRAWL = ['/openstack', '/openstack/latest/',
         '/openstack/latest/meta_data.json', '/openstack/latest/user_data',
         '/openstack/latest/network_data.json',
         '/openstack/latest/vendor_data.json',
         '/openstack/latest/vendor_data2.json',
         '/openstack/latest/password', '/latest/meta-data/instance-id',
         '/latest/meta-data/local-ipv4']
# The line the metadata service logs for each conductor call.
CONDUCTOR_CALL = 'asking the conductor for the instance'
CLK_TCK = os.sysconf('SC_CLK_TCK')


def machine_busy():
    """Seconds the whole machine's CPUs were busy (all but idle and
    iowait) since boot."""
    with open('/proc/stat') as f:
        fields = [int(v) for v in f.readline().split()[1:]]
    idle = fields[3] + fields[4]
    # guest time is counted in user already.
    return (sum(fields[:8]) - idle) / CLK_TCK


def process_busy(pid):
    """CPU seconds of process `pid` (all its threads)."""
    with open('/proc/%d/stat' % pid) as f:
        # The command name may hold spaces: fields follow its ')'.
        fields = f.read().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def boot_servers(dep, count, concurrency):
    """{uuid: fixed IP} of `count` ACTIVE servers with user data."""
    user_data = '#!/bin/sh\necho hello from the metadata bench\n'
    body = {'flavorRef': '1', 'imageRef': dep.image['id'],
            'networks': 'auto',
            'user_data': base64.b64encode(user_data.encode()).decode()}

    def boot(i):
        resp = dep.request('POST', '/v2.1/servers', json={
            'server': dict(body, name='md-%d' % i)})
        assert resp.status_code == 202, resp.text
        return resp.json()['server']['id']
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        ids = set(pool.map(boot, range(count)))
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        servers = dep.request('GET', '/v2.1/servers/detail?limit=1000'
                              ).json()['servers']
        mine = [s for s in servers if s['id'] in ids]
        if all(s['status'] in ('ACTIVE', 'ERROR') for s in mine) and \
                len(mine) == count:
            break
        time.sleep(0.5)
    failed = [s['id'] for s in mine if s['status'] != 'ACTIVE']
    assert not failed, 'servers not ACTIVE: %s' % failed[:5]
    return {s['id']: s['addresses']['private'][0]['addr'] for s in mine}


class Daemon:
    """One nova-api-metadata on its own port, as `binary` runs it."""

    def __init__(self, dep, name, cache_seconds, binary=None):
        self.dep = dep
        self.name = name
        self.port = deployment_mod._free_port()
        conf = os.path.join(dep.dir, '%s.conf' % name)
        with open(conf, 'w') as f:
            f.write('[api]\nmetadata_listen = 127.0.0.1\n'
                    'metadata_listen_port = %d\n'
                    'metadata_cache_expiration = %d\n'
                    % (self.port, cache_seconds))
        binary = binary or os.path.join(deployment_mod.BIN,
                                        'nova-api-metadata')
        dep.commands[name] = [binary, '--config-file', dep.conf,
                              '--config-file', conf]

    def start(self):
        self.proc = self.dep.restart(self.name)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                                  timeout=2)
                conn.request('GET', '/')
                conn.getresponse().read()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError('%s not listening:\n%s' % (
            self.name, self.dep.log(self.name)))

    def restart(self):
        """Started again: its cache empty."""
        self.dep.kill(self.name, sig=15)
        self.start()

    def conductor_calls(self):
        return self.dep.log(self.name).count(CONDUCTOR_CALL)


def crawl(port, servers, concurrency):
    """Every server's crawl, `concurrency` at a time: ({path: [seconds]},
    wall seconds, wrong answers)."""
    times = {path: [] for path in CRAWL}
    wrong = []
    lock = threading.Lock()
    local = threading.local()
    todo = iter(list(servers.items()))

    def one(item):
        uuid, address = item
        conn = getattr(local, 'conn', None)
        if conn is None:
            conn = local.conn = http.client.HTTPConnection(
                '127.0.0.1', port, timeout=30)
        mine = []
        for path in CRAWL:
            start = time.perf_counter()
            conn.request('GET', path, headers={'X-Forwarded-For': address})
            resp = conn.getresponse()
            body = resp.read()
            mine.append((path, time.perf_counter() - start))
            if resp.status != 200 or (
                    path.endswith('meta_data.json') and
                    json.loads(body)['uuid'] != uuid) or (
                    path.endswith('local-ipv4') and body.decode() != address):
                wrong.append((uuid, path, resp.status, body[:200]))
        with lock:
            for path, seconds in mine:
                times[path].append(seconds)

    start = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, todo))
    return times, time.perf_counter() - start, wrong


def phase(label, daemon, servers, concurrency, restart=False):
    if restart:
        daemon.restart()
    calls = daemon.conductor_calls()
    machine, own = machine_busy(), process_busy(daemon.proc.pid)
    times, wall, wrong = crawl(daemon.port, servers, concurrency)
    machine, own = machine_busy() - machine, process_busy(
        daemon.proc.pid) - own
    gets = sum(len(v) for v in times.values())
    every = [t for v in times.values() for t in v]
    row = {'label': label, 'concurrency': concurrency, 'gets': gets,
           'p50': percentile(every, 50) * 1000,
           'p95': percentile(every, 95) * 1000, 'max': max(every) * 1000,
           'rate': gets / wall,
           'calls': (daemon.conductor_calls() - calls) / len(servers),
           'machine': machine * 1000 / gets, 'own': own * 1000 / gets,
           'per_path': {p: (percentile(v, 50) * 1000,
                            percentile(v, 95) * 1000)
                        for p, v in times.items()},
           'wrong': wrong}
    if wrong:
        print('%s: %d wrong answers, e.g. %r' % (label, len(wrong),
                                                 wrong[0]))
    return row


def print_table(rows, servers):
    print('\n%d instances, %d GETs per crawl; times in ms; CPU in ms per GET'
          % (servers, len(CRAWL)))
    print('%-26s %3s %6s %6s %7s %6s %10s %8s %7s' % (
        'phase', 'c', 'p50', 'p95', 'max', 'GET/s', 'calls/inst',
        'machine', 'daemon'))
    for r in rows:
        calls = '%.2f' % r['calls'] if r['calls'] is not None else 'n/a'
        print('%-26s %3d %6.2f %6.2f %7.1f %6.0f %10s %8.2f %7.2f' % (
            r['label'], r['concurrency'], r['p50'], r['p95'], r['max'],
            r['rate'], calls, r['machine'], r['own']))


def print_per_path(rows):
    print('\np50 per GET by path (ms); paths numbered as crawled:')
    for number, path in enumerate(CRAWL, 1):
        print('  %2d %s' % (number, path))
    print('%-26s %3s' % ('phase', 'c') + ''.join(
        ' %5d' % n for n in range(1, len(CRAWL) + 1)))
    for r in rows:
        print('%-26s %3d' % (r['label'], r['concurrency']) + ''.join(
            ' %5.2f' % r['per_path'][path][0] for path in CRAWL))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--servers', type=int, default=200)
    parser.add_argument('--concurrency', type=int, default=16)
    parser.add_argument('--baseline', metavar='CHECKOUT',
                        help='also measure CHECKOUT/.venv/bin/'
                             'nova-api-metadata, caching alike')
    args = parser.parse_args()

    dep = deployment_mod.Deployment(
        'postgresql', host_vcpus=4096, host_memory_mb=4 * 1024 * 1024,
        host_local_gb=100000, fixed_range_v4='10.20.0.0/20',
        # Our daemons log at INFO, as deployed; the metadata service's
        # conductor calls at DEBUG, to be counted.
        extra_conf='[DEFAULT]\ndefault_log_levels = amqp=WARN,'
                   'nova_api.metadata.app=DEBUG\n'
                   '[quota]\ninstances = -1\ncores = -1\nram = -1\n'
                   '[api]\ntrusted_proxies = 127.0.0.1\n')
    dep.start()
    try:
        started = time.perf_counter()
        servers = boot_servers(dep, args.servers, args.concurrency)
        print('%d servers ACTIVE in %.1f s' % (
            len(servers), time.perf_counter() - started))
        # Cached for longer than the run: every phase after the first
        # crawl is all from cache.
        cached = Daemon(dep, 'metadata-cache', 3600)
        uncached = Daemon(dep, 'metadata-nocache', 0)
        daemons = [cached, uncached]
        baseline = None
        if args.baseline:
            baseline = Daemon(dep, 'metadata-baseline', 3600, os.path.join(
                args.baseline, '.venv', 'bin', 'nova-api-metadata'))
            daemons.append(baseline)
        for daemon in daemons:
            daemon.start()
        c = args.concurrency
        rows = []
        for label, daemon in (('cache', cached), ('baseline', baseline)):
            if daemon is None:
                continue
            rows += [
                phase('%s: first crawl' % label, daemon, servers, c),
                phase('%s: all cached' % label, daemon, servers, c),
                phase('%s: all cached' % label, daemon, servers, 1),
                phase('%s: first crawl' % label, daemon, servers, 1,
                      restart=True)]
            if daemon is baseline and not baseline.conductor_calls():
                # That checkout logs no conductor call to count.
                for row in rows[-4:]:
                    row['calls'] = None
        rows += [phase('no cache', uncached, servers, c),
                 phase('no cache', uncached, servers, 1)]
        print_table(rows, len(servers))
        print_per_path(rows)
        if any(r['wrong'] for r in rows):
            sys.exit('some answers were wrong (above)')
    finally:
        dep.stop()


if __name__ == '__main__':
    main()
