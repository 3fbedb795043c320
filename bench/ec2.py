"""EC2 benchmark: the EC2 Query API against the Compute API it calls.

Starts the all-in-one (SQLite, in-process messaging, libvirt test
driver) on free ports, boots N servers (multi-create batches with
metadata and tags, as bench/server_list.py), then measures in the same
run, one request at a time and interleaved so load from anything else
on the machine falls on both sides alike:

1. listing N instances: boto3 describe_instances with no filter (every
   page, as its paginator reads them) and with MaxResults=1000 (one
   page), against GET /v2.1/servers/detail?limit=1000 (requests,
   noauth);
2. one boot: boto3 run_instances of 1 instance, then describe_instances
   (InstanceIds) until it is running, against POST /v2.1/servers, then
   GET /v2.1/servers/{id} until ACTIVE;
3. CPU seconds per operation: the whole machine's (psutil.cpu_times,
   i.e. /proc/stat), and the all-in-one's and this client's.

It prints p50/p90 latency for each, the EC2/Compute ratio (the goal is
EC2 within 10% of the Compute API), and, for boto3, the "wire" time:
from sending the request to having the answer's bytes, before botocore
parses them (so the client's XML parsing shows apart).

    python bench/ec2.py [--servers 1000] [--repeat 20] [--boots 20]
                        [--poll-interval 0.01] [--profile]
                        [--log FILE]

--profile records the all-in-one with py-spy (raw collapsed stacks of the
thread holding the GIL, in profile-ec2-*.txt) during an extra, untimed
series of each operation. --log keeps the all-in-one's log, where each
EC2 action and each Compute API request it makes is timed.
"""

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import boto3  # noqa: E402
import botocore.config  # noqa: E402
import psutil  # noqa: E402
import requests  # noqa: E402

from bench.boot import percentile, py_spy  # noqa: E402
from bench.server_list import HEADERS, boot_many  # noqa: E402

BIN = os.path.dirname(sys.executable)
# Server states that end a wait.
EC2_DONE = ('running', 'stopped', 'terminated')
COMPUTE_DONE = ('ACTIVE', 'ERROR')


