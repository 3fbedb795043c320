"""Telling systemd how a daemon is doing (the sd_notify protocol).

A `Type=notify` unit counts as started only once its main process sends
READY=1, and with `WatchdogSec=` systemd restarts it when WATCHDOG=1
stops arriving. The protocol is one datagram of text sent to the
AF_UNIX socket named by $NOTIFY_SOCKET ('@' first: the abstract
namespace), so it is written here rather than pulling in systemd-python
(a C extension needing libsystemd's headers). Without $NOTIFY_SOCKET
(not started by systemd) every call does nothing.
"""

import logging
import os
import socket
import time

LOG = logging.getLogger(__name__)


def notify(state):
    """Send `state` ('READY=1', ...); True when systemd was told.

    A failure to reach systemd is logged, never raised: a daemon that
    serves but cannot report it is better than one that dies.
    """
    address = os.environ.get('NOTIFY_SOCKET')
    if not address:
        return False
    if address.startswith('@'):
        address = '\0' + address[1:]
    try:
        with socket.socket(socket.AF_UNIX,
                           socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode('utf-8'))
    except OSError as e:
        LOG.warning('Cannot notify systemd (%s): %s', state.split('\n')[0], e)
        return False
    return True


def watchdog_interval():
    """Seconds between two WATCHDOG=1 pings (half of WatchdogSec, as
    sd_watchdog_enabled(3) advises), or None when no watchdog watches
    this process."""
    usec = os.environ.get('WATCHDOG_USEC', '')
    pid = os.environ.get('WATCHDOG_PID', '')
    if pid and pid != str(os.getpid()):
        return None  # set for another process (our parent)
    try:
        usec = int(usec)
    except ValueError:
        return None
    return usec / 2e6 if usec > 0 else None


def forget():
    """Drop the variables, so this process and its children never send
    (a forked worker is not the unit's main process)."""
    for name in ('NOTIFY_SOCKET', 'WATCHDOG_USEC', 'WATCHDOG_PID'):
        os.environ.pop(name, None)


class Watchdog:
    """READY=1 once, then WATCHDOG=1 whenever `tick()` finds half the
    watchdog period gone. Ticked from the loop that also waits for
    signals, so a main loop that hangs stops the pings."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.interval = watchdog_interval()
        self.last = None

    def ready(self):
        notify('READY=1\nMAINPID=%d' % os.getpid())
        self.last = self.clock()

    def tick(self):
        if self.interval is None or self.last is None:
            return
        now = self.clock()
        if now - self.last >= self.interval:
            notify('WATCHDOG=1')
            self.last = now

    def wait_step(self, longest=1.0):
        """How long the loop may sleep before the next tick is due."""
        if self.interval is None:
            return longest
        return max(0.05, min(longest, self.interval / 2))

    def stopping(self):
        """STOPPING=1, and no ping after it (systemd's stop timeout
        watches the rest)."""
        notify('STOPPING=1')
        self.last = None
