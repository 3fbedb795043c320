"""Fleet bench: what N idle compute hosts cost the control plane, and boots
against them.

Starts nova-api, nova-conductor and nova-scheduler as separate processes on
RabbitMQ and PostgreSQL, with no libvirt compute, then grows a simulated
fleet (FleetSimulator: real nova-compute services on the fake driver, see
bench/fleet_hosts.py and docs/fleet.md) through the sizes asked. At each
size, after the fleet settles, it measures over an idle window:

- CPU of each control-plane daemon, RabbitMQ (beam.smp) and this
  database's PostgreSQL backends, as % of one core; the simulator's own
  and the whole machine's beside them (the simulator is subtracted: it is
  not in the control-plane total);
- DB commits and row writes per second (pg_stat_database deltas);
- RabbitMQ queues and connections of the deployment's vhost;
- the scheduler's refresh: a full and an incremental compute_nodes_get_all
  through the conductor, timed from here, and a `ping` call's round trip
  beside them;
- RSS of each daemon;

then runs bench/boot.py's sequential and burst boots, and times
GET /servers/detail?limit=1000 over every server booted so far. The first
size (2 by default) is the baseline of the same run.

With --boot-target, one more host, 100 times the others' size, runs in a
simulator process of its own and takes every boot (the scheduler's
weighers pick the roomiest host): the builds then do not queue behind
the timers of thousands of simulated hosts in the same process, and what
still grows with the fleet is the control plane's.

    python bench/fleet.py [--sizes 2,100,1000,5000,10000] [--window 30]
        [--settle 20] [--sequential 50] [--burst 100] [--concurrency 16]
        [--hosts-per-worker 2500] [--report-interval 10] [--boot-target]
"""

import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import psutil  # noqa: E402
import sqlalchemy as sa  # noqa: E402

import boot  # noqa: E402


class FleetSimulator:
    """Simulated compute hosts on a deployment's config file, in worker
    processes of up to `hosts_per_worker` hosts each.

    start(n) grows the fleet to n hosts (returns the new host names) and
    returns once each serves; kill(host) stops one host's services (its
    heartbeats stop, its messages go unanswered); stop() ends all."""

    def __init__(self, conf_file, prefix, hosts_per_worker=2500, vcpus=64,
                 memory_mb=262144, local_gb=2000, timer_threads=32,
                 log_dir=None):
        self.conf_file = conf_file
        self.prefix = prefix
        self.hosts_per_worker = hosts_per_worker
        self.size = dict(vcpus=vcpus, memory_mb=memory_mb, local_gb=local_gb)
        self.timer_threads = timer_threads
        self.log_dir = log_dir
        self.hosts = []
        self.workers = []       # (Popen, first index, count)
        self.start_seconds = 0.0
        # Hosts whose init_host failed and were started again.
        self.restarts = 0

    def host_name(self, index):
        return '%s-%05d' % (self.prefix, index)

    def start(self, n_hosts, **size):
        """Grow to n_hosts; the new hosts have the simulator's size, or
        the vcpus/memory_mb/local_gb given here."""
        size = dict(self.size, **size)
        first = len(self.hosts)
        chunks = []
        index = first
        while index < n_hosts:
            count = min(self.hosts_per_worker, n_hosts - index)
            chunks.append((index, count))
            index += count
        t0 = time.monotonic()
        started = []
        for first_index, count in chunks:
            log = os.path.join(self.log_dir, 'fleet-%05d.log' % first_index) \
                if self.log_dir else None
            argv = [sys.executable, os.path.join(HERE, 'fleet_hosts.py'),
                    '--config-file', self.conf_file, '--prefix', self.prefix,
                    '--first', str(first_index), '--count', str(count),
                    '--vcpus', str(size['vcpus']),
                    '--memory-mb', str(size['memory_mb']),
                    '--local-gb', str(size['local_gb']),
                    '--timer-threads', str(self.timer_threads)]
            if log:
                argv += ['--log-file', log]
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE,
                                    stdout=subprocess.PIPE, text=True)
            started.append((proc, first_index, count))
        for proc, first_index, count in started:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError('fleet worker for hosts %d-%d exited with '
                                   '%s' % (first_index, first_index + count,
                                           proc.wait()))
            ready = json.loads(line)
            assert ready['ready'] == count, line
            self.restarts += ready['restarts']
        self.workers.extend(started)
        new = [self.host_name(i) for i in range(first, n_hosts)]
        self.hosts.extend(new)
        self.start_seconds = time.monotonic() - t0
        return new

    def _worker_of(self, host):
        index = int(host.rsplit('-', 1)[1])
        for proc, first, count in self.workers:
            if first <= index < first + count:
                return proc
        raise KeyError(host)

    def _ask(self, proc, command):
        proc.stdin.write(command + '\n')
        proc.stdin.flush()
        return json.loads(proc.stdout.readline())

    def kill(self, host):
        answer = self._ask(self._worker_of(host), 'kill %s' % host)
        assert answer['known'], answer
        self.hosts.remove(host)

    def stats(self):
        """Each worker's timer lag (seconds late, p50/p99/max) and work
        since the last stats; 'dropped': {"compute.<host> <method>":
        count} of messages sent to its killed hosts."""
        return [self._ask(proc, 'stats') for proc, _f, _c in self.workers]

    def processes(self):
        return [psutil.Process(proc.pid) for proc, _f, _c in self.workers]

    def stop(self):
        for proc, _f, _c in self.workers:
            proc.stdin.close()
        for proc, _f, _c in self.workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.workers = []