def start(state, log=None):
    """(all-in-one Popen, Compute API base, EC2 URL, {access, secret,
    region}) once its banner is printed; its output goes on to `log`."""
    conf = os.path.join(state, 'extra.conf')
    with open(conf, 'w') as f:
        f.write('[quota]\ninstances = -1\ncores = -1\nram = -1\n'
                'metadata_items = -1\n[network]\n'
                'fixed_range_v4 = 10.128.0.0/16\n'
                '[libvirt]\ntest_node_local_gb = 100000\n')
    proc = subprocess.Popen(
        [os.path.join(BIN, 'nova-all-in-one'), '--port', '0',
         '--metadata-port', '0', '--ec2-port', '0',
         '--serial-proxy-port', '0', '--novnc-proxy-port', '0',
         '--state-dir', state, '--compute-hosts', '2',
         '--host-vcpus', '100000',
         '--host-memory-mb', str(100 * 1024 * 1024), '--config-file', conf],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = ec2_url = keys = None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and keys is None:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            break
        match = re.search(r'Compute API: (http://\S+)/v2\.1/', line)
        base = match.group(1) if match else base
        match = re.search(r'EC2 API: (http://\S+)', line)
        ec2_url = match.group(1) if match else ec2_url
        match = re.search(r'EC2 keys:\s+AWS_ACCESS_KEY_ID=(\S+) '
                          r'AWS_SECRET_ACCESS_KEY=(\S+) '
                          r'AWS_DEFAULT_REGION=(\S+)', line)
        if match:
            keys = dict(zip(('access', 'secret', 'region'),
                            match.groups()))
    if not (base and ec2_url and keys):
        proc.kill()
        proc.wait()
        raise AssertionError('no all-in-one banner with the EC2 API')
    # Drain its output so it never blocks on a full pipe.
    subprocess.Popen(['cat'], stdin=proc.stdout, stdout=open(
        log, 'w') if log else subprocess.DEVNULL)
    return proc, base, ec2_url, keys


def stop(proc, state):
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    shutil.rmtree(state, ignore_errors=True)


class Wire:
    """botocore hooks timing each call from sending the request to
    having the answer's bytes, before they are parsed."""

    def __init__(self, client):
        self.sent = None
        self.times = []
        events = client.meta.events
        events.register('before-send.ec2.*', self._sent)
        events.register('before-parse.ec2.*', self._parsing)

    def _sent(self, **kwargs):
        self.sent = time.perf_counter()

    def _parsing(self, **kwargs):
        self.times.append(time.perf_counter() - self.sent)

    def take(self):
        """The wire seconds of the calls since the last take()."""
        out, self.times = sum(self.times), []
        return out


class Meter:
    """CPU seconds used over an interval: the whole machine's, the
    all-in-one's and this client's."""

    def __init__(self, aio_pid):
        self.aio = psutil.Process(aio_pid)
        self.me = psutil.Process()

    def sample(self):
        machine = psutil.cpu_times()
        aio = self.aio.cpu_times()
        me = self.me.cpu_times()
        return (machine.user + machine.system + machine.nice +
                machine.irq + machine.softirq,
                aio.user + aio.system, me.user + me.system)


class Series:
    """One operation's samples: latency, wire time, CPU."""

    def __init__(self, label):
        self.label = label
        self.times = []
        self.wire = []
        self.cpu = [0.0, 0.0, 0.0]   # machine, all-in-one, client
        self.extra = {}

    def add(self, seconds, before, after, wire=None):
        self.times.append(seconds)
        if wire is not None:
            self.wire.append(wire)
        for i in range(3):
            self.cpu[i] += after[i] - before[i]

    def p(self, pct, wire=False):
        values = self.wire if wire else self.times
        return percentile(values, pct) * 1000 if values else float('nan')

    def cpu_ms(self, i):
        return self.cpu[i] * 1000 / len(self.times)


def timed(meter, fn):
    before = meter.sample()
    t0 = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - t0
    return result, seconds, before, meter.sample()


def describe_ops(ec2, wire, session, base, count):
    """{label: (call, wire timer or None)}: each returns how many
    instances or servers it read, and how many requests that took."""
    def ec2_all():
        pages = list(ec2.get_paginator('describe_instances').paginate())
        return sum(len(r['Instances']) for p in pages
                   for r in p['Reservations']), len(pages)

    def ec2_single():
        page = ec2.describe_instances(MaxResults=1000)
        return sum(len(r['Instances']) for r in page['Reservations']), 1

    def compute_detail():
        resp = session.get(base + '/v2.1/servers/detail?limit=1000',
                           headers=HEADERS, timeout=120)
        assert resp.ok, resp.text
        return len(resp.json()['servers']), 1

    return {'EC2 DescribeInstances, all pages': (ec2_all, wire),
            'EC2 DescribeInstances MaxResults=1000': (ec2_single, wire),
            'GET /servers/detail?limit=1000': (compute_detail, None)}


def measure_describe(ops, meter, repeat, count):
    series = {label: Series(label) for label in ops}
    labels = list(ops)
    for rep in range(repeat):
        # Rotate the order so no operation always follows another.
        for label in labels[rep % 3:] + labels[:rep % 3]:
            call, wire = ops[label]
            if wire:
                wire.take()
            (seen, reqs), seconds, before, after = timed(meter, call)
            assert seen == count, '%s read %d of %d' % (label, seen, count)
            series[label].add(seconds, before, after,
                              wire.take() if wire else None)
            series[label].extra['requests'] = reqs
    return series


def boot_ops(ec2, session, base, ami, image_id, flavor, poll):
    """{label: call}: each boots one server, waits until it runs and
    returns (seconds to the boot's answer, polls, poll seconds)."""
    def ec2_boot():
        t0 = time.perf_counter()
        run = ec2.run_instances(ImageId=ami, InstanceType=flavor['name'],
                                MinCount=1, MaxCount=1)
        answered = time.perf_counter() - t0
        iid = run['Instances'][0]['InstanceId']
        polls, poll_time = 0, 0.0
        while True:
            t1 = time.perf_counter()
            found = ec2.describe_instances(InstanceIds=[iid])
            poll_time += time.perf_counter() - t1
            polls += 1
            state = found['Reservations'][0]['Instances'][0]['State']
            if state['Name'] in EC2_DONE:
                assert state['Name'] == 'running', state
                return answered, polls, poll_time
            time.sleep(poll)

    def compute_boot():
        t0 = time.perf_counter()
        resp = session.post(base + '/v2.1/servers', headers=HEADERS, json={
            'server': {'name': 'compute-instance', 'flavorRef': flavor['id'],
                       'imageRef': image_id, 'networks': 'auto'}},
            timeout=120)
        answered = time.perf_counter() - t0
        assert resp.status_code == 202, resp.text
        server_id = resp.json()['server']['id']
        polls, poll_time = 0, 0.0
        while True:
            t1 = time.perf_counter()
            server = session.get(base + '/v2.1/servers/%s' % server_id,
                                 headers=HEADERS,
                                 timeout=60).json()['server']
            poll_time += time.perf_counter() - t1
            polls += 1
            if server['status'] in COMPUTE_DONE:
                assert server['status'] == 'ACTIVE', server.get('fault')
                return answered, polls, poll_time
            time.sleep(poll)

    return {'EC2 RunInstances -> running': ec2_boot,
            'POST /servers -> ACTIVE': compute_boot}


def measure_boots(ops, wire, meter, repeat):
    series = {label: Series(label) for label in ops}
    labels = list(ops)
    for rep in range(repeat):
        # ABBA: each goes first half the time.
        for label in labels if rep % 2 == 0 else labels[::-1]:
            wire.take()
            (answered, polls, poll_time), seconds, before, after = timed(
                meter, ops[label])
            wire.take()
            s = series[label]
            s.add(seconds, before, after)
            s.extra.setdefault('answered', []).append(answered)
            s.extra.setdefault('polls', []).append(polls)
            s.extra.setdefault('poll', []).append(poll_time / polls)
    return series


def profiled(pid, name, fn, times):
    """Run fn `times` times under py-spy; the raw stacks go to
    profile-ec2-NAME.txt."""
    out = 'profile-ec2-%s.txt' % name
    # --gil: the thread running Python code, not the all-in-one's dozens
    # of waiting ones (with those py-spy falls behind and keeps few
    # samples). Blocking mode slows the calls; they are not timed.
    spy = subprocess.Popen(
        [py_spy(), 'record', '--format', 'raw', '--gil', '--rate', '200',
         '--output', out, '--pid', str(pid)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(1)   # py-spy attaching
    for _ in range(times):
        fn()
    spy.send_signal(signal.SIGINT)
    spy.wait()
    return out


def ratio(a, b):
    return a / b if b else float('nan')


def print_describe(series, count):
    print('\n1. Listing %d instances, %d repetitions each (interleaved)'
          % (count, len(next(iter(series.values())).times)))
    print('  %-40s %4s %8s %8s %9s %9s %8s %8s %8s' % (
        'operation', 'reqs', 'p50 ms', 'p90 ms', 'wire p50', 'wire p90',
        'CPU ms:', 'aio', 'client'))
    print('  %-40s %4s %8s %8s %9s %9s %8s %8s %8s' % (
        '', '', '', '', '', '', 'machine', '', ''))
    for s in series.values():
        print('  %-40s %4d %8.1f %8.1f %9s %9s %8.1f %8.1f %8.1f' % (
            s.label, s.extra['requests'], s.p(50), s.p(90),
            '%.1f' % s.p(50, True) if s.wire else '-',
            '%.1f' % s.p(90, True) if s.wire else '-',
            s.cpu_ms(0), s.cpu_ms(1), s.cpu_ms(2)))
    compute = series['GET /servers/detail?limit=1000']
    for label in ('EC2 DescribeInstances, all pages',
                  'EC2 DescribeInstances MaxResults=1000'):
        s = series[label]
        print('  %s / Compute API: p50 x%.2f, p90 x%.2f, wire p50 x%.2f, '
              'machine CPU x%.2f, all-in-one CPU x%.2f' % (
                  label[4:], ratio(s.p(50), compute.p(50)),
                  ratio(s.p(90), compute.p(90)),
                  ratio(s.p(50, True), compute.p(50)),
                  ratio(s.cpu_ms(0), compute.cpu_ms(0)),
                  ratio(s.cpu_ms(1), compute.cpu_ms(1))))


def print_boots(series, poll):
    print('\n2. One boot until running, %d repetitions each (ABBA), '
          'polled every %g s' % (
              len(next(iter(series.values())).times), poll))
    print('  %-28s %8s %8s %10s %6s %8s %8s %8s %8s' % (
        'operation', 'p50 ms', 'p90 ms', 'answer p50', 'polls',
        'poll p50', 'CPU ms:', 'aio', 'client'))
    print('  %-28s %8s %8s %10s %6s %8s %8s %8s %8s' % (
        '', '', '', 'ms', 'p50', 'ms', 'machine', '', ''))
    for s in series.values():
        print('  %-28s %8.1f %8.1f %10.1f %6d %8.1f %8.1f %8.1f %8.1f' % (
            s.label, s.p(50), s.p(90),
            percentile(s.extra['answered'], 50) * 1000,
            percentile(s.extra['polls'], 50),
            percentile(s.extra['poll'], 50) * 1000,
            s.cpu_ms(0), s.cpu_ms(1), s.cpu_ms(2)))
    ec2, compute = series.values()
    print('  RunInstances / POST /servers: p50 x%.2f, p90 x%.2f, answer '
          'p50 x%.2f, machine CPU x%.2f, all-in-one CPU x%.2f' % (
              ratio(ec2.p(50), compute.p(50)),
              ratio(ec2.p(90), compute.p(90)),
              ratio(percentile(ec2.extra['answered'], 50),
                    percentile(compute.extra['answered'], 50)),
              ratio(ec2.cpu_ms(0), compute.cpu_ms(0)),
              ratio(ec2.cpu_ms(1), compute.cpu_ms(1))))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--servers', type=int, default=1000,
                        help='servers listed (at most 1000: one page)')
    parser.add_argument('--repeat', type=int, default=20,
                        help='timed listings of each kind')
    parser.add_argument('--boots', type=int, default=20,
                        help='timed boots of each kind')
    parser.add_argument('--poll-interval', type=float, default=0.01,
                        help='seconds between polls of a booting server')
    parser.add_argument('--profile', action='store_true',
                        help='py-spy the all-in-one during an extra '
                             'untimed series of each operation')
    parser.add_argument('--log', metavar='FILE',
                        help='keep the all-in-one\'s log (each EC2 and '
                             'Compute API request with its time) in FILE')
    args = parser.parse_args()
    assert 5 <= args.servers <= 1000, '--servers: 5 to 1000'
    ci = subprocess.run(['pgrep', '-f', '/tmp/ci/.venv'],
                        capture_output=True, text=True).stdout.split()
    print('machine: %d CPUs, load %.2f %.2f %.2f%s' % (
        (psutil.cpu_count(),) + os.getloadavg() + (
            ', CI running (%d processes): figures are noisy, and the '
            'machine CPU includes the CI\'s' % len(ci) if ci else '',)))

    state = tempfile.mkdtemp(prefix='nova-ec2-bench-')
    proc = None
    try:
        proc, base, ec2_url, keys = start(state, args.log)
        session = requests.Session()
        ec2 = boto3.client(
            'ec2', endpoint_url=ec2_url, region_name=keys['region'],
            aws_access_key_id=keys['access'],
            aws_secret_access_key=keys['secret'],
            config=botocore.config.Config(retries={'max_attempts': 1},
                                          read_timeout=300))
        wire = Wire(ec2)
        meter = Meter(proc.pid)
        image = session.get(base + '/v2.1/images',
                            headers=HEADERS).json()['images'][0]
        ami = [i['ImageId'] for i in ec2.describe_images()['Images']
               if i['ImageId'] == 'ami-' + image['id'].replace(
                   '-', '')[:17]][0]
        flavor = session.get(base + '/v2.1/flavors/1',
                             headers=HEADERS).json()['flavor']

        t0 = time.monotonic()
        boot_many(base, image['id'], args.servers, HEADERS)
        print('booted %d servers in %.0f s (multi-create batches of 50)'
              % (args.servers, time.monotonic() - t0))

        ops = describe_ops(ec2, wire, session, base, args.servers)
        for call, _wire in ops.values():   # warm up
            call()
        described = measure_describe(ops, meter, args.repeat, args.servers)
        print_describe(described, args.servers)

        boots = boot_ops(ec2, session, base, ami, image['id'], flavor,
                         args.poll_interval)
        for call in boots.values():   # warm up
            call()
        series = measure_boots(boots, wire, meter, args.boots)
        print_boots(series, args.poll_interval)

        if args.profile:
            print('\nprofiles (py-spy raw, all-in-one):')
            for name, fn, times in (
                    ('describe-all-pages',
                     ops['EC2 DescribeInstances, all pages'][0], 10),
                    ('describe-1000', ops[
                        'EC2 DescribeInstances MaxResults=1000'][0], 10),
                    ('servers-detail',
                     ops['GET /servers/detail?limit=1000'][0], 10),
                    ('run-instances',
                     boots['EC2 RunInstances -> running'], 30),
                    ('post-servers', boots['POST /servers -> ACTIVE'], 30)):
                print('  ' + profiled(proc.pid, name, fn, times))
    finally:
        if proc:
            stop(proc, state)
        else:
            shutil.rmtree(state, ignore_errors=True)


if __name__ == '__main__':
    main()
