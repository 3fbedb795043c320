"""One simulator process: many nova-compute services on one connection.

bench/fleet.py starts one of these per few thousand simulated hosts. Each
host is the real nova-compute: nova_compute.cmd.make_service, its
ComputeManager, init_host, heartbeat and periodic tasks, on the in-memory
driver (nova_compute/virt/fake.py). What is shared, so that 10,000 hosts
fit on two cores:

- RabbitMQ: one connection consumes every host's compute.<host> queue
  (Multiplexer) and hands each message to that host's own oslo.messaging
  dispatcher, on one pool of threads. A real compute holds a connection
  of its own (and a shared 'compute' and a fanout queue, not declared here).
- Timers: one thread runs every host's Periodic tasks at their intervals
  on a pool (SharedTimers), instead of a thread per task per host. Each
  task's second run comes after a random part of its interval, so the
  fleet's phases are spread as those of hosts started at different times.

    python bench/fleet_hosts.py --config-file nova.conf --prefix fleet-x \\
        --first 0 --count 2500

It prints one JSON line {"ready": n} once every host is serving, then
answers lines on stdin: "kill HOST" (that host's services stop, its
messages are dropped unanswered, as a dead host's would be, and counted),
"stats" (timer lag and work done since the last stats, and the messages
dropped for killed hosts so far), and stops at EOF.
"""

import argparse
import collections
import concurrent.futures
import heapq
import json
import logging
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from oslo_messaging._drivers import amqpdriver  # noqa: E402
from oslo_messaging._drivers import common as driver_common  # noqa: E402
from oslo_messaging._drivers import base as driver_base  # noqa: E402
from oslo_messaging.rpc import server as rpc_server  # noqa: E402

from common import rpc  # noqa: E402
from common.conf import CONF  # noqa: E402

LOG = logging.getLogger('fleet_hosts')


class _MuxServer(rpc_server.RPCServer):
    """oslo.messaging's RPC server (its executor, replies and error
    handling) on the multiplexer's one listener."""

    def __init__(self, transport, mux, listener):
        super().__init__(transport, None, mux, executor='threading')
        self._mux_listener = listener

    def _create_listener(self):
        return driver_base.PollStyleListenerAdapter(self._mux_listener, 1,
                                                    None)

    def _process_incoming(self, incoming):
        # A killed host's messages get no answer, as from a dead host;
        # they are counted, so a test sees whether any were sent to it.
        if self.dispatcher.route(incoming[0]) is not None:
            super()._process_incoming(incoming)
        else:
            self.dispatcher.count_dropped(incoming[0])


class Multiplexer:
    """One AMQP connection consuming the queues of every host of this
    process; `server_for` is a Service's rpc_server factory."""

    def __init__(self, transport):
        driver = transport._driver
        self._conn = driver._get_connection(driver_common.PURPOSE_LISTEN)
        self._listener = amqpdriver.RpcAMQPListener(driver, self._conn)
        self._exchange = driver._default_exchange
        self._routes = {}
        self._server = _MuxServer(transport, self, self._listener)
        self._polling = False
        # A kombu connection is not thread-safe; hosts start side by side.
        self._declaring = threading.Lock()
        self.dispatched = 0
        # "compute.<host> <method>" -> messages dropped for killed hosts.
        self.dropped = collections.Counter()

    def server_for(self, target, endpoints):
        return _HostServer(self, target, endpoints)

    def add(self, key, endpoints):
        # Consumers are declared before polling starts: the connection
        # lock is held by the poller for up to a second at a time.
        assert not self._polling, 'hosts join a process before it serves'
        self._routes[key] = rpc.get_dispatcher(endpoints)
        with self._declaring:
            self._conn.declare_topic_consumer(
                exchange_name=self._exchange, topic=key,
                callback=self._listener)

    def remove(self, key):
        self._routes.pop(key, None)

    def route(self, incoming):
        key = incoming.message._raw_message.delivery_info['routing_key']
        return self._routes.get(key)

    def count_dropped(self, incoming):
        key = incoming.message._raw_message.delivery_info['routing_key']
        self.dropped['%s %s' % (key, incoming.message.get('method'))] += 1

    def dispatch(self, incoming):
        self.dispatched += 1
        return self.route(incoming).dispatch(incoming)

    def start(self):
        self._polling = True
        self._server.start()

    def stop(self):
        self._server.stop()
        self._server.wait()


class _HostServer:
    """What one host's Service sees as its RPC server."""

    def __init__(self, mux, target, endpoints):
        self._mux = mux
        self._key = '%s.%s' % (target.topic, target.server)
        self._endpoints = endpoints

    def start(self):
        self._mux.add(self._key, self._endpoints)

    def stop(self):
        self._mux.remove(self._key)

    def wait(self):
        pass