# -- measuring ---------------------------------------------------------------

def _cpu(proc):
    try:
        times = proc.cpu_times()
    except psutil.Error:
        return None
    return times.user + times.system


def _tree(pid):
    try:
        parent = psutil.Process(pid)
        return [parent] + parent.children(recursive=True)
    except psutil.Error:
        return []


class Meter:
    """CPU seconds and RSS of the deployment's parts, by group."""

    def __init__(self, dep, sim):
        self.dep = dep
        self.sim = sim
        self.db_name = dep.db_url.rsplit('/', 1)[1].split('?')[0]

    def groups(self):
        groups = {name: _tree(proc.pid)
                  for name, (proc, _log) in self.dep.procs.items()}
        groups['rabbitmq'] = []
        groups['postgres'] = []
        groups['pg other'] = []
        groups['redis'] = []
        for proc in psutil.process_iter(['name', 'cmdline']):
            name = proc.info['name']
            if name == 'beam.smp':
                groups['rabbitmq'] += _tree(proc.pid)
            elif name == 'redis-server':
                groups['redis'].append(proc)
            elif name == 'postgres' or (name or '').startswith('postgres'):
                cmd = ' '.join(proc.info['cmdline'] or ())
                # Backends show "postgres: USER DB HOST(PORT) STATE".
                key = 'postgres' if ' %s ' % self.db_name in cmd + ' ' \
                    else 'pg other'
                groups[key].append(proc)
        groups['simulator'] = [p for w in self.sim.processes()
                               for p in _tree(w.pid)]
        groups['bench'] = [psutil.Process()]
        return groups

    def sample(self):
        """{pid: (group, cpu seconds)} and the whole machine's seconds."""
        pids = {}
        for name, procs in self.groups().items():
            for proc in procs:
                cpu = _cpu(proc)
                if cpu is not None:
                    pids.setdefault(proc.pid, (name, cpu))
        machine = psutil.cpu_times()
        return pids, (machine.user + machine.system + machine.nice +
                      machine.irq + machine.softirq)

    @staticmethod
    def used(before, after):
        """CPU seconds per group between two samples. A process born in
        between counts whole; one that ended in between is lost (short
        PostgreSQL backends), never counted negative."""
        old, machine0 = before
        new, machine1 = after
        groups = {'machine': machine1 - machine0}
        for pid, (name, cpu) in new.items():
            prev = old.get(pid)
            base = prev[1] if prev and prev[0] == name else 0.0
            groups[name] = groups.get(name, 0.0) + max(0.0, cpu - base)
        return groups

    def rss_mb(self):
        out = {}
        for name, procs in self.groups().items():
            rss = 0
            for proc in procs:
                try:
                    rss += proc.memory_info().rss
                except psutil.Error:
                    pass
            out[name] = rss / 2 ** 20
        return out


