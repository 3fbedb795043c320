"""Run a daemon as several worker processes under one parent.

The parent opens nothing (no RPC transport, no database pool): it forks
the workers, restarts one that dies, and on SIGTERM or SIGINT passes the
signal on and waits for them to drain. Each worker is a whole service:
RabbitMQ hands messages on a shared topic to whichever consumer is free.
"""

import ctypes
import logging
import os
import signal
import time

from common import systemd

LOG = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1
# A worker that dies this soon after its start is failing to start at
# all: wait before the next try instead of forking in a tight loop.
_MIN_UPTIME = 2.0


def _die_with_parent():
    """Linux: the kernel sends SIGTERM to this worker if the parent dies,
    even by SIGKILL, so no orphan keeps consuming messages."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    except (OSError, AttributeError):
        LOG.warning('Cannot ask to die with the parent process')


class WorkerPool:
    """`count` processes each running `run_worker()` (which returns when
    the worker was told to stop)."""

    def __init__(self, count, run_worker, stop_timeout=30,
                 on_exit=lambda pid: None):
        self.count = count
        self.on_exit = on_exit  # called with each worker's pid once it ended
        self.run_worker = run_worker
        self.stop_timeout = stop_timeout
        self.children = {}  # pid -> (index, started)
        self.stopping = False
        # The parent is the unit's main process: it alone talks to systemd.
        self.watchdog = systemd.Watchdog()

    def _spawn(self, index):
        parent = os.getpid()
        pid = os.fork()
        if pid == 0:
            status = 1
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                _die_with_parent()
                systemd.forget()
                if os.getppid() != parent:
                    os._exit(0)  # the parent died before prctl
                self.run_worker()
                status = 0
            except BaseException:
                LOG.exception('Worker %d failed', index)
            finally:
                logging.shutdown()
                os._exit(status)
        self.children[pid] = (index, time.monotonic())
        LOG.info('Started worker %d (pid %d)', index, pid)

    def _on_signal(self, signum, _frame):
        LOG.info('Caught signal %d, stopping %d workers', signum,
                 len(self.children))
        self.stopping = True
        self.watchdog.stopping()
        for pid in self.children:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def run(self):
        """Fork the workers and look after them until told to stop."""
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        # Workers reload their own config on SIGHUP; pass it on.
        signal.signal(signal.SIGHUP, lambda *_: [
            os.kill(pid, signal.SIGHUP) for pid in list(self.children)])
        for index in range(self.count):
            self._spawn(index)
        self.watchdog.ready()
        deadline = None
        while self.children:
            self.watchdog.tick()
            if self.stopping and deadline is None:
                deadline = time.monotonic() + self.stop_timeout
            if deadline is not None and time.monotonic() > deadline:
                LOG.warning('Workers did not stop in %ss; killing them',
                            self.stop_timeout)
                for pid in self.children:
                    os.kill(pid, signal.SIGKILL)
                deadline = float('inf')
            try:
                pid, status = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                time.sleep(0.2)
                continue
            index, started = self.children.pop(pid)
            self.on_exit(pid)
            if self.stopping:
                continue
            LOG.error('Worker %d (pid %d) exited with status %d; '
                      'starting another', index, pid,
                      os.waitstatus_to_exitcode(status))
            if time.monotonic() - started < _MIN_UPTIME:
                time.sleep(_MIN_UPTIME)
            if not self.stopping:
                self._spawn(index)
        return 0