class SharedTimers(threading.Thread):
    """Runs many common.service.Periodic tasks from one thread; the calls
    themselves go to a pool, so a slow one delays no other. `add` is a
    Service's start_timer."""

    def __init__(self, workers):
        super().__init__(name='shared-timers', daemon=True)
        self._heap = []
        self._seq = 0
        self._cond = threading.Condition()
        self._pool = concurrent.futures.ThreadPoolExecutor(
            workers, thread_name_prefix='periodic')
        self._spread = set()
        self._lags = []
        self.runs = 0
        self.stopping = False

    def add(self, periodic):
        self._push(periodic, 0 if periodic.run_now else periodic.interval)

    def _push(self, periodic, delay):
        with self._cond:
            self._seq += 1
            heapq.heappush(self._heap, (time.monotonic() + delay, self._seq,
                                        periodic))
            self._cond.notify()

    def run(self):
        while True:
            with self._cond:
                while not self.stopping and (
                        not self._heap or
                        self._heap[0][0] > time.monotonic()):
                    timeout = (self._heap[0][0] - time.monotonic()
                               if self._heap else None)
                    self._cond.wait(timeout)
                if self.stopping:
                    return
                due, _seq, periodic = heapq.heappop(self._heap)
            if not periodic.stopped.is_set():
                try:
                    self._pool.submit(self._run, periodic, due)
                except RuntimeError:
                    return      # the pool is shut down: we are stopping

    def _run(self, periodic, due):
        self._lags.append(time.monotonic() - due)
        self.runs += 1
        wait = periodic.run_once()
        if periodic.stopped.is_set():
            return
        if wait == periodic.interval and id(periodic) not in self._spread:
            self._spread.add(id(periodic))
            wait = random.uniform(0, periodic.interval)
        self._push(periodic, wait)

    def take_lags(self):
        lags, self._lags = self._lags, []
        return sorted(lags)

    def stop(self):
        with self._cond:
            self.stopping = True
            self._cond.notify()
        self._pool.shutdown(wait=False, cancel_futures=True)


def _percentile(ordered, pct):
    if not ordered:
        return 0.0
    return ordered[min(len(ordered) - 1, int(pct / 100.0 * len(ordered)))]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--config-file', required=True)
    parser.add_argument('--prefix', required=True)
    parser.add_argument('--first', type=int, default=0)
    parser.add_argument('--count', type=int, required=True)
    parser.add_argument('--vcpus', type=int, default=64)
    parser.add_argument('--memory-mb', type=int, default=262144)
    parser.add_argument('--local-gb', type=int, default=2000)
    parser.add_argument('--timer-threads', type=int, default=32)
    parser.add_argument('--start-threads', type=int, default=8)
    parser.add_argument('--log-file')
    args = parser.parse_args()

    logging.basicConfig(level=logging.WARNING, filename=args.log_file,
                        format='%(asctime)s %(levelname)s %(name)s '
                               '%(message)s')
    # RPC clients of every host share this process's pool of publishing
    # connections: room for every thread that may send at once, or each
    # send beyond the pool opens and closes a connection of its own.
    pool_conf = os.path.join(os.path.dirname(args.config_file),
                             'fleet-pool-%d.conf' % os.getpid())
    with open(pool_conf, 'w') as f:
        f.write('[oslo_messaging_rabbit]\nrpc_conn_pool_size = %d\n'
                % (args.timer_threads + 64 + args.start_threads))
    CONF(['--config-file', args.config_file, '--config-file', pool_conf],
         project='nova')
    os.unlink(pool_conf)
    CONF.set_override('compute_driver', 'fake')
    # Imported once CONF is read: the manager reads options at import.
    from nova_compute import cmd
    from nova_compute.virt import fake

    transport = rpc.init(CONF)
    mux = Multiplexer(transport)
    timers = SharedTimers(args.timer_threads)
    timers.start()
    services = {}
    restarts = []

    def start_host(index):
        host = '%s-%05d' % (args.prefix, index)
        svc = cmd.make_service(
            host, driver=fake.FakeDriver(vcpus=args.vcpus,
                                         memory_mb=args.memory_mb,
                                         local_gb=args.local_gb),
            rpc_server=mux.server_for, start_timer=timers.add)
        while True:
            try:
                svc.start()
                break
            except Exception as error:
                # init_host failed (a conductor too busy to answer): the
                # daemon would exit and systemd start it again.
                if svc.rpcserver is not None:
                    raise
                restarts.append(host)
                LOG.warning('%s failed to start (%s); starting it again',
                            host, error)
                time.sleep(2)
        services[host] = svc

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(args.start_threads) as pool:
        list(pool.map(start_host, range(args.first,
                                        args.first + args.count)))
    mux.start()
    print(json.dumps({'ready': len(services), 'restarts': len(restarts),
                      'seconds': round(time.monotonic() - t0, 1)}),
          flush=True)

    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        if words[0] == 'kill':
            svc = services.pop(words[1], None)
            if svc is not None:
                svc.stop()
            print(json.dumps({'killed': words[1],
                              'known': svc is not None}), flush=True)
        elif words[0] == 'stats':
            lags = timers.take_lags()
            print(json.dumps({
                'hosts': len(services), 'timer_runs': timers.runs,
                'dispatched': mux.dispatched,
                'dropped': dict(mux.dropped),
                'lag_p50': _percentile(lags, 50),
                'lag_p99': _percentile(lags, 99),
                'lag_max': lags[-1] if lags else 0.0}), flush=True)
    timers.stop()
    for svc in services.values():
        for timer in svc.timers:
            timer.stop()
    mux.stop()
    rpc.cleanup()


if __name__ == '__main__':
    main()
