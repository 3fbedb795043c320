"""RPC call latency and CPU per transport: why all-in-one uses `inproc://`.

    python bench/rpc.py [--calls 300]
        [--rabbit rabbit://guest:guest@127.0.0.1:5672/]

Each transport runs in a fresh subprocess (a process holds one transport).
Then 16 threads call at once, plainly and through a Coalescer (the way a
compute's instance_advance calls travel), to show what a message costs
next to the work it carries: "machine" is the CPU of the whole machine
(broker and kernel included) per call.
"""

import argparse
import json
import os
import subprocess
import sys
import threading
import time

import psutil

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def measure(url, calls):
    sys.path.insert(0, ROOT)
    import oslo_messaging as messaging
    from common import context, rpc
    from common.conf import CONF
    CONF([], project='nova')
    rpc.init(CONF, url=url)

    class Endpoint:
        target = messaging.Target(version='1.0')

        def echo(self, ctxt, value):
            return value

    class API(rpc.RPCAPIBase):
        TOPIC = 'bench_rpc_%d' % os.getpid()

    class CoalescingAPI(API):
        COALESCED = {'echo': rpc.Coalesced(since='1.0')}

    server = rpc.get_server(messaging.Target(topic=API.TOPIC, server='b'),
                            [Endpoint()])
    server.start()
    api, ctxt = API(), context.get_admin_context()
    payload = {'uuid': 'x' * 36, 'flavor': {'vcpus': 1, 'memory_mb': 512}}
    api.call(ctxt, 'echo', '1.0', value=payload)
    times = []
    cpu_start = time.process_time()
    for _ in range(calls):
        start = time.perf_counter()
        api.call(ctxt, 'echo', '1.0', value=payload)
        times.append(time.perf_counter() - start)
    # Client and server share this process: its CPU is both ends' cost.
    cpu_ms = (time.process_time() - cpu_start) * 1000 / calls
    times.sort()
    got = {'p50_ms': times[len(times) // 2] * 1000,
           'p95_ms': times[int(len(times) * 0.95)] * 1000, 'cpu_ms': cpu_ms}
    coalescing = CoalescingAPI()
    for name, one_call in (
            ('plain', lambda: api.call(ctxt, 'echo', '1.0', value=payload)),
            ('coalesced', lambda: coalescing.call(ctxt, 'echo', '1.0',
                                                  value=payload))):
        got[name] = _concurrently(one_call, calls * 4, threads=16)
    server.stop()
    server.wait()
    return got


def _concurrently(one_call, calls, threads):
    """calls/s and CPU per call (this process, whole machine) with
    `threads` callers at once."""
    left = iter(range(calls))
    lock = threading.Lock()

    def caller():
        while True:
            with lock:
                if next(left, None) is None:
                    return
            one_call()
    machine, cpu = psutil.cpu_times(), time.process_time()
    start = time.perf_counter()
    workers = [threading.Thread(target=caller) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - start
    after = psutil.cpu_times()
    busy = sum(getattr(after, f) - getattr(machine, f)
               for f in ('user', 'system', 'nice', 'irq', 'softirq'))
    return {'per_s': calls / elapsed,
            'cpu_ms': (time.process_time() - cpu) * 1000 / calls,
            'machine_ms': busy * 1000 / calls}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--calls', type=int, default=300)
    parser.add_argument('--rabbit',
                        default='rabbit://guest:guest@127.0.0.1:5672/')
    parser.add_argument('--one', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(args.one, args.calls)))
        return
    for url, calls in (('inproc://', args.calls),
                       ('kombu+memory:////', args.calls),
                       ('fake://', 20), (args.rabbit, args.calls)):
        out = subprocess.run([sys.executable, __file__, '--one', url,
                              '--calls', str(calls)], capture_output=True,
                             text=True)
        if out.returncode != 0:
            print('%-45s failed: %s' % (url, out.stderr.strip()[-200:]))
            continue
        got = json.loads(out.stdout.strip().splitlines()[-1])
        name = url.split('@')[-1] if '@' in url else url
        print('%-45s call p50 %7.2f ms  p95 %7.2f ms  CPU %5.2f ms' % (
            name, got['p50_ms'], got['p95_ms'], got['cpu_ms']))
        for mode in ('plain', 'coalesced'):
            c = got[mode]
            print('%-45s   16 threads, %-9s %6.0f calls/s  CPU %5.2f ms'
                  '  machine %5.2f ms' % ('', mode, c['per_s'], c['cpu_ms'],
                                          c['machine_ms']))


if __name__ == '__main__':
    main()
