"""A daemon's running parts: its RPC server, heartbeat and periodic tasks."""

import logging
import threading

import oslo_messaging as messaging

from common import exception
from common import rpc

LOG = logging.getLogger(__name__)


class Periodic(threading.Thread):
    """Call `func` every `interval` seconds until stopped; errors are logged.

    With `retry_after`, a failed call is tried again sooner: after
    `retry_after` seconds, then twice as long each time, up to `interval`
    (a heartbeat lost at start must not cost a whole interval).
    """

    def __init__(self, name, interval, func, run_now=True, retry_after=None):
        super().__init__(name=name, daemon=True)
        self.interval = interval
        self.func = func
        self.run_now = run_now
        self.retry_after = retry_after
        self.stopped = threading.Event()
        self.failures = 0

    def run(self):
        if not self.run_now and self.stopped.wait(self.interval):
            return
        while not self.stopped.is_set():
            if self.stopped.wait(self.run_once()):
                return

    def run_once(self):
        """Call `func` once; the seconds to wait before the next call."""
        try:
            self.func()
            self.failures = 0
        except exception.NovaException as error:
            # Expected now and then (a peer not up yet): no traceback.
            self.failures += 1
            LOG.warning('Periodic task %s failed: %s', self.name,
                        error.message)
        except Exception:
            self.failures += 1
            LOG.exception('Periodic task %s failed', self.name)
        return self._next_wait(self.failures)

    def _next_wait(self, failures):
        if not failures or self.retry_after is None:
            return self.interval
        return min(self.interval, self.retry_after * 2 ** (failures - 1))

    def stop(self):
        self.stopped.set()


class Service:
    """An RPC server on `topic` (and `topic`.`host`) plus periodic tasks.

    `manager` is the RPC endpoint. It may define `init_host()` (run before
    the server starts taking messages), `periodic_tasks()` returning
    (name, interval, callable[, retry_after]) tuples (see Periodic), and
    `cleanup_host()`.

    `rpc_server(target, endpoints)` makes the RPC server (default
    common.rpc.get_server) and `start_timer(periodic)` runs each Periodic
    (default: as a thread of its own). A simulator of many hosts in one
    process (bench/fleet.py) gives its own, sharing one connection and
    one timer thread among all of them.
    """

    # A failed heartbeat is sent again after this many seconds, then twice
    # as long each time, up to report_interval.
    HEARTBEAT_RETRY = 1.0

    def __init__(self, binary, topic, host, manager, heartbeat=None,
                 report_interval=10, rpc_server=None, start_timer=None,
                 beat=None):
        self.binary = binary
        self.topic = topic
        self.host = host
        self.manager = manager
        # heartbeat: a call that registers the service (creates its row);
        # beat: the cheap heartbeat once registered (a cast, or Redis;
        # common.servicegroup.beat_function). Without beat every
        # heartbeat is a call.
        self.heartbeat = heartbeat
        self.beat = beat
        self._registered = False
        self.report_interval = report_interval
        self.rpcserver = None
        self.timers = []
        self._make_rpc_server = rpc_server
        self._start_timer = start_timer or Periodic.start

    def start(self):
        LOG.info('Starting %s on host %s (topic %s)', self.binary, self.host,
                 self.topic)
        if hasattr(self.manager, 'init_host'):
            self.manager.init_host()
        target = messaging.Target(topic=self.topic, server=self.host)
        make_server = self._make_rpc_server or rpc.get_server
        self.rpcserver = make_server(target, [self.manager])
        self.rpcserver.start()
        tasks = []
        if self.heartbeat is not None:
            # Every daemon's first heartbeat may go out before any
            # conductor consumes (start order is free), and be dropped.
            tasks.append(('heartbeat', self.report_interval, self._beat,
                          self.HEARTBEAT_RETRY))
        if hasattr(self.manager, 'periodic_tasks'):
            tasks.extend(self.manager.periodic_tasks())
        for name, interval, func, *retry in tasks:
            timer = Periodic('%s-%s' % (self.binary, name), interval, func,
                             retry_after=retry[0] if retry else None)
            self._start_timer(timer)
            self.timers.append(timer)

    def _beat(self):
        if self.beat is not None and self._registered:
            try:
                self.beat(self.host, self.binary, self.topic)
            except Exception:
                # Register again next time: the conductor or Redis may
                # have lost us meanwhile.
                self._registered = False
                raise
            return
        self.heartbeat(self.host, self.binary, self.topic)
        self._registered = True

    def stop(self):
        """Stop taking messages, let in-flight ones finish, stop timers."""
        LOG.info('Stopping %s on host %s', self.binary, self.host)
        for timer in self.timers:
            timer.stop()
        if self.rpcserver is not None:
            self.rpcserver.stop()
            self.rpcserver.wait()
        if hasattr(self.manager, 'cleanup_host'):
            self.manager.cleanup_host()