def db_counters(engine):
    with engine.connect() as conn:
        row = conn.exec_driver_sql(
            'SELECT xact_commit, tup_inserted + tup_updated + tup_deleted '
            'FROM pg_stat_database WHERE datname = current_database()'
        ).one()
    return float(row[0]), float(row[1])


def rabbit_counts(vhost):
    def lines(*args):
        out = subprocess.run(['rabbitmqctl', '-q'] + list(args),
                             capture_output=True, text=True, timeout=120)
        return [ln for ln in out.stdout.splitlines() if ln.strip()]
    queues = len(lines('list_queues', '-p', vhost, '--no-table-headers',
                       'name'))
    conns = sum(1 for ln in lines('list_connections', '--no-table-headers',
                                  'vhost') if ln.strip() == vhost)
    return queues, conns


def refresh_times(conductor, ctxt, repeat=3):
    """ms of a full compute_nodes_get_all, and of an incremental one
    asking for what changed in the last second; nodes returned by each."""
    full = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = conductor.compute_nodes_get_all(ctxt)
        full.append((time.perf_counter() - t0) * 1000)
    time.sleep(1)
    incremental = []
    for _ in range(5):
        t0 = time.perf_counter()
        changed = conductor.compute_nodes_get_all(
            ctxt, changed_since=result['now'])
        incremental.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.2)
    return (statistics.median(full), len(result['nodes']),
            statistics.median(incremental), len(changed['nodes']))


def ping_ms(conductor, ctxt, repeat=20):
    """p50 of a conductor call that does nothing: the RPC round trip
    alone, beside the refresh's."""
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        conductor.ping(ctxt)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def detail_ms(dep, repeat=5):
    times, count = [], 0
    for _ in range(repeat):
        t0 = time.perf_counter()
        resp = boot.api(dep, 'GET', '/v2.1/servers/detail?limit=1000')
        times.append((time.perf_counter() - t0) * 1000)
        count = len(resp.json()['servers'])
    return statistics.median(times), count


# Redis is counted only when the service groups live there: it is the
# whole server, which other users of the machine may share.
CONTROL = ('api', 'conductor', 'scheduler', 'rabbitmq', 'postgres')


def measure_size(dep, sim, meter, engine, conductor, ctxt, args, n):
    t0 = time.monotonic()
    if n + args.boot_target > len(sim.hosts):
        sim.start(n + args.boot_target)
    row = {'hosts': n, 'start_s': time.monotonic() - t0,
           'restarts': sim.restarts}
    time.sleep(args.settle)
    sim.stats()                     # lags from here on only
    cpu0, db0 = meter.sample(), db_counters(engine)
    time.sleep(args.window)
    cpu1, db1 = meter.sample(), db_counters(engine)
    seconds = args.window
    used = {k: v / seconds * 100
            for k, v in Meter.used(cpu0, cpu1).items()}
    row['cpu'] = used
    control = CONTROL + (('redis',) if args.servicegroup == 'redis' else ())
    row['control_cpu'] = sum(used.get(k, 0.0) for k in control)
    row['commits_s'] = (db1[0] - db0[0]) / seconds
    row['writes_s'] = (db1[1] - db0[1]) / seconds
    stats = sim.stats()
    row['lag_p99'] = max(s['lag_p99'] for s in stats)
    row['lag_max'] = max(s['lag_max'] for s in stats)
    row['queues'], row['conns'] = rabbit_counts(dep.vhost)
    (row['refresh_full_ms'], row['nodes'], row['refresh_incr_ms'],
     row['nodes_changed']) = refresh_times(conductor, ctxt)
    row['ping_ms'] = ping_ms(conductor, ctxt)
    row['rss'] = meter.rss_mb()
    # Boots: one at a time, then a burst, with the CPU the burst took.
    seq = boot.run_sequential(dep, args.sequential, prefix='seq%d' % n)
    row['seq_p50_ms'] = boot.percentile(seq, 50) * 1000
    before = meter.sample()
    burst = boot.run_burst(dep, args.burst, args.concurrency,
                           prefix='burst%d' % n)
    after = meter.sample()
    row['boots_s'] = burst['boots_per_s']
    row['boot_errors'] = burst['error']
    row['faults'] = burst['faults']
    started = max(1, burst['started'])
    burst_cpu = Meter.used(before, after)
    row['machine_ms_boot'] = burst_cpu['machine'] * 1000 / started
    row['sim_ms_boot'] = burst_cpu.get('simulator', 0.0) * 1000 / started
    # Which process a boot costs more in as the fleet grows.
    row['burst_ms_boot'] = {k: v * 1000 / started
                            for k, v in burst_cpu.items()}
    row['detail_ms'], row['detail_servers'] = detail_ms(dep)
    return row


