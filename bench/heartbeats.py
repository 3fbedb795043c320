"""What N idle services' heartbeats cost the control plane.

    .venv/bin/python bench/heartbeats.py [--services 1000]
        [--report-interval 10] [--window 20] [--modes idle,call,cast,redis]

A real nova-conductor (its workers) on RabbitMQ + PostgreSQL; this process
plays N services, each registered (service row, compute node) and then
heartbeating every report_interval, spread evenly:
  call  - every heartbeat an RPC call, one SQL transaction each (before)
  cast  - service_beat casts the conductor coalesces (servicegroup db)
  redis - straight to the Redis sorted set (servicegroup redis)
  idle  - nothing: the background the others are compared with
For each: CPU ms per second of the conductor, RabbitMQ, PostgreSQL and
Redis processes, their sum (the control plane), the whole machine, and
this process (the fake services, not counted). Then what one scheduler
refresh gets back after a window: rows and ms.

Run with another checkout's venv python and --root to measure that code
(e.g. main, where only 'call' and 'idle' exist).
"""

import argparse
import concurrent.futures
import os
import sys
import time
import uuid

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _procs(name_part, cmd_part=None):
    found = []
    for p in psutil.process_iter(['name', 'cmdline']):
        try:
            if name_part in (p.info['name'] or '') and (
                    cmd_part is None
                    or cmd_part in ' '.join(p.info['cmdline'] or ())):
                found.append(p)
        except psutil.Error:
            pass
    return found


def _cpu(procs):
    total = 0.0
    for p in procs:
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.Error:
            pass
    return total


class Meter:
    """CPU seconds of groups of processes over a window."""

    def __init__(self, groups):
        self.groups = groups

    def sample(self):
        out = {name: _cpu(procs()) for name, procs in self.groups.items()}
        t = psutil.cpu_times()
        out['machine'] = t.user + t.system + getattr(t, 'irq', 0) + getattr(
            t, 'softirq', 0)
        out['bench'] = _cpu([psutil.Process()])
        out['wall'] = time.monotonic()
        return out

    @staticmethod
    def per_second(before, after):
        wall = after['wall'] - before['wall']
        return {k: (after[k] - before[k]) * 1000 / wall
                for k in before if k != 'wall'}


def run(args):
    sys.path.insert(0, args.root)
    os.chdir(args.root)
    from tests.functional import deployment
    from common import context, rpc
    from common.conf import CONF
    dep = deployment.Deployment('postgresql', compute_hosts=(),
                                extra_conf=args.extra_conf)
    dep.prepare()
    dep._spawn('conductor', 'nova-conductor')
    try:
        CONF(['--config-file', dep.conf], project='nova')
        rpc.init(CONF)
        from nova_conductor import rpcapi
        api = rpcapi.ConductorAPI()
        ctxt = context.get_admin_context()
        api.wait_until_ready(ctxt)
        hosts = ['bench-%s-%d' % (dep.run_id, i)
                 for i in range(args.services)]
        pool = concurrent.futures.ThreadPoolExecutor(16)
        resources = {'vcpus': 16, 'memory_mb': 65536, 'local_gb': 1000,
                     'hypervisor_type': 'fake', 'hypervisor_version': 1,
                     'cpu_info': '{}'}

        def register(host):
            api.service_heartbeat(ctxt, host, 'nova-compute', 'compute')
            api.compute_node_update(ctxt, host, host, resources)
        list(pool.map(register, hosts))
        conductor = dep.procs['conductor'][0].pid
        meter = Meter({
            'conductor': lambda: [psutil.Process(conductor)] + psutil.Process(
                conductor).children(recursive=True),
            'rabbitmq': lambda: _procs('beam.smp'),
            'postgres': lambda: _procs('postgres'),
            'redis': lambda: _procs('redis-server')})
        group = None
        if 'redis' in args.modes:
            from common.servicegroup import redis_driver
            group = redis_driver.RedisGroup(
                'redis://127.0.0.1:6379', 'bench-%s' % uuid.uuid4().hex[:8])
        beats = {
            'idle': None,
            'call': lambda h: pool.submit(
                api.service_heartbeat, ctxt, h, 'nova-compute', 'compute'),
            'cast': lambda h: api.service_beat(ctxt, h, 'nova-compute',
                                               'compute'),
            'redis': lambda h: group.beat(h, 'nova-compute')}
        rows = []
        for mode in args.modes:
            beat = beats[mode]
            rate = args.services / args.report_interval
            time.sleep(2)
            marker = api.compute_nodes_get_all(ctxt)['now']
            before = meter.sample()
            sent = 0
            start = time.monotonic()
            while time.monotonic() - start < args.window:
                due = int((time.monotonic() - start) * rate)
                while sent < due:
                    if beat is not None:
                        beat(hosts[sent % len(hosts)])
                    sent += 1
                time.sleep(0.005)
            # Let the conductor work off what is queued: its cost is the
            # beats', measured per beat below.
            time.sleep(args.drain)
            after = meter.sample()
            t0 = time.perf_counter()
            refresh = api.compute_nodes_get_all(ctxt, changed_since=marker)
            refresh_ms = (time.perf_counter() - t0) * 1000
            cpu = Meter.per_second(before, after)
            cpu['plane'] = sum(cpu[k] for k in ('conductor', 'rabbitmq',
                                                'postgres', 'redis'))
            rows.append((mode, sent / args.window if beat else 0, cpu,
                         len(refresh['nodes']), refresh_ms))
        print('services=%d report_interval=%ss window=%ss code=%s'
              % (args.services, args.report_interval, args.window,
                 args.root))
        print('%-6s %8s  %9s %9s %9s %7s  %9s %9s %8s  %s' % (
            'mode', 'beats/s', 'conductor', 'rabbitmq', 'postgres',
            'redis', 'plane', 'machine', 'bench', 'refresh'))
        for mode, rate, cpu, nodes, ms in rows:
            print('%-6s %8.0f  %9.1f %9.1f %9.1f %7.1f  %9.1f %9.1f %8.1f'
                  '  %d rows %.0f ms' % (
                      mode, rate, cpu['conductor'], cpu['rabbitmq'],
                      cpu['postgres'], cpu['redis'], cpu['plane'],
                      cpu['machine'], cpu['bench'], nodes, ms))
        print('(CPU ms per second over window + drain; plane = conductor '
              '+ RabbitMQ + PostgreSQL + Redis; postgres counts every '
              'database on the server, so compare with idle)')
        idle = {r[0]: r[2] for r in rows}.get('idle')
        if idle is not None:
            span = args.window + args.drain
            print('per beat, idle subtracted (ms CPU): mode conductor '
                  'rabbitmq postgres redis plane')
            for mode, rate, cpu, _nodes, _ms in rows:
                if not rate:
                    continue
                beats = rate * args.window
                print('  %-6s %s' % (mode, ' '.join(
                    '%.3f' % ((cpu[k] - idle[k]) * span / beats)
                    for k in ('conductor', 'rabbitmq', 'postgres', 'redis',
                              'plane'))))
        if group is not None:
            group.clear()
    finally:
        dep.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--services', type=int, default=1000)
    parser.add_argument('--report-interval', type=float, default=10)
    parser.add_argument('--window', type=float, default=20)
    parser.add_argument('--drain', type=float, default=5)
    parser.add_argument('--modes', default='idle,redis,cast,call')
    parser.add_argument('--root', default=ROOT)
    parser.add_argument('--extra-conf', default=(
        '[DEFAULT]\nreport_interval = 10\nservice_down_time = 60\n'))
    args = parser.parse_args()
    args.modes = args.modes.split(',')
    run(args)


if __name__ == '__main__':
    main()