def print_tables(rows, out=sys.stdout):
    def p(line=''):
        print(line, file=out)
    p('Idle fleet (CPU in % of one core over the window; control = api + '
      'conductor + scheduler + rabbitmq + postgres backends of this DB '
      '+ redis when the service groups are there)')
    p('%6s %7s %6s %6s %6s %6s %6s %6s %7s %6s %6s %7s %7s %6s %6s %8s %8s'
      % ('hosts', 'start s', 'api', 'cond', 'sched', 'rabbit', 'pg',
         'redis', 'control', 'pg-oth', 'sim', 'machine', 'commit/s', 'wr/s',
         'queues', 'refr ms', 'incr ms'))
    for r in rows:
        c = collections.defaultdict(float, r['cpu'])
        p('%6d %7.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %7.1f %6.1f %6.1f '
          '%7.1f %7.0f %6.0f %6d %8.1f %8.1f' % (
              r['hosts'], r['start_s'], c['api'], c['conductor'],
              c['scheduler'], c['rabbitmq'], c['postgres'], c['redis'],
              r['control_cpu'], c['pg other'], c['simulator'],
              c['machine'], r['commits_s'], r['writes_s'], r['queues'],
              r['refresh_full_ms'], r['refresh_incr_ms']))
    p()
    p('Memory (RSS MB), connections, simulator timer lag (s)')
    p('%6s %6s %6s %6s %7s %7s %7s %6s %8s %8s %8s' % (
        'hosts', 'api', 'cond', 'sched', 'rabbit', 'sim', 'conns', 'nodes',
        'lag p99', 'lag max', 'ping ms'))
    for r in rows:
        m = r['rss']
        p('%6d %6.0f %6.0f %6.0f %7.0f %7.0f %7d %6d %8.2f %8.2f %8.2f' % (
            r['hosts'], m['api'], m['conductor'], m['scheduler'],
            m['rabbitmq'], m['simulator'], r['conns'], r['nodes'],
            r['lag_p99'], r['lag_max'], r['ping_ms']))
    p()
    p('Boots against the fleet (first row: the baseline of this run)')
    p('%6s %9s %8s %9s %9s %7s %11s' % (
        'hosts', 'seq p50', 'boots/s', 'ms/boot', 'sim ms/b', 'errors',
        'detail ms'))
    for r in rows:
        p('%6d %8.1fms %8.1f %9.1f %9.1f %7d %6.1f (%d)' % (
            r['hosts'], r['seq_p50_ms'], r['boots_s'], r['machine_ms_boot'],
            r['sim_ms_boot'], r['boot_errors'], r['detail_ms'],
            r['detail_servers']))
    p()
    p('CPU per boot in the burst (ms; idle work during the burst included)')
    p('%6s %6s %6s %6s %6s %6s %6s %6s %7s' % (
        'hosts', 'api', 'cond', 'sched', 'rabbit', 'pg', 'redis', 'sim',
        'machine'))
    for r in rows:
        c = collections.defaultdict(float, r['burst_ms_boot'])
        p('%6d %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %6.1f %7.1f' % (
            r['hosts'], c['api'], c['conductor'], c['scheduler'],
            c['rabbitmq'], c['postgres'], c['redis'], c['simulator'],
            c['machine']))
    for r in rows:
        for fault in r['faults']:
            p('fault at %d hosts: %s' % (r['hosts'], fault))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--sizes', default='2,100,1000,5000,10000',
                        help='fleet sizes, growing; the first is the '
                             'baseline')
    parser.add_argument('--window', type=float, default=30,
                        help='idle seconds measured at each size')
    parser.add_argument('--settle', type=float, default=20,
                        help='seconds to let a grown fleet settle first')
    parser.add_argument('--sequential', type=int, default=50)
    parser.add_argument('--burst', type=int, default=100)
    parser.add_argument('--concurrency', type=int, default=16)
    parser.add_argument('--hosts-per-worker', type=int, default=2500)
    parser.add_argument('--timer-threads', type=int, default=32)
    parser.add_argument('--report-interval', type=int, default=10)
    parser.add_argument('--service-down-time', type=int, default=60)
    parser.add_argument('--servicegroup', choices=('db', 'redis'),
                        default=os.environ.get(
                            'NOVA_TEST_SERVICEGROUP_DRIVER', 'redis'),
                        help='servicegroup_driver of the deployment '
                             '(redis: the one for big fleets)')
    parser.add_argument('--conf', metavar='FILE', action='append',
                        default=[], help="append FILE to every daemon's "
                                         "nova.conf")
    parser.add_argument('--json', metavar='FILE',
                        help='write the rows as JSON too')
    parser.add_argument('--boot-target', action='store_const', const=1,
                        default=0,
                        help='boot on one big host in a process of its own')
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(',')]

    from tests.functional import deployment as deployment_mod
    dep = deployment_mod.Deployment(
        'postgresql', compute_hosts=(), servicegroup_driver=args.servicegroup,
        extra_conf='[DEFAULT]\ndefault_log_levels = amqp=WARN\n'
                   'report_interval = %d\nservice_down_time = %d\n'
                   'rpc_response_timeout = 60\n'
                   '[quota]\ninstances = -1\ncores = -1\nram = -1\n'
                   % (args.report_interval, args.service_down_time) +
                   ''.join(open(path).read() + '\n' for path in args.conf))
    dep.start()
    sim = FleetSimulator(dep.conf, 'fleet-%s' % dep.run_id,
                         hosts_per_worker=args.hosts_per_worker,
                         timer_threads=args.timer_threads, log_dir=dep.dir)
    engine = sa.create_engine(dep.db_url)
    from common import context
    from common import rpc
    from common.conf import CONF
    CONF(['--config-file', dep.conf], project='nova')
    rpc.init(CONF)
    from nova_conductor import rpcapi as conductor_rpcapi
    conductor = conductor_rpcapi.ConductorAPI()
    ctxt = context.get_admin_context()
    meter = Meter(dep, sim)
    rows = []
    try:
        print('servicegroup_driver = %s' % args.servicegroup)
        print('machine: %d CPUs, %.0f GiB; shared with other work' % (
            psutil.cpu_count(), psutil.virtual_memory().total / 2 ** 30),
            flush=True)
        if args.boot_target:
            sim.start(1, **{k: v * 100 for k, v in sim.size.items()})
            print('boot target: %s' % sim.hosts[0], flush=True)
        for n in sizes:
            row = measure_size(dep, sim, meter, engine, conductor, ctxt,
                               args, n)
            rows.append(row)
            print('--- %d hosts done: %s' % (n, json.dumps(
                {k: v for k, v in row.items() if k not in ('cpu', 'rss')},
                default=str)), flush=True)
            print_tables(rows)
            if args.json:
                with open(args.json, 'w') as f:
                    json.dump(rows, f, indent=1)
    finally:
        sim.stop()
        rpc.cleanup()
        engine.dispose()
        dep.stop()


if __name__ == '__main__':
    main()
